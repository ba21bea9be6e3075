"""Unusual profiles in the database: flagged at assignment and on save, listed and filterable."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from candidates.models import Candidate
from segmentation.models import Assignment, SegmentationRun, UnusualCandidate
from segmentation.services.activation import segmentation_activate
from segmentation.services.assignment import candidate_segments_assign
from segmentation.services.training import segmentation_train
from tests.ml.conftest import make_profiles
from tests.ml.unusual_profiles import PLANTED_OUTLIERS
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:candidates_candidate_changelist")


@pytest.fixture
def planted() -> tuple[list[int], list[int]]:
    """300 candidates in three groups and three planted outliers; their ids."""
    records, _ = make_profiles(100, seed=0)
    ids = store_profiles(records + PLANTED_OUTLIERS, prefix="p")
    return ids[:300], ids[300:]


@pytest.fixture
def active_run(planted) -> SegmentationRun:
    run = segmentation_train(n_clusters=3)
    segmentation_activate(run=run)
    return run


def _flagged(run: SegmentationRun) -> dict[int, float]:
    return dict(UnusualCandidate.objects.filter(run=run).values_list("candidate_id", "distance"))


def test_assignment_flags_the_planted_outliers_and_hardly_anyone_else(planted, active_run):
    ordinary, outliers = planted
    flagged = _flagged(active_run)
    assert set(outliers) <= set(flagged)
    # The 99th percentile of 303 candidates: four at most, the planted three among them.
    assert len(flagged) <= 4
    assert all(distance > active_run.outlier_threshold for distance in flagged.values())
    assert active_run.parameters["outlier_percentile"] == 99.0


def test_assigning_again_replaces_the_flags(planted, active_run):
    before = _flagged(active_run)
    segmentation_activate(run=active_run)
    assert _flagged(active_run) == pytest.approx(before)


def test_the_segmentation_page_lists_the_most_unusual_first(
    client, staff_user, planted, active_run
):
    _, outliers = planted
    client.force_login(staff_user)
    page = client.get(reverse("segments")).content.decode()
    card = re.search(r'<section class="card" id="unusual-profiles">.*?</section>', page, re.S)
    assert card is not None
    card_html = card.group(0)
    count = len(_flagged(active_run))
    assert f'<dd id="unusual-count">{count}</dd>' in card_html
    assert f"{active_run.outlier_threshold:.2f}" in card_html
    linked = re.findall(r'<a href="/candidates/(\d+)/">', card_html)
    assert {int(pk) for pk in linked[:3]} == set(outliers)  # the farthest first
    assert "99% of the candidates" in card_html


def test_the_admin_filter_lists_unusual_profiles_or_the_others(client, superuser, planted):
    ordinary, outliers = planted
    run = segmentation_train(n_clusters=3)
    segmentation_activate(run=run)
    flagged = set(_flagged(run))
    client.force_login(superuser)

    def listed(value: str) -> set[int]:
        html = client.get(CHANGELIST, {"unusual": value}).content.decode()
        links = re.findall(r'href="/admin/candidates/candidate/(\d+)/change/[^"]*"', html)
        return {int(pk) for pk in links}

    assert listed("yes") == flagged
    assert not listed("no") & flagged and listed("no")
    page = client.get(CHANGELIST).content.decode()
    assert "By unusual profile" in page
    # An unknown choice is Django's "invalid lookup": back to the list, not an error page.
    assert client.get(CHANGELIST, {"unusual": "maybe"})["Location"].endswith("?e=1")


def test_an_edited_candidate_is_flagged_and_unflagged_on_save(planted, active_run):
    ordinary, _ = planted
    candidate = Candidate.objects.get(pk=ordinary[0])
    typical = (candidate.years_experience, candidate.desired_salary, candidate.location)
    assert candidate.pk not in _flagged(active_run)

    candidate.years_experience, candidate.desired_salary = 70.0, 2_000_000
    candidate.location = "Antarctica"
    candidate.save()
    candidate_segments_assign(candidate_ids=[candidate.pk])
    assert candidate.pk in _flagged(active_run)

    candidate.years_experience, candidate.desired_salary, candidate.location = typical
    candidate.save()
    candidate_segments_assign(candidate_ids=[candidate.pk])
    assert candidate.pk not in _flagged(active_run)


def test_a_configured_percentile_is_recorded_and_flags_more(settings, db):
    records, _ = make_profiles(30, seed=1)
    store_profiles(records)
    settings.ADFLUX_SEGMENTATION = {"outlier_percentile": 90}
    run = segmentation_train(n_clusters=3)
    segmentation_activate(run=run)
    assert run.parameters["outlier_percentile"] == 90
    assert 6 <= len(_flagged(run)) <= 12  # about a tenth of 90


def test_a_run_trained_before_thresholds_gets_one_when_assigned(planted):
    _, outliers = planted
    run = segmentation_train(n_clusters=3)
    # Such a run also predates per-run assignment rows: migration 0005 marks it pruned, so its
    # activation computes every candidate (and the flags) again.
    SegmentationRun.objects.filter(pk=run.pk).update(
        outlier_threshold=None, assignments_pruned=True
    )
    Assignment.objects.filter(run=run).delete()
    run.refresh_from_db()
    segmentation_activate(run=run)
    run.refresh_from_db()
    assert run.outlier_threshold is not None
    assert set(outliers) <= set(_flagged(run))


def test_flags_belong_to_their_run_and_go_with_it(planted, active_run):
    _, outliers = planted
    newer = segmentation_train(n_clusters=2)
    segmentation_activate(run=newer)
    assert set(outliers) <= set(_flagged(newer))
    assert set(outliers) <= set(_flagged(active_run))  # the older run's list stays its own
    older_id = active_run.pk
    active_run.delete()
    assert not UnusualCandidate.objects.filter(run_id=older_id).exists()
