"""The only place ORM rows become candidate feature columns."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, CandidateFeatures
from segmentation.models import SegmentationRun

CHUNK_SIZE = 50_000


def candidate_features_load(*, candidate_ids: Iterable[int] | None = None) -> CandidateFeatures:
    """Every candidate's profile columns (or only the given ones), ordered by id.

    Reads flat value tuples and the skill pair table once each: no model instances, no
    per-candidate query, no prefetch (which SQLite cannot do for a million ids).
    """
    candidates = Candidate.objects.order_by("id")
    pairs = CandidateSkill.objects.all()
    if candidate_ids is not None:
        wanted = sorted(set(candidate_ids))
        candidates = candidates.filter(id__in=wanted)
        pairs = pairs.filter(candidate_id__in=wanted)
    rows = list(
        candidates.values_list("id", *NUMERIC_FEATURES, *CATEGORICAL_FEATURES).iterator(
            chunk_size=CHUNK_SIZE
        )
    )
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * (1 + len(NUMERIC_FEATURES) + 3)
    ids = np.array(columns[0], dtype=np.int64)
    numeric = np.empty((n, len(NUMERIC_FEATURES)), dtype=np.float64)
    for j in range(len(NUMERIC_FEATURES)):
        # None becomes NaN: a blank number stays blank until the encoder imputes it.
        numeric[:, j] = np.array(columns[1 + j], dtype=np.float64)
    offset = 1 + len(NUMERIC_FEATURES)
    categorical = {
        name: np.array(columns[offset + j], dtype=object)
        for j, name in enumerate(CATEGORICAL_FEATURES)
    }
    del rows, columns

    skill_ids, skill_names = _skill_table()
    flat = np.fromiter(
        (
            value
            for pair in pairs.values_list("candidate_id", "skill_id").iterator(
                chunk_size=CHUNK_SIZE
            )
            for value in pair
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    row_of = np.searchsorted(ids, flat[:, 0])
    known = (
        (row_of < n) & (ids[np.minimum(row_of, max(n - 1, 0))] == flat[:, 0])
        if n
        else (np.zeros(len(flat), dtype=bool))
    )
    code_of = np.full(int(skill_ids.max()) + 1 if len(skill_ids) else 1, -1, dtype=np.int32)
    code_of[skill_ids] = np.arange(len(skill_ids), dtype=np.int32)
    return CandidateFeatures(
        ids=ids,
        numeric=numeric,
        categorical=categorical,
        skill_rows=row_of[known],
        skill_codes=code_of[flat[known, 1]],
        skill_names=skill_names,
    )


def _skill_table() -> tuple[np.ndarray, tuple[str, ...]]:
    table = list(Skill.objects.order_by("id").values_list("id", "name"))
    ids = np.array([skill_id for skill_id, _ in table], dtype=np.int64)
    return ids, tuple(name for _, name in table)


def run_active() -> SegmentationRun | None:
    return SegmentationRun.objects.filter(is_active=True).first()


def run_latest_trained() -> SegmentationRun | None:
    return (
        SegmentationRun.objects.filter(status=SegmentationRun.Status.TRAINED)
        .order_by("-created_at", "-id")
        .first()
    )
