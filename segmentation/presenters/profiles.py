"""Segment profiles as a recruiter reads them: table rows and chart data, from the stored JSON.

Profiles are stored once per run (segmentation.ml.profiles); pages only reshape them, so a page
costs the same with ten candidates or a million.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.html import json_script
from django.utils.safestring import SafeString

from candidates.models import EDUCATION_LABELS
from common.cache_keys import hashed_key
from common.numbers import number_text
from segmentation.ml.profile_format import profile_statistic
from segmentation.models import Segment, SegmentationRun

TOP_FIELDS: tuple[tuple[str, str], ...] = (
    ("top_location", "Location"),
    ("top_education_level", "Education"),
    ("top_primary_skill", "Primary skill"),
    ("top_skills", "Skills"),
)
NUMERIC_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("years_experience", "Years of experience", "years"),
    ("desired_salary", "Desired salary", "salary"),
)


def _label(field: str, value: str) -> str:
    return EDUCATION_LABELS.get(value, value) if field == "top_education_level" else value


def format_number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "salary":
        return f"{value / 1000:,.0f}k" if value >= 1000 else f"{value:,.0f}"
    return f"{value:,.1f}"


def _tops(profile: Mapping[str, Any], field: str, n: int) -> str:
    entries = profile.get(field) or []
    return ", ".join(f"{_label(field, entry[0])} {entry[2]:.0%}" for entry in entries[:n]) or "—"


@dataclass(frozen=True)
class SegmentQuality:
    """How far a segment can be trusted (docs/quality.md), as its stored profile says."""

    stability: str  # "0.92": the mean share of its members kept together across refits
    stable: bool
    # Its share of blank salaries against the pool's: far apart, blanks shaped the segment.
    blank_salary: str  # "12% (all 30%)"
    mixed: bool  # nothing a recruiter could target sets it apart


def segment_quality_shown(profile: Mapping[str, Any]) -> SegmentQuality | None:
    """A segment's quality in words, or None for a run trained before it was measured."""
    quality = profile.get("quality")
    if not quality:
        return None
    return SegmentQuality(
        stability=f"{quality['stability']:.2f}",
        stable=quality["stable"],
        blank_salary=(
            f"{quality['blank_salary_share']:.0%} (all {quality['pool_blank_salary_share']:.0%})"
        ),
        mixed=quality["mixed"],
    )


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    share: float
    years: str
    salary: str
    locations: str
    education: str
    skills: str
    quality: SegmentQuality | None


def segment_rows(segments: Iterable[Segment], total: int) -> list[SegmentRow]:
    """One table row per segment: size, share and the typical profile."""
    return [
        SegmentRow(
            segment=segment,
            share=segment.size / total if total else 0.0,
            years=format_number(profile_statistic(segment.profile, "years_experience"), "years"),
            salary=format_number(profile_statistic(segment.profile, "desired_salary"), "salary"),
            locations=_tops(segment.profile, "top_location", 3),
            education=_tops(segment.profile, "top_education_level", 1),
            skills=_tops(segment.profile, "top_skills", 3),
            quality=segment_quality_shown(segment.profile),
        )
        for segment in segments
    ]


@dataclass(frozen=True)
class ComparisonRow:
    feature: str
    segment_value: str
    pool_value: str


def _currency_note(unit: str) -> str:
    """Salaries are in the site's currency: "Desired salary (median, USD)"."""
    return f", {settings.ADFLUX_CURRENCY}" if unit == "salary" else ""


def profile_comparison(profile: Mapping[str, Any], pool: Mapping[str, Any]) -> list[ComparisonRow]:
    """The segment against the whole pool, feature by feature ("Python 68% vs 21%")."""
    rows = [
        ComparisonRow(
            feature=f"{label} ({statistic}{_currency_note(unit)})",
            segment_value=format_number(profile_statistic(profile, field, statistic), unit),
            pool_value=format_number(profile_statistic(pool, field, statistic), unit),
        )
        for field, label, unit in NUMERIC_FIELDS
        # The mean as well: a few high earners move it where the median hides them.
        for statistic in ("median", "mean")
    ]
    for field, label in TOP_FIELDS:
        for entry in profile.get(field) or []:
            pool_share = f"{entry[3]:.0%}" if len(entry) > 3 else "—"
            rows.append(
                ComparisonRow(
                    feature=f"{label}: {_label(field, entry[0])}",
                    segment_value=f"{entry[2]:.0%}",
                    pool_value=pool_share,
                )
            )
    return rows


CHART_LABEL_LENGTH = 24


def _chart_label(name: str) -> str:
    return name if len(name) <= CHART_LABEL_LENGTH else name[: CHART_LABEL_LENGTH - 1] + "…"


def _thousands(profile: Mapping[str, Any], field: str) -> float | None:
    value = profile_statistic(profile, field)
    return None if value is None else round(value / 1000, 1)


# The charts' data changes only with the run or a segment's name or size, all in the key.
OVERVIEW_CHARTS_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class OverviewCharts:
    script: SafeString  # the ``json_script`` tag the page's charts read
    projected: int  # how many candidates the plane shows


def overview_charts_cached(run: SegmentationRun, segments: list[Segment]) -> OverviewCharts:
    """The segmentation page's chart data, built once per run and segment names per process.

    Building it reads the run's two large JSON columns (a projected sample of candidates, the
    pool's profile) that nothing else on the page needs, reshapes them and encodes some 100 KB
    of JSON: about a sixth of the page's server time, and the same answer until the run is saved
    again or a segment renamed. The key holds each of those (the run's last save, each segment's
    id, name and size), so a change is never served stale.
    """
    key = hashed_key(
        "segmentation:overview-charts",
        (
            run.pk,
            run.updated_at.isoformat() if run.updated_at else None,
            settings.ADFLUX_CURRENCY,
            [(segment.pk, segment.name, segment.size) for segment in segments],
        ),
    )

    def built() -> OverviewCharts:
        charts = overview_charts(run, segments)
        projected = sum(len(points) for points in charts["projection"])
        return OverviewCharts(json_script(charts, "segment-chart-data"), projected)

    return cache.get_or_set(key, built, OVERVIEW_CHARTS_CACHE_SECONDS)


def overview_charts(run: SegmentationRun, segments: list[Segment]) -> dict[str, Any]:
    """Data for the segmentation page's charts, passed to the page with ``json_script``."""
    # Automatic names run long; an axis label that long leaves no room for the bars.
    names = [_chart_label(segment.name) for segment in segments]
    by_number = {segment.number: index for index, segment in enumerate(segments)}
    projection = run.projection or {}
    points: list[list[dict[str, float]]] = [[] for _ in segments]
    for x, y, number in zip(
        projection.get("x", []),
        projection.get("y", []),
        projection.get("segment", []),
        strict=False,
    ):
        if number in by_number:
            points[by_number[number]].append({"x": x, "y": y})
    pool = run.pool_profile or {}
    return {
        "currency": settings.ADFLUX_CURRENCY,
        "segments": names,
        "sizes": [segment.size for segment in segments],
        "projection": points,
        "projection_method": projection.get("method", ""),
        "profile": {
            "labels": [*names, "All candidates"],
            "years": [profile_statistic(s.profile, "years_experience") for s in segments]
            + [profile_statistic(pool, "years_experience")],
            "salary_k": [_thousands(s.profile, "desired_salary") for s in segments]
            + [_thousands(pool, "desired_salary")],
        },
    }


def segment_chart(segment: Segment, pool: Mapping[str, Any]) -> dict[str, Any]:
    """Top skills of a segment against their share of the whole pool, for a bar chart."""
    skills = segment.profile.get("top_skills") or []
    return {
        "labels": [entry[0] for entry in skills],
        "segment": [round(entry[2] * 100, 1) for entry in skills],
        "pool": [round(entry[3] * 100, 1) if len(entry) > 3 else None for entry in skills],
        "segment_name": segment.name,
    }


def _number(value: Any) -> str:
    return number_text(value) if isinstance(value, int | float) else str(value)


def _percent(share: Any) -> str:
    return f"{share:.0%}" if isinstance(share, int | float) else str(share)


def profile_value_text(value: Any, labels: Mapping[str, str] | None = None) -> str:
    """One profile entry as plain text; the caller escapes it."""
    if isinstance(value, Mapping) and {"mean", "median"} <= value.keys():
        if not value.get("known"):
            return "unknown"
        median, mean = _number(value["median"]), _number(value["mean"])
        return f"median {median}, mean {mean} ({_number(value['known'])} known)"
    if isinstance(value, list) and all(isinstance(item, list | tuple) for item in value):
        # Tops come as [value, count, share of the segment].
        return (
            ", ".join(
                f"{(labels or {}).get(item[0], item[0])} ({_percent(item[2])})"
                if len(item) >= 3
                else " ".join(map(str, item))
                for item in value
            )
            or "—"
        )
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _profile_label(key: str) -> str:
    if key.startswith("top_"):
        key = f"most common {key.removeprefix('top_')}"
    return key.replace("_", " ").capitalize()


def profile_entries(profile: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A stored profile as (label, text) pairs, every value in words and numbers."""
    rows: list[tuple[str, str]] = []
    for key, value in profile.items():
        if key == "share":
            continue
        labels = EDUCATION_LABELS if key == "top_education_level" else None
        text = profile_value_text(value, labels)
        if key == "size" and "share" in profile:
            text = f"{value:,} ({_percent(profile['share'])} of candidates)"
        rows.append((_profile_label(key), text))
    return rows
