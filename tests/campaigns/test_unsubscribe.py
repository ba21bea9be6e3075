"""Unsubscribing through an email's signed link: login-free, one click, and for good."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from campaigns import links
from campaigns.models import CampaignMessage
from campaigns.results import campaign_results
from campaigns.selectors import audience_count, campaign_get
from campaigns.sending import campaign_send
from candidates.models import Candidate
from candidates.services.suppression import emails_suppressed
from tests.outreach import outreach_make


@pytest.fixture
def outreach(db, settings):
    settings.ADFLUX_BASE_URL = "https://jobs.example.org"
    settings.ADFLUX_EMAIL_RATE = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return outreach_make((3, 2))


def unsubscribe_path(candidate, campaign) -> str:
    token = links.unsubscribe_token(candidate_id=candidate.pk, campaign_id=campaign.pk)
    return reverse("unsubscribe", args=[token])


def test_opening_the_link_only_asks_to_confirm(outreach, client):
    candidate = outreach.audience[0]

    response = client.get(unsubscribe_path(candidate, outreach.campaign))

    assert response.status_code == 200 and 'id="unsubscribe-form"' in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.contact_allowed
    assert emails_suppressed([candidate.email]) == {}


def test_confirming_unsubscribes_for_good(outreach, client):
    candidate = outreach.audience[0]
    targets = [s.pk for s in outreach.segments]
    before = audience_count(segment_ids=targets)

    response = client.post(unsubscribe_path(candidate, outreach.campaign))

    assert response.status_code == 200 and 'id="unsubscribed"' in response.content.decode()
    candidate.refresh_from_db()
    assert not candidate.contact_allowed
    assert emails_suppressed([candidate.email.upper()]) == {candidate.email.upper(): "unsubscribed"}
    assert audience_count(segment_ids=targets) == before - 1
    assert campaign_get(pk=outreach.campaign.pk).audience == before - 1
    results = campaign_results(campaign=outreach.campaign)
    assert results.total.audience == before - 1
    # The campaign never writes to them, and no message of theirs is even queued.
    report = campaign_send(campaign=outreach.campaign)
    assert report.sent == before - 1
    assert not CampaignMessage.objects.filter(candidate=candidate).exists()


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token(outreach):
    """RFC 8058: the mail provider posts List-Unsubscribe=One-Click, with no form or cookie."""
    candidate = outreach.audience[1]
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        unsubscribe_path(candidate, outreach.campaign),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    candidate.refresh_from_db()
    assert not candidate.contact_allowed


@pytest.mark.parametrize("kind", ["tampered", "apply token"])
def test_a_link_that_is_not_an_unsubscribe_token_changes_nothing(outreach, client, kind):
    candidate = outreach.audience[0]
    if kind == "tampered":
        other = outreach.audience[1]
        token = links.unsubscribe_token(candidate_id=other.pk, campaign_id=outreach.campaign.pk)
        payload, rest = token.split(":", 1)
        # The payload of the candidate's own ids, with the other's signature.
        own = links.unsubscribe_token(candidate_id=candidate.pk, campaign_id=outreach.campaign.pk)
        token = own.split(":", 1)[0] + ":" + rest
    else:
        token = links.apply_token(campaign_id=outreach.campaign.pk, candidate_id=candidate.pk)

    response = client.post(reverse("unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Candidate.objects.filter(contact_allowed=False).exists()


def test_a_candidate_who_unsubscribes_during_a_send_is_not_sent_the_rest(outreach):
    from django.core import mail

    later = outreach.audience[-1]

    def unsubscribe_after_first(report):
        if report.sent == 1:
            Client().post(unsubscribe_path(later, outreach.campaign))

    report = campaign_send(campaign=outreach.campaign, on_progress=unsubscribe_after_first)

    assert (report.sent, report.skipped) == (4, 1)
    assert "1 skipped (no longer contactable)" in report.summary()
    assert later.email not in {m.to[0] for m in mail.outbox}
    message = CampaignMessage.objects.get(candidate=later)
    assert message.status == "skipped" and "no longer be contacted" in message.error
