"""The candidate list's total: exact when small, estimated from a sample above 10,000."""

from __future__ import annotations

import pytest

from candidates.models import Candidate
from segmentation.selectors import candidates as selectors
from segmentation.selectors.candidates import CandidateFilters, MatchCount, candidate_match_count
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.factories import CandidateFactory
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_sample(monkeypatch):
    """Slices of 10 ids, and exact counts only up to 100: the rules, on a few hundred rows."""
    monkeypatch.setattr(selectors, "SAMPLE_SLICES", 5)
    monkeypatch.setattr(selectors, "SAMPLE_SLICE_IDS", 10)
    monkeypatch.setattr(selectors, "COUNT_EXACT_UP_TO", 100)


def test_a_small_table_is_counted_exactly(small_sample):
    CandidateFactory.create_batch(30, location="Berlin")
    CandidateFactory.create_batch(10, location="Paris")
    assert candidate_match_count(filters=CandidateFilters(location="berlin")) == MatchCount(30)


def test_many_matches_are_estimated_from_the_sample_and_said_to_be(small_sample):
    # 400 candidates, every fourth in Paris: 300 in Berlin, more than exact counting covers.
    for i in range(400):
        CandidateFactory(location="Paris" if i % 4 == 0 else "Berlin")
    found = candidate_match_count(filters=CandidateFilters(location="Berlin"))
    assert found.estimated
    # Five slices of ten ids: 38 of 50 (or so) in Berlin, scaled to 400 ids and rounded.
    assert 250 <= found.value <= 350 and found.value % 10 == 0
    exact = Candidate.objects.filter(location="Berlin").count()
    assert exact == 300 and found.value != 0


def test_few_matches_in_a_large_table_are_counted_exactly(small_sample):
    for i in range(400):
        CandidateFactory(location="Lisbon" if i % 50 == 0 else "Berlin")
    found = candidate_match_count(filters=CandidateFilters(location="Lisbon"))
    assert found == MatchCount(8)


def test_no_candidates_is_zero():
    assert candidate_match_count(filters=CandidateFilters()) == MatchCount(0)


def test_everyone_is_counted_exactly_from_the_active_run_however_many(small_sample):
    # Above the exact-count limit with no filter: the active run holds every candidate, so its
    # sizes are the total, exactly, and a delete lowers it in the same transaction.
    ids = store_profiles(make_profiles(100, seed=7)[0])
    assert len(ids) > 100  # more than the (patched) exact-count limit
    segmentation_activate(run=segmentation_train(n_clusters=2))
    assert candidate_match_count(filters=CandidateFilters()) == MatchCount(len(ids))
    Candidate.objects.filter(pk__in=ids[:7]).delete()
    assert candidate_match_count(filters=CandidateFilters()) == MatchCount(len(ids) - 7)
    # The same filter narrowed by anything is still sampled.
    assert candidate_match_count(filters=CandidateFilters(min_years=0)).estimated
