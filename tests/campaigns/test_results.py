"""Results per segment on the campaign page, its CSV, the Send button's rules, the segment page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from campaigns.applications import application_create
from campaigns.links import ApplyRef
from campaigns.models import CampaignMessage, CampaignSendJob
from campaigns.results import campaign_results
from campaigns.sending import campaign_messages_queue
from tests.outreach import outreach_make
from tests.roles import role_group


@pytest.fixture
def outreach(db):
    """Segment A: 6 in the audience, 6 sent, 2 clicked, 2 applied (one twice); B: 4, 3 sent, 1
    failed, 1 applied; budget 500 split 300/200."""
    outreach = outreach_make((6, 4), budget=Decimal("500.00"))
    campaign_messages_queue(campaign=outreach.campaign)
    a, b = (outreach.members[s.pk] for s in outreach.segments)
    CampaignMessage.objects.update(status="sent", sent_at=timezone.now())
    CampaignMessage.objects.filter(candidate=b[0]).update(status="failed", sent_at=None)
    opening = outreach.campaign.job_opening
    for candidate, times in [(a[0], 2), (a[1], 1), (b[1], 1)]:
        for i in range(times):
            application_create(
                job_opening=opening,
                name=candidate.name,
                email=f"{i}-{candidate.email}",
                message="Hello",
                ref=ApplyRef(outreach.campaign.pk, candidate.pk),
            )
    return outreach


def test_results_per_segment(outreach):
    results = campaign_results(campaign=outreach.campaign)

    a, b = results.rows
    assert (a.label, a.audience, a.sent, a.failed, a.clicked, a.applied) == (
        "Segment A",
        6,
        6,
        0,
        2,
        2,
    )
    assert (b.label, b.audience, b.sent, b.failed, b.clicked, b.applied) == (
        "Segment B",
        4,
        3,
        1,
        1,
        1,
    )
    assert (a.apply_rate, b.apply_rate) == (2 / 6, 1 / 3)
    assert (a.budget_share, b.budget_share) == (Decimal("300.00"), Decimal("200.00"))
    assert (a.cost_per_application, b.cost_per_application) == (
        Decimal("150.00"),
        Decimal("200.00"),
    )
    total = results.total
    assert (total.audience, total.sent, total.failed, total.applied) == (10, 9, 1, 3)
    assert total.cost_per_application == Decimal("166.67")


def test_the_csv_has_the_pages_numbers(outreach, client):
    user = _user_with("view_campaign")
    client.force_login(user)

    response = client.get(reverse("campaign-results", args=[outreach.campaign.pk]))

    assert response["Content-Type"].startswith("text/csv")
    assert "back-end-spring-results.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["segment"] for r in rows] == ["Segment A", "Segment B", "All segments"]
    assert rows[0] == {
        "segment": "Segment A",
        "audience": "6",
        "sent": "6",
        "failed": "0",
        "clicked": "2",
        "applied": "2",
        "apply_rate": "0.3333",
        "budget_share": "300.00",
        "cost_per_application": "150.00",
    }
    assert rows[2]["cost_per_application"] == "166.67"


def test_the_campaign_page_shows_results_and_the_funnel(outreach, client):
    user = _user_with("view_campaign")
    client.force_login(user)

    page = client.get(reverse("campaign", args=[outreach.campaign.pk])).content.decode()

    assert 'id="campaign-results-table"' in page and 'id="chart-funnel"' in page
    assert "campaign-funnel-data" in page
    assert "33%" in page  # segment A: 2 applied of 6 sent
    assert 'id="campaign-send-form"' not in page  # viewing is not sending


def test_an_application_from_a_segment_no_longer_targeted_shows_on_its_own_row(outreach):
    from segmentation.models import Assignment

    untargeted = Assignment.objects.get(candidate__email="outsider@example.org").segment
    candidate = outreach.audience[2]
    Assignment.objects.filter(candidate=candidate).update(segment=untargeted)
    application_create(
        job_opening=outreach.campaign.job_opening,
        name="Moved",
        email="moved@example.org",
        message="Hi",
        ref=ApplyRef(outreach.campaign.pk, candidate.pk),
    )

    rows = campaign_results(campaign=outreach.campaign).rows

    assert [(r.label, r.applied) for r in rows][-1] == ("Not a target segment now", 1)


def test_sending_needs_the_change_permission(outreach, client):
    client.force_login(_user_with("view_campaign"))

    response = client.post(reverse("campaign-send", args=[outreach.campaign.pk]))

    assert response.status_code == 403
    assert not CampaignSendJob.objects.exists()


def test_a_recruiter_sees_the_send_button_and_a_draft_is_refused_with_a_reason(client, db):
    outreach = outreach_make((2,), status="draft")
    recruiter = _user_with()
    recruiter.groups.add(role_group("Recruiter"))
    client.force_login(recruiter)

    page = client.get(reverse("campaign", args=[outreach.campaign.pk])).content.decode()
    response = client.post(reverse("campaign-send", args=[outreach.campaign.pk]), follow=True)

    assert "Only an active campaign sends." in page
    assert "Only an active campaign sends; “Back-end spring” is draft." in response.content.decode()
    assert not CampaignSendJob.objects.exists()


def test_the_segment_page_lists_its_campaigns_with_their_apply_rate(outreach, client):
    client.force_login(_user_with("view_campaign", "view_segment", "view_candidate"))
    segment = outreach.segments[0]
    segment.profile = {"share": 0.5}
    segment.save()

    response = client.get(reverse("segment", args=[segment.pk]))

    assert response.status_code == 200
    assert "2 applied of 6 sent here (33%)" in response.content.decode()


def _user_with(*codenames: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(f"u{'-'.join(codenames)}", password="pw-123456!")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_a_recruiter_sees_who_applied_and_a_viewer_only_the_counts(outreach, client):
    recruiter = _user_with()
    recruiter.groups.add(role_group("Recruiter"))
    client.force_login(recruiter)
    url = reverse("campaign", args=[outreach.campaign.pk])

    page = client.get(url).content.decode()
    client.force_login(_user_with("view_campaign"))
    viewer_page = client.get(url).content.decode()

    a = outreach.members[outreach.segments[0].pk]
    assert 'id="campaign-applications"' in page and f"1-{a[0].email}" in page
    assert 'id="campaign-applications"' not in viewer_page
    assert a[0].email not in viewer_page
