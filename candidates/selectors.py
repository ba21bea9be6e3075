"""Reads of candidates and skills that need nothing of the apps above."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Value
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


# The location suggestions are read at most this often: a GROUP BY over every candidate takes
# 0.6 s at a million on a busy SQLite (bench figures in docs/benchmarks.md), too slow for each
# page view, and locations change slowly.
LOCATIONS_CACHE_SECONDS = 600
LOCATIONS_CACHE_KEY = "candidates:locations-by-count"


def locations_by_count(*, limit: int = 100) -> list[str]:
    """The ``limit`` commonest locations, commonest first, for the filter's suggestions."""
    found = cache.get_or_set(
        LOCATIONS_CACHE_KEY,
        lambda: list(
            Candidate.objects.exclude(location="")
            .values("location")
            .annotate(holders=Count("*"))
            .order_by("-holders", "location")
            .values_list("location", flat=True)[:limit]
        ),
        LOCATIONS_CACHE_SECONDS,
    )
    return found[:limit]
