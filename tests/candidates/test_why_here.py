"""The candidate page's "Why this candidate is here": reasons, confidence, borderline, unusual."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse

from candidates.models import Candidate
from segmentation.ml.contributions import Contribution
from segmentation.models import SegmentationRun
from segmentation.presenters.explanations import candidate_explanation, reason_text
from segmentation.selectors.candidates import candidate_detail_get
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segment_of
from tests.ml.conftest import make_profiles
from tests.ml.unusual_profiles import PLANTED_OUTLIERS, between_groups
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, int]:
    """Ids of a Berlin back-end candidate, one between Lisbon and Berlin, and an outlier.

    Trained and assigned with three segments; 300 candidates so the 99th percentile of the
    distances sits below the planted outliers.
    """
    records, truth = make_profiles(100, seed=0)
    ids = store_profiles([*records, *PLANTED_OUTLIERS, between_groups()], prefix="w")
    segmentation_activate(run=segmentation_train(n_clusters=3))
    return {
        "berliner": ids[int(np.flatnonzero(truth == 1)[0])],
        "lisboner": ids[int(np.flatnonzero(truth == 0)[0])],
        "outlier": ids[300],
        "between": ids[-1],
    }


@pytest.fixture
def viewer(client, staff_user):
    client.force_login(staff_user)
    return client


def _why_here(client, candidate_id: int) -> str | None:
    html = client.get(reverse("candidate", args=[candidate_id])).content.decode()
    section = re.search(r'<section class="card" id="why-here">.*?</section>', html, re.S)
    return section.group(0) if section else None


def _reasons(section: str) -> list[tuple[str, float]]:
    rows = re.findall(
        r'<tr class="(?:toward|away)"><td>(.*?)</td><td class="num">(.*?)</td>', section
    )
    return [(html.unescape(text), float(points)) for text, points in rows]


def test_a_berlin_candidate_is_here_for_berlin_and_back_end(viewer, people):
    candidate = Candidate.objects.get(pk=people["berliner"])
    candidate.segment = segment_of(candidate)
    section = _why_here(viewer, candidate.pk)
    assert section is not None
    assert f">{candidate.segment.name}</a>" in section
    assert 'id="next-segment"' in section
    reasons = dict(_reasons(section))
    assert reasons["Location: Berlin"] > 0
    assert reasons["Primary skill: Developer, back-end"] > 0
    assert reasons["Education: Master's degree"] > 0
    assert re.search(r"Years of experience: 1\d\.\d, high", section)
    confidence = int(re.search(r'<strong id="confidence">(\d+)%</strong>', section).group(1))
    assert confidence >= 50
    assert 'id="borderline-badge"' not in section
    assert 'id="unusual-note"' not in section


def test_a_candidate_between_two_groups_is_borderline(viewer, people):
    section = _why_here(viewer, people["between"])
    assert '<span class="badge borderline" id="borderline-badge">Borderline</span>' in section
    confidence = int(re.search(r'<strong id="confidence">(\d+)%</strong>', section).group(1))
    assert confidence < 10
    lisbon = segment_of(people["lisboner"])
    berlin = segment_of(people["berliner"])
    names = re.findall(r">([^<>]+)</a>", section.split("Confidence")[0])
    assert set(names) == {lisbon.name, berlin.name}


def test_a_planted_outlier_carries_the_unusual_note(viewer, people):
    section = _why_here(viewer, people["outlier"])
    assert 'id="unusual-note"' in section
    assert "than 99% of the candidates the model was trained on" in section


def test_nothing_is_explained_without_an_active_model(viewer):
    records, _ = make_profiles(5, seed=1)
    (candidate_id, *_) = store_profiles(records, prefix="n")
    html = viewer.get(reverse("candidate", args=[candidate_id])).content.decode()
    assert 'id="why-here"' not in html
    assert 'id="no-segment"' in html


def test_a_missing_model_file_hides_the_section_not_the_page(viewer, people):
    run = SegmentationRun.objects.get(is_active=True)
    Path(run.artifact_path).unlink()
    response = viewer.get(reverse("candidate", args=[people["berliner"]]))
    assert response.status_code == 200
    assert 'id="why-here"' not in response.content.decode()
    assert 'id="candidate-segment"' in response.content.decode()


def test_an_explanation_costs_a_few_queries(people, django_assert_max_num_queries):
    candidate = candidate_detail_get(pk=people["berliner"]).candidate
    candidate_explanation(candidate=candidate)  # loads the model into the process cache
    # The active run, the candidate's columns, skill pairs, skill names, the other segment.
    with django_assert_max_num_queries(5):
        explanation = candidate_explanation(candidate=candidate)
    assert explanation is not None and explanation.segment == candidate.segment


@pytest.mark.parametrize(
    ("contribution", "text"),
    [
        (Contribution("Python", "skill", 1.8, True), "Python: yes"),
        (Contribution("Go", "skill", 0.4, False), "Go: no"),
        (
            Contribution("desired_salary", "number", 0.9, 140_000.0, pool_median=90_000.0),
            "Desired salary: 140k, high",
        ),
        (
            Contribution("years_experience", "number", 0.5, 2.0, pool_median=7.0),
            "Years of experience: 2.0, low",
        ),
        (
            Contribution("years_experience", "number", 0.1, 7.2, pool_median=7.0),
            "Years of experience: 7.2, typical",
        ),
        (
            Contribution("years_experience", "number", 0.1, None, pool_median=7.0),
            "Years of experience: not given (counted as the median, 7.0)",
        ),
        (
            # The recommended preset fills a blank salary from experience and location.
            Contribution(
                "desired_salary", "number", 0.4, None, pool_median=90_000.0, filled=131_000.0
            ),
            "Desired salary: not given (counted as 131k, estimated from experience and location)",
        ),
        (
            Contribution(
                "desired_salary", "number", 0.4, None, pool_median=90_000.0, filled=90_000.0
            ),
            "Desired salary: not given (counted as the median, 90k)",
        ),
        (Contribution("location", "category", 1.0, "Germany"), "Location: Germany"),
        (
            Contribution("location", "category", 1.0, "Atlantis", known=False),
            "Location: Atlantis (new since training)",
        ),
        (Contribution("education_level", "category", 1.0, "master"), "Education: Master's degree"),
        (Contribution("primary_skill", "category", -1.0, ""), "Primary skill: not given"),
    ],
)
def test_reasons_read_as_a_recruiter_would_say_them(contribution, text):
    assert reason_text(contribution) == text


def test_the_panel_leads_with_a_sentence_and_keeps_the_numbers_one_click_away(viewer, people):
    section = _why_here(viewer, people["berliner"])
    summary = re.search(r'<p id="why-here-summary">(.*?)</p>', section, re.S).group(1)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", summary)).split())
    assert re.match(r"Closer to .+ than to .+ mostly because of: .+\.$", text), text
    because = html.unescape(re.search(r'id="why-here-because">(.*?)<', summary).group(1))
    # The three strongest pulls of the table, read as words ("a high desired salary (126k)"),
    # without their points.
    for text, _ in _reasons(section)[:3]:
        value = text.split(": ", 1)[1].split(",")[0]
        assert value in because, (value, because)
    assert because.count(",") + because.count(" and ") == 2
    assert not re.search(r"[+−]\d", because)
    # The distances, the confidence and the table of pulls sit in a closed <details>.
    details = section.split('<details id="why-here-numbers">', 1)[1]
    assert 'id="confidence"' in details and 'id="why-here-reasons"' in details
    assert "distance" not in summary
