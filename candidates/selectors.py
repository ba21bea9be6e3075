"""Reads of candidates and skills that need nothing of the apps above."""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Lower

from candidates.models import Candidate, Skill


def candidates_exist() -> bool:
    return Candidate.objects.exists()


def skill_get_by_name(*, name: str) -> Skill | None:
    """The skill of that name whatever its case (skill names are unique case-insensitively)."""
    # Compared as the unique index on LOWER(name) stores it: the same rule, and that index.
    return (
        Skill.objects.alias(name_lower=Lower("name"))
        .filter(name_lower=Lower(Value(name.strip())))
        .first()
    )
