"""The public job page: tracked links, applications, and what keeps the form safe."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from campaigns import links
from campaigns.models import Application, Campaign, CampaignMessage, JobOpening
from campaigns.sending import campaign_messages_queue
from tests.assignments import place
from tests.outreach import outreach_make

FORM = {"name": "Ada Lovelace", "email": "Ada@Example.org", "message": "I would love to."}


@pytest.fixture
def outreach(db):
    outreach = outreach_make((2, 1))
    campaign_messages_queue(campaign=outreach.campaign)
    CampaignMessage.objects.update(status="sent")
    return outreach


def page_url(outreach, candidate=None, token: str | None = None) -> str:
    opening_id = outreach.campaign.job_opening_id
    if candidate is not None:
        token = links.apply_token(campaign_id=outreach.campaign.pk, candidate_id=candidate.pk)
    path = reverse("job-public", args=[opening_id])
    return f"{path}?{urlencode({'ref': token})}" if token else path


def apply(client: Client, url: str, **fields: str):
    """Open the page (as a visitor does), then post the form it shows with ``fields``."""
    page = client.get(url)
    ref = page.context["form"].initial.get("ref", "")
    return client.post(url.split("?")[0], {**FORM, "ref": ref, **fields})


def test_the_job_page_is_public(outreach, client):
    response = client.get(page_url(outreach))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Senior back-end engineer" in body and 'id="apply-form"' in body


def test_a_tracked_link_counts_its_click_and_attributes_the_application(outreach, client):
    candidate = outreach.audience[0]
    segment = outreach.segments[0]

    response = apply(client, page_url(outreach, candidate))

    assert "has been sent" in response.content.decode()
    message = CampaignMessage.objects.get(candidate=candidate)
    assert message.clicked_at is not None
    application = Application.objects.get()
    assert (application.campaign, application.candidate, application.segment) == (
        outreach.campaign,
        candidate,
        segment,
    )
    assert application.email == "ada@example.org"


def test_the_segment_recorded_is_the_candidates_at_the_moment_of_applying(outreach, client):
    candidate = outreach.audience[0]
    url = page_url(outreach, candidate)
    client.get(url)
    # The candidate moves to the second segment before applying.
    from segmentation.models import Assignment

    Assignment.objects.filter(candidate=candidate).delete()
    place(candidate, outreach.segments[1])

    apply(client, url)

    assert Application.objects.get().segment == outreach.segments[1]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(token.split(":")[0], "WzEsOTk5XQ"),  # [1, 999], unsigned
        lambda token: "not-a-token",
    ],
    ids=["signature", "ids", "garbage"],
)
def test_a_tampered_link_shows_the_page_and_attributes_nothing(outreach, client, tamper):
    candidate = outreach.audience[0]
    token = links.apply_token(campaign_id=outreach.campaign.pk, candidate_id=candidate.pk)

    url = page_url(outreach, token=tamper(token))
    response = client.get(url)
    assert response.status_code == 200 and 'id="apply-form"' in response.content.decode()
    apply(client, url)

    assert not CampaignMessage.objects.filter(clicked_at__isnull=False).exists()
    application = Application.objects.get()
    assert (application.campaign, application.candidate, application.segment) == (None,) * 3


def test_a_link_of_another_openings_campaign_attributes_nothing(outreach, client):
    other = Campaign.objects.create(
        name="Data spring",
        job_opening=JobOpening.objects.create(title="Data engineer"),
        status="active",
        start_date=datetime.date(2026, 1, 1),
    )
    other.target_segments.set(outreach.segments)
    campaign_messages_queue(campaign=other)
    candidate = outreach.audience[0]
    token = links.apply_token(campaign_id=other.pk, candidate_id=candidate.pk)

    apply(client, page_url(outreach, token=token))

    assert Application.objects.get().campaign is None
    assert not CampaignMessage.objects.filter(clicked_at__isnull=False).exists()


def test_a_filled_honeypot_looks_accepted_but_records_nothing(outreach, client):
    response = apply(client, page_url(outreach), website="http://spam.example")

    assert response.status_code == 200 and "has been sent" in response.content.decode()
    assert not Application.objects.exists()


def test_an_address_is_limited_per_hour(outreach, client, settings):
    settings.ADFLUX_APPLY_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert apply(client, page_url(outreach)).status_code == 200

    refused = apply(client, page_url(outreach), email="ADA@example.org ")

    assert refused.status_code == 429
    assert "already sent 2 applications in the past hour" in refused.content.decode()
    assert Application.objects.count() == 2
    assert apply(client, page_url(outreach), email="grace@example.org").status_code == 200
    # An hour later the address may apply again.
    Application.objects.update(created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert apply(client, page_url(outreach)).status_code == 200


def test_the_form_needs_its_csrf_token(outreach):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("job-public", args=[outreach.campaign.job_opening_id]), FORM)

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_a_message_or_a_cv_link_is_needed(outreach, client):
    response = apply(client, page_url(outreach), message="", cv_url="")

    assert response.status_code == 400
    assert "Write a short message or give a link to your CV." in response.content.decode()
    assert (
        apply(client, page_url(outreach), message="", cv_url="cv.example.org/ada").status_code
        == 200
    )
    assert Application.objects.get().cv_url == "https://cv.example.org/ada"


def test_a_closed_opening_takes_no_application(outreach, client):
    outreach.campaign.job_opening.is_open = False
    outreach.campaign.job_opening.save()

    page = client.get(page_url(outreach)).content.decode()
    response = client.post(page_url(outreach), FORM)

    assert "has closed" in page and 'id="apply-form"' not in page
    assert (
        response.status_code == 429
        or response.status_code == 400
        or "has closed" in response.content.decode()
    )
    assert not Application.objects.exists()


def test_an_unknown_opening_is_not_found(outreach, client):
    assert client.get(reverse("job-public", args=[999999])).status_code == 404


def test_a_paused_campaigns_link_still_attributes(outreach, client):
    Campaign.objects.update(status="paused")
    candidate = outreach.audience[0]

    apply(client, page_url(outreach, candidate))

    assert Application.objects.get().campaign == outreach.campaign
