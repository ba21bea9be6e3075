"""The fairness report in words and numbers: for pages, the CSV and the command line."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from candidates.models import DEMOGRAPHIC_CHOICES
from common.csv_cells import escape_formula
from segmentation.ml.fairness import (
    FLAG_BELOW,
    MIN_SHARE,
    CategoryReport,
    FairnessReport,
    cells_from_segments,
    fairness_report,
)
from segmentation.models import SegmentationRun
from segmentation.selectors.fairness import SegmentGroupCount, run_demographic_counts

CATEGORY_LABELS = {
    "sex": "Sex",
    "age_band": "Age band",
    "ethnicity": "Race/ethnicity",
    "sex_ethnicity": "Sex × race/ethnicity",
}
_VALUE_LABELS: dict[str, str] = {
    choice.value: str(choice.label)
    for choices in DEMOGRAPHIC_CHOICES.values()
    for choice in choices
}
FAIRNESS_CSV_COLUMNS = (
    "scope",
    "category",
    "group",
    "candidates",
    "selected",
    "selection_rate",
    "share_of_known",
    "impact_ratio",
    "below_0.8",
    "excluded_under_2pct",
)


@dataclass(frozen=True)
class ScopeFairness:
    """One selection (a segment, a campaign's audience) and its report."""

    label: str
    report: FairnessReport


def run_fairness(run: SegmentationRun) -> list[ScopeFairness]:
    """A report for each segment of the run: who of each group is in it."""
    rows = run_demographic_counts(run_id=run.pk)
    return [
        ScopeFairness(
            label=segment.name, report=fairness_report(cells_from_segments(rows, {segment.pk}))
        )
        for segment in run.segments.order_by("number")
    ]


def selection_fairness(
    *, label: str, rows: list[SegmentGroupCount], selected_segments: Collection[int]
) -> ScopeFairness:
    """The report for a selection of segments (a campaign's audience) of one run."""
    return ScopeFairness(
        label=label, report=fairness_report(cells_from_segments(rows, selected_segments))
    )


def group_label(group: tuple[str, ...]) -> str:
    return " × ".join(_VALUE_LABELS.get(value, value) for value in group)


def fairness_tables(scopes: list[ScopeFairness]) -> list[dict[str, Any]]:
    """Each scope's categories as rows for the page's tables."""
    return [
        {
            "label": scope.label,
            "pool": scope.report.pool,
            "selected": scope.report.selected,
            "flagged": scope.report.flagged,
            "categories": [_category_table(category) for category in scope.report.categories],
        }
        for scope in scopes
    ]


def _category_table(category: CategoryReport) -> dict[str, Any]:
    return {
        "label": CATEGORY_LABELS[category.category],
        "groups": [
            {
                "label": group_label(group.group),
                "pool": group.pool,
                "selected": group.selected,
                "rate": group.rate,
                "share": group.share,
                "impact_ratio": group.impact_ratio,
                "flagged": group.flagged,
                "excluded": group.excluded,
            }
            for group in category.groups
        ],
        "not_given_pool": category.not_given_pool,
        "not_given_selected": category.not_given_selected,
    }


def fairness_csv_rows(scopes: list[ScopeFairness]) -> Iterator[list[str]]:
    """The header, then a row per group and a "not given" row per category and scope."""
    yield list(FAIRNESS_CSV_COLUMNS)
    for scope in scopes:
        label = escape_formula(scope.label)  # a segment or campaign name people typed
        for category in scope.report.categories:
            name = category.category
            for group in category.groups:
                yield [
                    label,
                    name,
                    "|".join(group.group),
                    str(group.pool),
                    str(group.selected),
                    f"{group.rate:.4f}",
                    f"{group.share:.4f}",
                    "" if group.impact_ratio is None else f"{group.impact_ratio:.4f}",
                    "yes" if group.flagged else "no",
                    "yes" if group.excluded else "no",
                ]
            yield [
                label,
                name,
                "not_given",
                str(category.not_given_pool),
                str(category.not_given_selected),
                "",
                "",
                "",
                "",
                "",
            ]


def fairness_text_lines(scopes: list[ScopeFairness]) -> list[str]:
    """The report for a terminal: each scope, each category, a line per group."""
    lines = [
        f"Impact ratio = a group's selection rate / the highest group's; flagged below "
        f"{FLAG_BELOW}; groups under {MIN_SHARE:.0%} of those who gave the category are "
        "excluded from the ratios."
    ]
    for scope in scopes:
        report = scope.report
        lines.append("")
        lines.append(
            f"{scope.label}: {report.selected:,} of {report.pool:,} candidates selected; "
            f"{report.flagged} group(s) flagged"
        )
        for category in report.categories:
            lines.append(f"  {CATEGORY_LABELS[category.category]}:")
            for group in category.groups:
                ratio = (
                    "excluded (<2%)"
                    if group.excluded
                    else ("n/a" if group.impact_ratio is None else f"{group.impact_ratio:.2f}")
                )
                flag = "  FLAG" if group.flagged else ""
                lines.append(
                    f"    {group_label(group.group)}: {group.selected:,}/{group.pool:,} "
                    f"rate {group.rate:.1%}, impact ratio {ratio}{flag}"
                )
            lines.append(
                f"    Not given: {category.not_given_selected:,}/{category.not_given_pool:,}"
            )
    return lines
