"""Job-ad email through a real SMTP server process: one message per audience member, ever."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from campaigns import links
from campaigns.models import Campaign, CampaignMessage
from campaigns.sending import CampaignSendError, campaign_send
from tests.mail import SmtpServer
from tests.outreach import outreach_make

BASE = "https://jobs.example.org"


@pytest.fixture(autouse=True)
def email_settings(settings):
    settings.ADFLUX_BASE_URL = BASE
    settings.ADFLUX_EMAIL_RATE = 0
    settings.DEFAULT_FROM_EMAIL = "Jobs at Example <jobs@example.org>"


def link_in(body: str, path: str) -> str:
    match = re.search(rf"{re.escape(BASE)}{path}\S+", body)
    assert match, f"no {path} link in:\n{body}"
    return match.group(0)


@pytest.mark.django_db
def test_each_audience_member_gets_one_personal_message_with_one_click_unsubscribe(
    smtp_server,
):
    outreach = outreach_make((3, 2))

    report = campaign_send(campaign=outreach.campaign)

    received = smtp_server.received()
    assert report.sent == 5 and report.failed == 0
    by_address = {m["To"]: m for m in received}
    assert sorted(by_address) == sorted(c.email for c in outreach.audience)
    assert len(received) == 5  # and nobody outside the targets
    for candidate in outreach.audience:
        message = by_address[candidate.email]
        body = message.get_payload(decode=True).decode()
        assert message["Subject"] == "Senior back-end engineer in Berlin"
        assert message["From"] == "Jobs at Example <jobs@example.org>"
        assert f"Hello {candidate.name}," in body
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = link_in(body, "/unsubscribe/")
        assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
        token = unsubscribe.removeprefix(f"{BASE}/unsubscribe/").rstrip("/")
        assert links.unsubscribe_token_read(token) == (candidate.pk, outreach.campaign.pk)
        apply = link_in(body, f"/jobs/{outreach.campaign.job_opening_id}/")
        ref = links.apply_token_read(parse_qs(urlsplit(apply).query)["ref"][0])
        assert (ref.campaign_id, ref.candidate_id) == (outreach.campaign.pk, candidate.pk)
    statuses = Counter(CampaignMessage.objects.values_list("status", flat=True))
    assert statuses == {"sent": 5}
    entry = AuditEntry.objects.get(kind="campaign.sent")
    assert (entry.object_id, entry.details["sent"], entry.details["failed"]) == (
        str(outreach.campaign.pk),
        5,
        0,
    )


@pytest.mark.django_db
def test_sending_again_sends_nothing(smtp_server):
    outreach = outreach_make((3, 2))
    campaign_send(campaign=outreach.campaign)

    again = campaign_send(campaign=outreach.campaign)

    assert (again.total, again.sent, again.already_sent) == (0, 0, 5)
    assert smtp_server.count() == 5


@pytest.mark.django_db
def test_a_new_audience_member_is_sent_only_their_own_message(smtp_server):
    from tests.assignments import place
    from tests.factories import CandidateFactory

    outreach = outreach_make((2,))
    campaign_send(campaign=outreach.campaign)
    newcomer = CandidateFactory(email="newcomer@example.org")
    place(newcomer, outreach.segments[0])

    report = campaign_send(campaign=outreach.campaign)

    assert report.sent == 1
    assert Counter(m["To"] for m in smtp_server.received())["newcomer@example.org"] == 1
    assert smtp_server.count() == 3


@pytest.mark.django_db
def test_a_refused_address_is_recorded_on_its_message_and_the_rest_go_on(tmp_path, settings):
    outreach = outreach_make((3,))
    refused = outreach.audience[1]
    server = SmtpServer(tmp_path / "mailbox", refuse=(refused.email,))
    for name, value in server.settings().items():
        setattr(settings, name, value)
    try:
        report = campaign_send(campaign=outreach.campaign)
        received = sorted(m["To"] for m in server.received())
    finally:
        server.stop()

    assert (report.sent, report.failed) == (2, 1)
    assert received == sorted(c.email for c in outreach.audience if c != refused)
    failed = CampaignMessage.objects.get(candidate=refused)
    assert failed.status == "failed"
    assert "550" in failed.error and refused.email in failed.error
    assert failed.sent_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "paused", "ended"])
def test_only_an_active_campaign_sends(smtp_server, status):
    outreach = outreach_make((2,), status=status)

    with pytest.raises(CampaignSendError, match="Only an active campaign sends"):
        campaign_send(campaign=outreach.campaign)

    assert smtp_server.count() == 0
    assert not CampaignMessage.objects.exists()


@pytest.mark.django_db
def test_a_campaign_paused_during_its_send_stops_between_two_messages(smtp_server):
    outreach = outreach_make((4,))
    seen: list[int] = []

    def pause_after_two(report):
        seen.append(report.sent)
        if report.sent == 2:
            Campaign.objects.filter(pk=outreach.campaign.pk).update(status="paused")

    report = campaign_send(campaign=outreach.campaign, on_progress=pause_after_two)

    assert report.sent == 2 and "no longer active" in report.stopped
    assert smtp_server.count() == 2
    assert CampaignMessage.objects.filter(status="queued").count() == 2


@pytest.mark.django_db
def test_without_a_mail_server_nothing_is_claimed(settings):
    from tests.mail import free_port

    outreach = outreach_make((2,))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()

    with pytest.raises(CampaignSendError, match="Cannot reach the mail server"):
        campaign_send(campaign=outreach.campaign)

    # Queued, not "sending": the next send delivers them.
    assert Counter(CampaignMessage.objects.values_list("status", flat=True)) == {"queued": 2}


@pytest.mark.django_db
def test_without_a_base_url_the_send_is_refused_with_the_setting_named(smtp_server, settings):
    settings.ADFLUX_BASE_URL = ""
    outreach = outreach_make((2,))

    with pytest.raises(CampaignSendError, match="ADFLUX_BASE_URL"):
        campaign_send(campaign=outreach.campaign)


@pytest.mark.django_db
def test_the_command_sends_and_reports(smtp_server):
    outreach = outreach_make((2, 1))
    from io import StringIO

    out = StringIO()
    call_command("send_campaign", str(outreach.campaign.pk), stdout=out)

    assert "3 sent, 0 failed." in out.getvalue()
    assert smtp_server.count() == 3
    with pytest.raises(CommandError, match="no campaign with id 999999"):
        call_command("send_campaign", "999999")
