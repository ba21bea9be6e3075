"""SQL and HTML injection through query strings and forms: clear answers, nothing stored, nothing
rendered raw."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from candidates.models import Candidate
from segmentation.models import SegmentationJob
from tests.factories import CandidateFactory

SQL = ["' OR 1=1 --", "1; DROP TABLE candidates_candidate; --", "1 OR 1=1", '") OR ("1"="1']
HTML = '"><script>alert(1)</script>'


@pytest.fixture
def logged_in(client, superuser):
    client.force_login(superuser)
    CandidateFactory(name="Real Person", location="Berlin")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("payload", SQL)
@pytest.mark.parametrize(
    "field", ["location", "skill", "email", "segment", "min_years", "education_level", "after"]
)
def test_candidate_filters_treat_sql_as_text(logged_in, field, payload):
    response = logged_in.get(reverse("candidates"), {field: payload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Real Person" not in page  # matched nothing: the payload was a value, not SQL
    assert Candidate.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [*SQL, HTML])
def test_the_audience_preview_refuses_what_is_not_a_segment_id(logged_in, payload):
    response = logged_in.get(reverse("campaign-audience-preview"), {"segments": payload})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_markup_in_a_filter_is_echoed_escaped(logged_in):
    response = logged_in.get(reverse("candidates"), {"location": HTML})
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize("payload", SQL)
def test_retrain_refuses_sql_for_k(logged_in, payload):
    response = logged_in.post(reverse("segments-retrain"), {"n_clusters": payload}, follow=True)
    assert "Training not started: Enter a whole number." in response.content.decode()
    assert not SegmentationJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("payload", SQL)
def test_campaign_form_refuses_sql_for_ids(logged_in, payload):
    response = logged_in.post(
        reverse("campaign-create"),
        {"name": "x", "job_opening": payload, "target_segments": [payload], "status": "draft",
         "budget": "0", "start_date": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with its errors
    assert not Campaign.objects.exists()
