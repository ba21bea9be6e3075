"""Audience files for ad platforms: the command, the page's downloads, who may take them."""

from __future__ import annotations

import csv
import io
import re
from hashlib import sha256
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEntry
from campaigns.models import Campaign
from candidates.models import Candidate
from candidates.services.suppression import email_suppress
from tests.assignments import members
from tests.campaigns.test_views import make_run
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def h(text: str) -> str:
    return sha256(text.encode("utf-8")).hexdigest()


def campaign_reaching(sizes: list[int], *, status: str = "active") -> tuple[Campaign, set[str]]:
    """A campaign on the active run's segments of ``sizes``, plus a stale target of an older
    run; three of its candidates may not be contacted. Returns it and the hashes of those three.
    """
    [old] = make_run(active=False, sizes=[4])
    segments = make_run(active=True, sizes=sizes)
    campaign = CampaignFactory(name="Reach", status=status)
    campaign.target_segments.set([*segments, old])
    people = list(Candidate.objects.filter(location__startswith=f"City {segments[0].run_id}-"))
    people[0].contact_allowed = False
    people[0].save()
    email_suppress(people[1].email)
    people[2].email = "Gone.Away@Example.org"
    people[2].save()
    email_suppress("gone.away@example.org")
    return campaign, {h(p.email.strip().lower()) for p in people[:3]}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def page_audience(client, campaign: Campaign) -> int:
    page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    return int(re.search(r'<dd id="campaign-audience">([\d,]+)</dd>', page)[1].replace(",", ""))


@pytest.fixture
def exporter(django_user_model):
    """Someone who may view campaigns and export their audiences."""
    user = django_user_model.objects.create_user("exporter", password="pw-exporter-123!")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_campaign", "export_audience"])
    )
    return user


# The command


def test_the_command_writes_every_contactable_member_once_as_the_page_counts_them(
    tmp_path, client, exporter
):
    campaign, uncontactable = campaign_reaching([70, 60])
    client.force_login(exporter)
    shown = page_audience(client, campaign)
    assert shown == 127  # 130 in the active run's targets, less three; the old run's 4 not

    for platform, email in (("google", "Email"), ("meta", "email")):
        out = tmp_path / f"{platform}.csv"
        stdout = io.StringIO()
        call_command(
            "export_audience", campaign.pk, "--format", platform, "--output", out, stdout=stdout
        )
        rows = read(out)
        assert len(rows) == shown
        emails = [row[email] for row in rows]
        assert len(set(emails)) == shown
        assert not set(emails) & uncontactable
        active_targets = campaign.target_segments.filter(run__is_active=True)
        expected = {
            h(c.email.lower()) for segment in active_targets for c in members(segment)
        } - uncontactable
        assert set(emails) == expected
        assert "Exported 127 people for" in stdout.getvalue()


def test_the_command_refuses_a_list_too_small_and_writes_nothing(tmp_path):
    campaign, _ = campaign_reaching([60, 40])
    out = tmp_path / "linkedin.csv"
    with pytest.raises(CommandError) as refused:
        call_command("export_audience", campaign.pk, "--format", "linkedin", "--output", out)
    assert str(refused.value) == (
        "A LinkedIn matched audience list needs at least 300 people; this campaign's audience "
        "is 97 people. Target more segments to export it."
    )
    assert not out.exists()
    with pytest.raises(CommandError, match="at least 100 people; .* is 97 people"):
        call_command("export_audience", campaign.pk, "--format", "google", "--output", out)
    assert list(tmp_path.iterdir()) == []


def test_meta_below_its_minimum_warns_and_still_writes(tmp_path):
    campaign, _ = campaign_reaching([5])
    out = tmp_path / "meta.csv"
    stderr = io.StringIO()
    call_command("export_audience", campaign.pk, "--format", "meta", "--output", out, stderr=stderr)
    assert "Warning: Meta uses a custom audience only once it matches at least 100 people; " in (
        stderr.getvalue()
    )
    assert "audience is 2 people" in stderr.getvalue()
    assert len(read(out)) == 2


def test_the_command_names_what_is_wrong(tmp_path):
    with pytest.raises(CommandError, match="There is no campaign with id 424242."):
        call_command("export_audience", 424242, "--format", "meta", "--output", tmp_path / "x")
    campaign, _ = campaign_reaching([5], status="ended")
    with pytest.raises(CommandError, match="“Reach” has ended: its audience is no longer"):
        call_command("export_audience", campaign.pk, "--format", "meta", "--output", "-")
    Campaign.objects.filter(pk=campaign.pk).update(status="active")
    missing = tmp_path / "nowhere" / "meta.csv"
    with pytest.raises(CommandError, match="the folder .*nowhere does not exist"):
        call_command("export_audience", campaign.pk, "--format", "meta", "--output", missing)
    with pytest.raises(CommandError, match="invalid choice: 'tiktok'"):
        call_command("export_audience", campaign.pk, "--format", "tiktok", "--output", "-")


# The page


def test_the_download_streams_the_pages_audience_number_of_rows(client, exporter):
    campaign, uncontactable = campaign_reaching([70, 60])
    client.force_login(exporter)
    shown = page_audience(client, campaign)
    page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    google = reverse("campaign-audience-file", args=[campaign.pk, "google"])
    assert f'href="{google}"' in page
    # LinkedIn's minimum is 300: no link, the reason instead.
    assert (
        "A LinkedIn matched audience list needs at least 300 people; this campaign&#x27;s " in page
    )
    assert reverse("campaign-audience-file", args=[campaign.pk, "linkedin"]) not in page

    response = client.get(google)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{campaign.pk}-google-audience.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.startswith("Email,First Name,Last Name,Country,Zip\r\n")
    assert len(rows) == shown
    assert not {row["Email"] for row in rows} & uncontactable
    entry = AuditEntry.objects.get(kind="audience.exported")
    assert (entry.username, entry.object_id) == ("exporter", str(campaign.pk))
    assert entry.details == {"format": "google", "rows": shown}


def test_a_refused_download_comes_back_to_the_page_with_the_reason(client, exporter):
    campaign, _ = campaign_reaching([6])
    client.force_login(exporter)
    response = client.get(
        reverse("campaign-audience-file", args=[campaign.pk, "linkedin"]), follow=True
    )
    assert response.redirect_chain == [(reverse("campaign", args=[campaign.pk]), 302)]
    assert "needs at least 300 people; this campaign&#x27;s audience is 3 people." in (
        response.content.decode()
    )


def test_the_meta_warning_shows_beside_its_download(client, exporter):
    campaign, _ = campaign_reaching([6])
    client.force_login(exporter)
    page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert reverse("campaign-audience-file", args=[campaign.pk, "meta"]) in page
    assert "Meta may not be able to use this file." in page


def test_without_the_export_permission_there_is_no_button_and_no_file(client, staff_user):
    campaign, _ = campaign_reaching([70, 60])
    client.force_login(staff_user)  # may view every campaign, may not export
    page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert 'id="campaign-exports"' not in page
    for platform in ("google", "meta", "linkedin"):
        url = reverse("campaign-audience-file", args=[campaign.pk, platform])
        assert client.get(url).status_code == 403


def test_unknown_platform_or_campaign_is_not_found(client, exporter):
    campaign, _ = campaign_reaching([3])
    client.force_login(exporter)
    assert client.get(reverse("campaign-audience-file", args=[campaign.pk, "x"])).status_code == 404
    assert client.get(reverse("campaign-audience-file", args=[424242, "meta"])).status_code == 404


def test_recruiters_and_data_admins_may_export_and_recruiters_run_campaigns():
    for name in ("Recruiter", "Data admin"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert "export_audience" in codenames, name
    recruiter = set(
        Group.objects.get(name="Recruiter").permissions.values_list("codename", flat=True)
    )
    assert "change_campaign" in recruiter


def test_a_linkedin_file_of_300_holds_hashed_emails_and_plain_names(tmp_path):
    [segment] = make_run(active=True, sizes=[300])
    campaign = CampaignFactory(status="draft")
    campaign.target_segments.set([segment])
    first = members(segment).order_by("pk").first()
    first.name, first.email, first.location = "  Zoë  Pérez ", " Zoe@Example.ORG", "Paris, France"
    first.save()
    out = tmp_path / "linkedin.csv"
    call_command("export_audience", campaign.pk, "--format", "linkedin", "--output", out)
    rows = read(out)
    assert len(rows) == 300
    assert rows[0] == {
        "email": h("zoe@example.org"),
        "firstname": "Zoë",
        "lastname": "Pérez",
        "jobtitle": "",
        "employeecompany": "",
        "country": "FR",
        "googleaid": "",
    }
