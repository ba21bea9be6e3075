"""The bulk read and write paths give what the straightforward ORM code gives.

These run on every database the suite runs on (SQLite, then PostgreSQL in scripts/run-tests), so
the aggregated pair read, the chunked cursor read and both write paths (executemany on SQLite,
binary COPY + UPDATE ... FROM on PostgreSQL) are each held to the plain ORM answer.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection, transaction

from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.ml.features import CandidateFeatures, FeatureEncoder, extract_features
from segmentation.models import Segment, SegmentationRun
from segmentation.selectors import features as selectors
from segmentation.selectors.features import candidate_features_load
from segmentation.services import assignment_writes as writes
from segmentation.services.assignment_writes import segment_assignments_write
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


def _orm_features(candidate_ids: list[int] | None = None) -> CandidateFeatures:
    """The straightforward read: model instances, each candidate's skills.all()."""
    candidates = Candidate.objects.order_by("id")
    if candidate_ids is not None:
        candidates = candidates.filter(id__in=candidate_ids)
    return extract_features(
        [
            {
                "id": c.id,
                "years_experience": c.years_experience,
                "desired_salary": c.desired_salary,
                "location": c.location,
                "education_level": c.education_level,
                "primary_skill": c.primary_skill,
                "skills": [s.name for s in c.skills.all()],
            }
            for c in candidates
        ]
    )


def _assert_same_features(fast: CandidateFeatures, plain: CandidateFeatures) -> None:
    assert fast.ids.tolist() == plain.ids.tolist()
    np.testing.assert_array_equal(fast.numeric, plain.numeric)  # NaN where blank, in both
    for name, values in plain.categorical.items():
        assert fast.categorical[name].tolist() == values.tolist(), name
    assert [sorted(s) for s in fast.skill_lists()] == [sorted(s) for s in plain.skill_lists()]
    # And they encode to the very same matrix.
    encoder = FeatureEncoder().fit(plain)
    assert (encoder.transform(fast) != encoder.transform(plain)).nnz == 0


@pytest.fixture
def varied_candidates(db) -> list[int]:
    """Candidates with blanks of every kind, no skills, shared and unshared skills."""
    records, _ = make_profiles(12, seed=8, blanks=True)
    records[2]["skills"] = []
    records[3]["education_level"] = ""
    records[5]["primary_skill"] = ""
    ids = store_profiles(records)
    Skill.objects.create(name="Unused skill")  # in the skill table, held by nobody
    return ids


def test_fast_read_equals_the_orm_read(varied_candidates):
    _assert_same_features(candidate_features_load(), _orm_features())


def test_fast_read_across_chunk_boundaries(varied_candidates, monkeypatch):
    # Tiny chunks: categories coded in one chunk must mean the same in the next.
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 5)
    monkeypatch.setattr(selectors, "PAIR_ID_SPAN", 7)
    _assert_same_features(candidate_features_load(), _orm_features())


def test_fast_read_of_some_candidates(varied_candidates):
    wanted = varied_candidates[3:9] + [10**9]  # and an id that does not exist
    _assert_same_features(
        candidate_features_load(candidate_ids=wanted), _orm_features(varied_candidates[3:9])
    )


def test_fast_read_sees_deleted_pairs_and_gaps_in_pair_ids(varied_candidates):
    CandidateSkill.objects.filter(candidate_id=varied_candidates[0]).delete()
    Candidate.objects.filter(pk=varied_candidates[1]).delete()
    _assert_same_features(candidate_features_load(), _orm_features())


def test_fast_read_of_an_empty_table(db):
    features = candidate_features_load()
    assert len(features) == 0 and len(features.skill_rows) == 0


def _run_with_segments(n: int) -> list[Segment]:
    run = SegmentationRun.objects.create(n_clusters=n)
    return [Segment.objects.create(run=run, number=i, name=f"S{i}") for i in range(n)]


def _segments_now() -> dict[int, int | None]:
    return dict(Candidate.objects.values_list("id", "segment_id"))


@pytest.mark.parametrize("batch_size", [writes.BATCH_SIZE, 4])
def test_fast_write_equals_a_save_per_candidate(varied_candidates, monkeypatch, batch_size):
    monkeypatch.setattr(writes, "BATCH_SIZE", batch_size)
    old, new = _run_with_segments(3), _run_with_segments(3)
    ids = np.array(sorted(varied_candidates), dtype=np.int64)
    # Start from a mix: no segment, an old segment, and already the segment to be written.
    start = {pk: None for pk in ids.tolist()}
    for i, pk in enumerate(ids.tolist()):
        start[pk] = [None, old[i % 3].pk, new[i % 3].pk][i % 3]
    Candidate.objects.bulk_update(
        [Candidate(pk=pk, segment_id=segment) for pk, segment in start.items()], ["segment"]
    )
    wanted = np.array([new[i % 3].pk for i in range(len(ids))], dtype=np.int64)

    with transaction.atomic():
        written = segment_assignments_write(candidate_ids=ids, segment_ids=wanted)
    fast = _segments_now()

    Candidate.objects.bulk_update(
        [Candidate(pk=pk, segment_id=segment) for pk, segment in start.items()], ["segment"]
    )
    with transaction.atomic():
        for pk, segment in zip(ids.tolist(), wanted.tolist(), strict=True):
            candidate = Candidate.objects.get(pk=pk)
            candidate.segment_id = segment
            candidate.save()
    assert written == len(ids)
    assert fast == _segments_now() == dict(zip(ids.tolist(), wanted.tolist(), strict=True))


def test_fast_write_twice_in_one_transaction_and_to_a_subset(varied_candidates):
    segments = _run_with_segments(2)
    ids = np.array(sorted(varied_candidates), dtype=np.int64)
    with transaction.atomic():
        segment_assignments_write(
            candidate_ids=ids, segment_ids=np.full(len(ids), segments[0].pk, dtype=np.int64)
        )
        segment_assignments_write(
            candidate_ids=ids[:3], segment_ids=np.full(3, segments[1].pk, dtype=np.int64)
        )
    after = _segments_now()
    assert [after[pk] for pk in ids[:3].tolist()] == [segments[1].pk] * 3
    assert {after[pk] for pk in ids[3:].tolist()} == {segments[0].pk}


def test_fast_write_of_nothing(db):
    assert segment_assignments_write(candidate_ids=np.zeros(0), segment_ids=np.zeros(0)) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_postgresql_write_leaves_work_mem_as_it_was(varied_candidates):
    segments = _run_with_segments(1)
    ids = np.array(sorted(varied_candidates), dtype=np.int64)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        before = cursor.fetchone()[0]
        segment_assignments_write(
            candidate_ids=ids, segment_ids=np.full(len(ids), segments[0].pk, dtype=np.int64)
        )
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == before
