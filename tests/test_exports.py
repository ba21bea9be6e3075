"""CSV downloads of what the pages list: the filtered candidates, a segment, a campaign's
audience. Each streams, defuses formulas, and writes what ``export_candidates`` writes."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from campaigns.services import campaign_create
from common.csv_download import UTF8_BOM
from segmentation.models import Segment, SegmentationRun
from tests.assignments import place
from tests.factories import CandidateFactory, JobOpeningFactory
from tests.roles import role_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_segments() -> tuple[Segment, Segment]:
    run = SegmentationRun.objects.create(status="trained", is_active=True, n_clusters=2)
    berlin = Segment.objects.create(run=run, number=0, name="Berlin people")
    lisbon = Segment.objects.create(run=run, number=1, name="Lisbon people")
    place(CandidateFactory.create_batch(3, location="Berlin"), berlin)
    place(CandidateFactory.create_batch(2, location="Lisbon"), lisbon)
    # A formula a spreadsheet would run, in a name that the export must defuse.
    place([CandidateFactory(location="Berlin", name="=HYPERLINK(evil)")], berlin)
    return berlin, lisbon


@pytest.fixture
def recruiter(django_user_model):
    user = django_user_model.objects.create_user("rec", "rec@example.org", "pw-rec-123!")
    user.groups.add(role_group("Recruiter"))
    return user


def downloaded(response) -> tuple[str, list[dict[str, str]]]:
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(UTF8_BOM)
    return text[1:], list(csv.DictReader(io.StringIO(text[1:])))


def test_the_candidate_list_downloads_exactly_its_filtered_rows(client, recruiter, two_segments):
    client.force_login(recruiter)
    page = client.get(reverse("candidates"), {"location": "berlin", "after": "1"}).content.decode()
    assert 'href="/candidates/candidates.csv?location=berlin"' in page

    response = client.get(reverse("candidates-export"), {"location": "berlin"})
    assert response["Content-Disposition"] == 'attachment; filename="candidates.csv"'
    _, rows = downloaded(response)
    assert [row["location"] for row in rows] == ["Berlin"] * 4
    assert {row["segment_name"] for row in rows} == {"Berlin people"}
    assert "'=HYPERLINK(evil)" in [row["name"] for row in rows]


def test_invalid_filters_export_nothing_and_say_why(client, recruiter, two_segments):
    client.force_login(recruiter)
    response = client.get(reverse("candidates-export"), {"min_years": "5", "max_years": "2"})
    assert response.status_code == 400
    assert "Years to: Must not be less than “Years from”." in response.content.decode()


def test_a_segment_downloads_what_export_candidates_segment_writes(client, recruiter, two_segments):
    berlin, _ = two_segments
    client.force_login(recruiter)
    page = client.get(reverse("segment", args=[berlin.pk])).content.decode()
    assert reverse("segment-export", args=[berlin.pk]) in page

    text, rows = downloaded(client.get(reverse("segment-export", args=[berlin.pk])))
    assert len(rows) == 4
    out = io.StringIO()
    call_command(
        "export_candidates", "-", "--segment", str(berlin.pk), stdout=out, stderr=io.StringIO()
    )
    assert text == out.getvalue()


def a_campaign(segment: Segment, user=None):
    return campaign_create(
        name=f"Reaching {segment.name}",
        job_opening=JobOpeningFactory(),
        target_segments=[segment],
        start_date=datetime.date(2026, 1, 1),
        user=user,
    )


def test_a_campaign_downloads_its_audience(client, recruiter, two_segments):
    _, lisbon = two_segments
    campaign = a_campaign(lisbon, recruiter)
    client.force_login(recruiter)
    page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert reverse("campaign-audience-export", args=[campaign.pk]) in page

    response = client.get(reverse("campaign-audience-export", args=[campaign.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{campaign.pk}-audience.csv"'
    )
    _, rows = downloaded(response)
    assert [row["location"] for row in rows] == ["Lisbon", "Lisbon"]


def test_a_target_of_an_older_run_reaches_no_one_in_the_download(client, recruiter, two_segments):
    berlin, _ = two_segments
    campaign = a_campaign(berlin, recruiter)
    berlin.run.is_active = False
    berlin.run.save()
    client.force_login(recruiter)
    _, rows = downloaded(client.get(reverse("campaign-audience-export", args=[campaign.pk])))
    assert rows == []


def test_without_view_candidate_no_download_is_offered_or_served(
    client, django_user_model, two_segments
):
    berlin, lisbon = two_segments
    campaign = a_campaign(lisbon)
    user = django_user_model.objects.create_user("seg", "s@example.org", "pw-seg-123!")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_segment", "view_campaign"])
    )
    client.force_login(user)
    for url in (
        reverse("candidates-export"),
        reverse("segment-export", args=[berlin.pk]),
        reverse("campaign-audience-export", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert "segment-export" not in client.get(reverse("segment", args=[berlin.pk])).content.decode()
    campaign_page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert "campaign-audience-export" not in campaign_page
