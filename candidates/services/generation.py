"""Writing synthetic candidates to the database, a million in seconds.

The ORM would build a model instance per row; here numpy columns go straight into multi-row
INSERTs sent with ``executemany``, in one transaction, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from tqdm import tqdm

from candidates.models import PROFILE_FIELDS, Candidate, CandidateSkill
from candidates.services.bulk_sql import rows_insert
from candidates.services.skills import candidate_skills_insert, skills_get_or_create
from candidates.skill_names import skill_key
from candidates.synthetic import SyntheticProfiles, synthetic_profiles

_CANDIDATE_COLUMNS = ("created_at", "updated_at", *PROFILE_FIELDS)


class CandidateGenerationError(Exception):
    """Generation was refused (a bad count, or candidates from this seed already exist)."""


def candidates_generate(
    *,
    count: int,
    seed: int,
    clear: bool = False,
    progress: bool = False,
    now: datetime | None = None,
) -> int:
    """Create ``count`` synthetic candidates drawn with ``seed``; the number created.

    Deterministic: the same seed gives the same candidates, with external ids ``gen-{seed}-{i}``
    and emails ``cand{seed}-{i}@example.org``, so sets from different seeds live side by side.
    ``clear`` first deletes every candidate. All or nothing: one transaction.
    """
    if count < 0:
        raise CandidateGenerationError("The count must not be negative.")
    if seed < 0:
        raise CandidateGenerationError("The seed must not be negative.")
    profiles = synthetic_profiles(count, seed)
    now = now or timezone.now()
    with transaction.atomic():
        if clear:
            _delete_all_candidates()
        prefix = f"gen-{seed}-"
        if Candidate.objects.filter(external_id__startswith=prefix).exists():
            raise CandidateGenerationError(
                f"Candidates generated with seed {seed} already exist; "
                "use another seed, or --clear to replace all candidates."
            )
        skill_ids = skills_get_or_create(names=profiles.skill_names)
        code_to_skill_id = np.array(
            [skill_ids[skill_key(name)] for name in profiles.skill_names], dtype=np.int64
        )
        total = count + len(profiles.skill_rows)
        with tqdm(
            total=total,
            unit=" rows",
            desc="Generating",
            file=sys.stderr,
            disable=None if progress else True,
        ) as bar:
            try:
                _insert_candidates(profiles, now, bar)
            except IntegrityError as exc:
                raise CandidateGenerationError(
                    f"Some generated candidates clash with stored ones ({exc}); "
                    "use another seed, or --clear."
                ) from exc
            candidate_ids = _generated_ids(prefix, count)
            candidate_skills_insert(
                pairs=zip(
                    candidate_ids[profiles.skill_rows].tolist(),
                    code_to_skill_id[profiles.skill_codes].tolist(),
                    strict=True,
                ),
                on_progress=bar.update,
            )
    return count


def _delete_all_candidates() -> None:
    """Delete every candidate and their skill pairs in two statements.

    ``QuerySet.delete()`` would load every candidate into Python to run the cascade. Raw deletes
    are only right while the pair table is the one table pointing here, hence the check.
    """
    pointing = {relation.related_model for relation in Candidate._meta.related_objects}
    if pointing - {CandidateSkill}:
        Candidate.objects.all().delete()
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(CandidateSkill)}")
        cursor.execute(f"DELETE FROM {_table(Candidate)}")


def _insert_candidates(profiles: SyntheticProfiles, now: datetime, bar: tqdm) -> None:
    stamp = connection.ops.adapt_datetimefield_value(now)
    count = len(profiles)
    rows = zip(
        _repeat(stamp, count),
        _repeat(stamp, count),
        profiles.external_ids(),
        profiles.name.tolist(),
        profiles.emails(),
        profiles.location.tolist(),
        profiles.education_level.tolist(),
        _nullable(profiles.years_experience, whole=False),
        _nullable(profiles.desired_salary, whole=True),
        profiles.primary_skill.tolist(),
        strict=True,
    )
    rows_insert(model=Candidate, fields=_CANDIDATE_COLUMNS, rows=rows, on_progress=bar.update)


def _generated_ids(prefix: str, count: int) -> np.ndarray:
    """Candidate id per generated row, read back by external id: portable, unlike RETURNING."""
    ids = np.zeros(count, dtype=np.int64)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {_column(Candidate, 'external_id')} FROM {_table(Candidate)} "
            f"WHERE {_column(Candidate, 'external_id')} LIKE %s",
            [prefix + "%"],
        )
        start = len(prefix)
        for pk, external_id in cursor.fetchall():
            ids[int(external_id[start:])] = pk
    return ids


def _nullable(values: np.ndarray, *, whole: bool) -> list[object]:
    """NaN -> None; whole numbers as Python ints (a BIGINT column wants no float)."""
    blank = np.isnan(values)
    cells = (np.where(blank, 0, values).astype(np.int64) if whole else values).astype(object)
    cells[blank] = None
    return cells.tolist()


def _repeat(value: object, count: int) -> Sequence[object]:
    return [value] * count


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model: type[Model], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)
