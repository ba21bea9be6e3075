"""The bulk read and write paths give what the straightforward ORM code gives.

These run on every database the suite runs on (SQLite, then PostgreSQL in scripts/run-tests), so
the aggregated pair read, the chunked cursor read and both write paths (executemany on SQLite,
binary COPY + UPDATE ... FROM on PostgreSQL) are each held to the plain ORM answer.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.db import transaction

from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.ml.features import CandidateFeatures, FeatureEncoder, extract_features
from segmentation.models import Assignment, Segment, SegmentationRun
from segmentation.selectors import features as selectors
from segmentation.selectors.features import candidate_features_load
from segmentation.services import assignment_writes as writes
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


def test_a_batch_above_the_few_candidates_path_reads_the_same(varied_candidates, monkeypatch):
    """The few-candidates read (two plain queries) and the batch read agree on the same ids."""
    wanted = varied_candidates[3:9] + [10**9]
    few = candidate_features_load(candidate_ids=wanted)
    monkeypatch.setattr(selectors, "FEW_CANDIDATES", 2)
    _assert_same_features(candidate_features_load(candidate_ids=wanted), few)
    _assert_same_features(few, _orm_features(varied_candidates[3:9]))


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


def _rows(run_id: int) -> dict[int, int]:
    return dict(Assignment.objects.filter(run_id=run_id).values_list("candidate_id", "segment_id"))


@pytest.mark.parametrize("batch_size", [writes.BATCH_SIZE, 4])
def test_bulk_insert_equals_a_row_created_per_candidate(varied_candidates, monkeypatch, batch_size):
    monkeypatch.setattr(writes, "BATCH_SIZE", batch_size)
    segments = _run_with_segments(3)
    run_id = segments[0].run_id
    ids = np.array(sorted(varied_candidates), dtype=np.int64)
    wanted = np.array([segments[i % 3].pk for i in range(len(ids))], dtype=np.int64)

    with transaction.atomic():
        written = writes.assignment_rows_insert(
            run_id=run_id, candidate_ids=ids, segment_ids=wanted
        )
    fast = _rows(run_id)
    Assignment.objects.filter(run_id=run_id).delete()
    for pk, segment in zip(ids.tolist(), wanted.tolist(), strict=True):
        Assignment.objects.create(run_id=run_id, candidate_id=pk, segment_id=segment)
    assert written == len(ids)
    assert fast == _rows(run_id) == dict(zip(ids.tolist(), wanted.tolist(), strict=True))


def test_setting_rows_writes_only_changes_and_moves_sizes_by_them(varied_candidates):
    segments = _run_with_segments(3)
    run_id = segments[0].run_id
    ids = sorted(varied_candidates)
    # Start: the first two in segment 0, the next two in segment 1, the rest without a row.
    for pk, segment in zip(
        ids[:4], [segments[0], segments[0], segments[1], segments[1]], strict=True
    ):
        Assignment.objects.create(run_id=run_id, candidate_id=pk, segment=segment)
    Segment.objects.filter(pk__in=[segments[0].pk, segments[1].pk]).update(size=2)
    # Now: the first stays, the second and third go to segment 2, the rest come to segment 0.
    wanted = [segments[0].pk, segments[2].pk, segments[2].pk, segments[1].pk]
    wanted += [segments[0].pk] * (len(ids) - 4)

    with transaction.atomic():
        moved = writes.assignment_rows_set(
            run_id=run_id,
            candidate_ids=np.array(ids, dtype=np.int64),
            segment_ids=np.array(wanted, dtype=np.int64),
        )

    assert _rows(run_id) == dict(zip(ids, wanted, strict=True))
    assert moved == 2 + (len(ids) - 4)  # unchanged rows are not written
    sizes = {s.pk: s.size for s in Segment.objects.filter(run_id=run_id)}
    counted = Counter(wanted)
    assert sizes == {s.pk: counted[s.pk] for s in segments}


def test_writing_nothing(db):
    segments = _run_with_segments(1)
    empty = np.zeros(0, dtype=np.int64)
    run_id = segments[0].run_id
    assert writes.assignment_rows_insert(run_id=run_id, candidate_ids=empty, segment_ids=empty) == 0
    assert writes.assignment_rows_set(run_id=run_id, candidate_ids=empty, segment_ids=empty) == 0


def test_deleting_a_run_s_rows_leaves_the_others(varied_candidates):
    first, second = _run_with_segments(1), _run_with_segments(1)
    ids = np.array(sorted(varied_candidates), dtype=np.int64)
    for [segment] in (first, second):
        writes.assignment_rows_insert(
            run_id=segment.run_id,
            candidate_ids=ids,
            segment_ids=np.full(len(ids), segment.pk, dtype=np.int64),
        )
    assert writes.assignment_rows_delete(run_ids=[first[0].run_id]) == len(ids)
    assert _rows(first[0].run_id) == {}
    assert len(_rows(second[0].run_id)) == len(ids)
