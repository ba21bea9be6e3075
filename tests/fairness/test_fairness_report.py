"""The fairness report on a constructed pool: pages, CSV, command, model card, permissions."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from candidates.models import Demographics
from segmentation.models import Segment, SegmentationRun
from tests.assignments import place
from tests.factories import CampaignFactory, CandidateFactory
from tests.roles import role_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool():
    """Segment "Alpha": 6 women, 2 men; "Beta": 4 women, 8 men, 2 who gave nothing.

    By hand: in Alpha women 6/10 = 0.6, men 2/10 = 0.2, ratio 0.2/0.6 = 0.33 (flagged);
    in Beta women 0.4, men 0.8, ratio 0.5 (flagged). "Not given": 2, both in Beta.
    """
    run = SegmentationRun.objects.create(
        status="trained", is_active=True, n_clusters=2, n_candidates=22
    )
    alpha = Segment.objects.create(run=run, number=0, name="Alpha")
    beta = Segment.objects.create(run=run, number=1, name="=Beta")  # a name like a formula

    def people(segment, sex, count, ethnicity="white"):
        candidates = CandidateFactory.create_batch(count)
        if sex:
            Demographics.objects.bulk_create(
                Demographics(candidate=c, sex=sex, ethnicity=ethnicity) for c in candidates
            )
        place(candidates, segment)

    people(alpha, "female", 6)
    people(alpha, "male", 2)
    people(beta, "female", 4)
    people(beta, "male", 8)
    people(beta, None, 2)
    campaign = CampaignFactory(name="Spring")
    campaign.target_segments.set([alpha])
    return run, campaign


@pytest.fixture
def user(django_user_model):
    def make(group: str):
        person = django_user_model.objects.create_user(group.replace(" ", ""), password="pw-1x!")
        person.groups.add(role_group(group))
        return person

    return make


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_recruiters_are_refused_the_fairness_pages_and_csvs(client, pool, user):
    run, campaign = pool
    client.force_login(user("Recruiter"))
    for name, pk in (
        ("segmentation-run-fairness", run.pk),
        ("segmentation-run-fairness-csv", run.pk),
        ("campaign-fairness", campaign.pk),
        ("campaign-fairness-csv", campaign.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 403, name


def test_the_run_page_shows_each_segment_s_rates_ratios_and_flags(client, pool, user):
    run, _ = pool
    client.force_login(user("Data admin"))
    response = client.get(reverse("segmentation-run-fairness", args=[run.pk]))
    assert response.status_code == 200
    alpha, beta = response.context["scopes"]
    sex = {g["label"]: g for g in alpha["categories"][0]["groups"]}
    assert sex["Female"]["rate"] == pytest.approx(0.6)
    assert sex["Male"]["impact_ratio"] == pytest.approx(0.2 / 0.6)
    assert sex["Male"]["flagged"] and not sex["Female"]["flagged"]
    assert beta["categories"][0]["not_given_selected"] == 2
    both = {g["label"]: g for g in beta["categories"][3]["groups"]}
    assert both["Female × White"]["impact_ratio"] == pytest.approx(0.5)
    assert "below 0.8" in response.content.decode()


def test_the_run_csv_lists_every_group_and_defuses_names(client, pool, user):
    run, _ = pool
    client.force_login(user("Data admin"))
    rows = _csv(client.get(reverse("segmentation-run-fairness-csv", args=[run.pk])))
    sex = [
        (r["scope"], r["group"], r["selection_rate"], r["impact_ratio"], r["below_0.8"])
        for r in rows
        if r["category"] == "sex"
    ]
    assert sex == [
        ("Alpha", "female", "0.6000", "1.0000", "no"),
        ("Alpha", "male", "0.2000", "0.3333", "yes"),
        ("Alpha", "not_given", "", "", ""),
        ("'=Beta", "female", "0.4000", "0.5000", "yes"),
        ("'=Beta", "male", "0.8000", "1.0000", "no"),
        ("'=Beta", "not_given", "", "", ""),
    ]


def test_the_campaign_report_measures_its_audience(client, pool, user):
    _, campaign = pool
    client.force_login(user("Data admin"))
    response = client.get(reverse("campaign-fairness", args=[campaign.pk]))
    assert response.status_code == 200
    [audience] = response.context["scopes"]
    detail = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert reverse("campaign-fairness", args=[campaign.pk]) in detail
    assert (audience["selected"], audience["pool"]) == (8, 22)
    rows = _csv(client.get(reverse("campaign-fairness-csv", args=[campaign.pk])))
    assert [(r["group"], r["impact_ratio"]) for r in rows if r["category"] == "sex"] == [
        ("female", "1.0000"),
        ("male", "0.3333"),
        ("not_given", ""),
    ]


def test_the_command_prints_the_report_or_csv(pool):
    run, campaign = pool
    out = io.StringIO()
    call_command("fairness_report", "--run", str(run.pk), stdout=out)
    text = out.getvalue()
    assert "Alpha: 8 of 22 candidates selected; 2 group(s) flagged" in text
    assert "Male: 2/10 rate 20.0%, impact ratio 0.33  FLAG" in text
    out = io.StringIO()
    call_command("fairness_report", "--campaign", str(campaign.pk), "--csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["scope"] for r in rows} == {"Spring (audience)"}
    with pytest.raises(CommandError, match="no trained run with id 999"):
        call_command("fairness_report", "--run", "999", stdout=io.StringIO())


def test_the_model_card_shows_data_features_quality_and_fairness_to_those_allowed(
    client, pool, user
):
    run, _ = pool
    url = reverse("segmentation-run-card", args=[run.pk])
    client.force_login(user("Recruiter"))
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Trained on 22 candidates" in content
    assert "Intended use" in content and "Known limits" in content
    assert "never a feature" in content
    assert page.context["fairness"] is None
    assert "needs the permission to view demographics" in content

    client.force_login(user("Data admin"))
    page = client.get(url)
    summary = {scope["label"]: scope["flagged"] for scope in page.context["fairness"]}
    assert summary == {
        "Alpha": ["Male (0.33)", "Male × White (0.33)"],
        "=Beta": ["Female (0.50)", "Female × White (0.50)"],
    }
    assert reverse("segmentation-run-fairness", args=[run.pk]) in page.content.decode()
