"""The only place ORM rows become candidate feature columns (and segment id arrays)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import QuerySet

from candidates.models import Candidate, CandidateSkill, Skill
from segmentation.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, CandidateFeatures
from segmentation.models import Assignment
from segmentation.selectors.assignments import active_run_id

CHUNK_SIZE = 50_000
# Pair-table ids per aggregated read: ~6 MB of text per round trip.
PAIR_ID_SPAN = 500_000
# How each database concatenates a column's values into one text, for the whole-table read.
_TEXT_AGGREGATE = {"sqlite": "group_concat({}, ',')", "postgresql": "string_agg({}, ',')"}


def candidate_features_load(*, candidate_ids: Iterable[int] | None = None) -> CandidateFeatures:
    """Every candidate's profile columns (or only the given ones), ordered by id.

    Reads the candidate columns in chunks straight from the cursor and the skill pair table
    once: no model instances, no per-candidate query, no prefetch (which SQLite cannot do for a
    million ids). tests/segmentation/test_fast_paths.py holds this equal to the plain ORM read.
    """
    candidates = Candidate.objects.order_by("id")
    pairs = CandidateSkill.objects.all()
    if candidate_ids is not None:
        wanted = sorted(set(candidate_ids))
        if not wanted:  # an activation with nobody changed: no query at all
            return CandidateFeatures(
                ids=np.zeros(0, dtype=np.int64),
                numeric=np.zeros((0, len(NUMERIC_FEATURES)), dtype=np.float64),
                categorical={name: np.zeros(0, dtype=object) for name in CATEGORICAL_FEATURES},
                skill_rows=np.zeros(0, dtype=np.int64),
                skill_codes=np.zeros(0, dtype=np.int32),
                skill_names=(),
            )
        if len(wanted) <= FEW_CANDIDATES:
            return _few_candidates(wanted)
        candidates = candidates.filter(id__in=wanted)
        pairs = pairs.filter(candidate_id__in=wanted)
    ids, numeric, categorical = _profile_columns(candidates)
    if candidate_ids is None:
        skill_ids, skill_names = _skill_table()
        chunks = (
            _pairs_aggregated() if connection.vendor in _TEXT_AGGREGATE else _pairs_fetched(pairs)
        )
    else:
        # Some candidates (an import batch): their pairs with the skills' names, in one query.
        named = list(pairs.values_list("candidate_id", "skill_id", "skill__name"))
        flat, (skill_ids, skill_names) = _named_pairs(named)
        chunks = iter([flat])
    skill_rows, skill_codes = _pairs_placed(chunks, ids, skill_ids)
    return CandidateFeatures(
        ids=ids,
        numeric=numeric,
        categorical=categorical,
        skill_rows=skill_rows,
        skill_codes=skill_codes,
        skill_names=skill_names,
    )


def _pairs_placed(
    chunks: Iterator[np.ndarray], ids: np.ndarray, skill_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each (candidate id, skill id) pair as (row of the candidate, code of the skill).

    Chunk by chunk as the pairs arrive, so the raw pairs (16 bytes each) are never held all at
    once beside what they become (12 bytes each): at ten million candidates and 49M pairs that
    was a gigabyte of the training's peak (docs/benchmarks.md, "Ten million candidates").
    Pairs of candidates not in ``ids`` (added after their read) are dropped.
    """
    n = len(ids)
    code_of = np.full(int(skill_ids.max()) + 1 if len(skill_ids) else 1, -1, dtype=np.int32)
    code_of[skill_ids] = np.arange(len(skill_ids), dtype=np.int32)
    rows: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for flat in chunks:
        row_of = np.searchsorted(ids, flat[:, 0])
        known = (
            (row_of < n) & (ids[np.minimum(row_of, max(n - 1, 0))] == flat[:, 0])
            if n
            else np.zeros(len(flat), dtype=bool)
        )
        rows.append(row_of[known])
        codes.append(code_of[flat[known, 1]])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    return np.concatenate(rows), np.concatenate(codes)


# Up to this many candidates (a save, a small batch) the read is two hand-written queries:
# building them through the ORM cost more than running them (docs/benchmarks.md, on save).
FEW_CANDIDATES = 32


def _named_pairs(
    named: list[tuple[int, int, str]],
) -> tuple[np.ndarray, tuple[np.ndarray, tuple[str, ...]]]:
    """(candidate, skill, name) rows -> the (n, 2) pairs and the skill table, ordered by id."""
    flat = np.array([(c, s) for c, s, _ in named], dtype=np.int64).reshape(-1, 2)
    names = dict(sorted({s: name for _, s, name in named}.items()))
    return flat, (np.array(list(names), dtype=np.int64), tuple(names.values()))


def _few_candidates(wanted: list[int]) -> CandidateFeatures:
    """``candidate_features_load`` for a few ids: the same result from two plain queries."""
    quote = connection.ops.quote_name
    meta, pair_meta, skill_meta = Candidate._meta, CandidateSkill._meta, Skill._meta
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("id", *NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
    )
    marks = ", ".join(["%s"] * len(wanted))
    pair_candidate = quote(pair_meta.get_field("candidate").column)
    pair_skill = quote(pair_meta.get_field("skill").column)
    skill_name = quote(skill_meta.get_field("name").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} "
            f"IN ({marks}) ORDER BY {quote(meta.pk.column)}",
            wanted,
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT p.{pair_candidate}, p.{pair_skill}, s.{skill_name} "
            f"FROM {quote(pair_meta.db_table)} p JOIN {quote(skill_meta.db_table)} s "
            f"ON s.{quote(skill_meta.pk.column)} = p.{pair_skill} "
            f"WHERE p.{pair_candidate} IN ({marks})",
            wanted,
        )
        named = cursor.fetchall()
    n_numeric = len(NUMERIC_FEATURES)
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    numeric = np.array(
        [[np.nan if v is None else v for v in row[1 : 1 + n_numeric]] for row in rows],
        dtype=np.float64,
    ).reshape(len(rows), n_numeric)
    categorical = {}
    for j, name in enumerate(CATEGORICAL_FEATURES):
        values = np.empty(len(rows), dtype=object)
        values[:] = [
            "" if row[1 + n_numeric + j] is None else row[1 + n_numeric + j] for row in rows
        ]
        categorical[name] = values
    flat, (skill_ids, skill_names) = _named_pairs(named)
    row_of = {candidate_id: row for row, candidate_id in enumerate(ids.tolist())}
    code_of = {skill_id: code for code, skill_id in enumerate(skill_ids.tolist())}
    pairs = [(row_of[c], code_of[s]) for c, s in flat.tolist() if c in row_of]
    return CandidateFeatures(
        ids=ids,
        numeric=numeric,
        categorical=categorical,
        skill_rows=np.array([row for row, _ in pairs], dtype=np.int64),
        skill_codes=np.array([code for _, code in pairs], dtype=np.int32),
        skill_names=skill_names,
    )


def _profile_columns(
    candidates: QuerySet[Candidate],
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Ids, numbers (None as NaN) and categories, read chunk by chunk from the cursor.

    Categories are coded per chunk, so each distinct text is held once rather than once per
    candidate (3M strings at a million candidates).
    """
    sql, params = candidates.values_list(
        "id", *NUMERIC_FEATURES, *CATEGORICAL_FEATURES
    ).query.sql_with_params()
    n_numeric = len(NUMERIC_FEATURES)
    id_chunks: list[np.ndarray] = []
    numeric_chunks: list[np.ndarray] = []
    code_chunks: dict[str, list[np.ndarray]] = {name: [] for name in CATEGORICAL_FEATURES}
    positions: dict[str, dict[str, int]] = {name: {} for name in CATEGORICAL_FEATURES}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            block = np.array(rows, dtype=object)
            id_chunks.append(block[:, 0].astype(np.int64))
            numbers = block[:, 1 : 1 + n_numeric]
            numbers[np.equal(numbers, None)] = np.nan  # a blank number stays blank until imputed
            numeric_chunks.append(numbers.astype(np.float64))
            for j, name in enumerate(CATEGORICAL_FEATURES):
                codes, uniques = pd.factorize(block[:, 1 + n_numeric + j])
                seen = positions[name]
                # A NULL (code -1) reads as blank, like an empty text: the last entry is "".
                global_codes = np.array(
                    [seen.setdefault(value, len(seen)) for value in [*uniques.tolist(), ""]],
                    dtype=np.int32,
                )
                code_chunks[name].append(global_codes[codes])
    ids = np.concatenate(id_chunks) if id_chunks else np.zeros(0, dtype=np.int64)
    numeric = (
        np.concatenate(numeric_chunks)
        if numeric_chunks
        else np.zeros((0, n_numeric), dtype=np.float64)
    )
    categorical: dict[str, np.ndarray] = {}
    for name in CATEGORICAL_FEATURES:
        values = np.array(list(positions[name]) or [""], dtype=object)
        codes = np.concatenate(code_chunks[name]) if code_chunks[name] else np.zeros(0, np.int32)
        categorical[name] = values[codes]
    return ids, numeric, categorical


def _pairs_aggregated() -> Iterator[np.ndarray]:
    """Every (candidate_id, skill_id) pair, in (k, 2) arrays, from a few aggregate queries.

    The database joins a span of pairs into one text and NumPy parses it in C: a quarter of the
    time SQLite needs to hand the same pairs over as Python tuples, and on par on PostgreSQL.
    """
    table = connection.ops.quote_name(CandidateSkill._meta.db_table)
    pk = connection.ops.quote_name(CandidateSkill._meta.pk.column)
    candidate = connection.ops.quote_name(CandidateSkill._meta.get_field("candidate").column)
    skill = connection.ops.quote_name(CandidateSkill._meta.get_field("skill").column)
    aggregate = _TEXT_AGGREGATE[connection.vendor].format(f"{candidate} || ',' || {skill}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN({pk}), MAX({pk}) FROM {table}")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, PAIR_ID_SPAN):
            cursor.execute(
                f"SELECT {aggregate} FROM {table} WHERE {pk} >= %s AND {pk} < %s",
                [start, start + PAIR_ID_SPAN],
            )
            text = cursor.fetchone()[0]
            if text:
                yield np.fromstring(text, dtype=np.int64, sep=",").reshape(-1, 2)


def _pairs_fetched(pairs: QuerySet[CandidateSkill]) -> Iterator[np.ndarray]:
    """The queryset's (candidate_id, skill_id) pairs, fetched from the cursor in chunks."""
    sql, params = pairs.values_list("candidate_id", "skill_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE * 4):
            yield np.array(rows, dtype=np.int64).reshape(-1, 2)


def _skill_table() -> tuple[np.ndarray, tuple[str, ...]]:
    table = list(Skill.objects.order_by("id").values_list("id", "name"))
    ids = np.array([skill_id for skill_id, _ in table], dtype=np.int64)
    return ids, tuple(name for _, name in table)


def candidate_segment_ids_load() -> tuple[np.ndarray, np.ndarray]:
    """The active run's rows as two arrays, candidate ids (ascending) and their segment ids.

    Straight from the cursor in chunks: the migration summary needs it for every candidate, and
    model instances would cost seconds and memory at a million. A candidate without a row (none
    active yet, or created a moment ago) is simply absent.
    """
    sql, params = (
        Assignment.objects.filter(run_id=active_run_id())
        .order_by("candidate_id")
        .values_list("candidate_id", "segment_id")
        .query.sql_with_params()
    )
    chunks: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE * 4):
            chunks.append(np.array(rows, dtype=np.int64).reshape(-1, 2))
    both = np.concatenate(chunks) if chunks else np.zeros((0, 2), dtype=np.int64)
    return np.ascontiguousarray(both[:, 0]), np.ascontiguousarray(both[:, 1])
