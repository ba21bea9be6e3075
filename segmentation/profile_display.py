"""Segment profiles as a recruiter reads them: table rows and chart data, from the stored JSON.

Profiles are stored once per run (segmentation.ml.explain); pages only reshape them, so a page
costs the same with ten candidates or a million.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from candidates.models import EducationLevel
from segmentation.models import Segment, SegmentationRun

EDUCATION_LABELS = dict(EducationLevel.choices)
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


def _median(profile: Mapping[str, Any], field: str) -> float | None:
    summary = profile.get(field) or {}
    return summary.get("median") if summary.get("known") else None


def _summary(profile: Mapping[str, Any], field: str, statistic: str) -> float | None:
    summary = profile.get(field) or {}
    return summary.get(statistic) if summary.get("known") else None


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
class SegmentRow:
    segment: Segment
    share: float
    years: str
    salary: str
    locations: str
    education: str
    skills: str


def segment_rows(segments: Iterable[Segment], total: int) -> list[SegmentRow]:
    """One table row per segment: size, share and the typical profile."""
    return [
        SegmentRow(
            segment=segment,
            share=segment.size / total if total else 0.0,
            years=format_number(_median(segment.profile, "years_experience"), "years"),
            salary=format_number(_median(segment.profile, "desired_salary"), "salary"),
            locations=_tops(segment.profile, "top_location", 3),
            education=_tops(segment.profile, "top_education_level", 1),
            skills=_tops(segment.profile, "top_skills", 3),
        )
        for segment in segments
    ]


@dataclass(frozen=True)
class ComparisonRow:
    feature: str
    segment_value: str
    pool_value: str


def profile_comparison(profile: Mapping[str, Any], pool: Mapping[str, Any]) -> list[ComparisonRow]:
    """The segment against the whole pool, feature by feature ("Python 68% vs 21%")."""
    rows = [
        ComparisonRow(
            feature=f"{label} ({statistic})",
            segment_value=format_number(_summary(profile, field, statistic), unit),
            pool_value=format_number(_summary(pool, field, statistic), unit),
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
        "segments": names,
        "sizes": [segment.size for segment in segments],
        "projection": points,
        "projection_method": projection.get("method", ""),
        "profile": {
            "labels": [*names, "All candidates"],
            "years": [_median(s.profile, "years_experience") for s in segments]
            + [_median(pool, "years_experience")],
            "salary_k": [
                None if (v := _median(s.profile, "desired_salary")) is None else round(v / 1000, 1)
                for s in segments
            ]
            + [None if (v := _median(pool, "desired_salary")) is None else round(v / 1000, 1)],
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
