"""Selection rates and impact ratios by group: the arithmetic of the fairness report.

Pure (no Django): counts in, rates out, so every rule is tested on hand-computed examples
(tests/ml/test_fairness.py). The method follows the bias-audit rules of NYC Local Law 144
(6 RCNY §5-300, 5-301), applied to who lands in a segment or a campaign's audience:

- a group's **selection rate** is the share of the group's candidates that were selected;
- its **impact ratio** is its rate divided by the highest rate among the groups compared;
- a ratio under 0.8 is **flagged** (the "four-fifths" rule of thumb of the US EEOC's Uniform
  Guidelines, 29 CFR 1607.4(D));
- a group under 2 % of the candidates whose category is known may be **excluded** from the
  impact ratios (§5-301(d)); it is still listed with its count and rate;
- candidates who did not give the category are counted apart, never in a group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

NOT_GIVEN = "not_given"
FLAG_BELOW = 0.8
MIN_SHARE = 0.02
# The categories reported, each a tuple of the attributes that make its groups: sex and
# ethnicity together are the intersectional groups LL144 asks for.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": ("sex",),
    "age_band": ("age_band",),
    "ethnicity": ("ethnicity",),
    "sex_ethnicity": ("sex", "ethnicity"),
}
ATTRIBUTES = ("sex", "age_band", "ethnicity")


@dataclass(frozen=True)
class Cell:
    """Candidates sharing one (sex, age band, ethnicity): how many, and how many selected."""

    sex: str
    age_band: str
    ethnicity: str
    pool: int
    selected: int


@dataclass(frozen=True)
class GroupRate:
    group: tuple[str, ...]
    pool: int
    selected: int
    rate: float
    share: float  # of the candidates whose category is known
    excluded: bool  # under the minimum share: no impact ratio
    impact_ratio: float | None
    flagged: bool


@dataclass(frozen=True)
class CategoryReport:
    category: str
    groups: list[GroupRate]
    not_given_pool: int
    not_given_selected: int

    @property
    def flagged(self) -> list[GroupRate]:
        return [group for group in self.groups if group.flagged]


@dataclass(frozen=True)
class FairnessReport:
    pool: int
    selected: int
    categories: list[CategoryReport]

    @property
    def flagged(self) -> int:
        return sum(len(category.flagged) for category in self.categories)


def fairness_report(
    cells: Iterable[Cell], *, flag_below: float = FLAG_BELOW, min_share: float = MIN_SHARE
) -> FairnessReport:
    """Every category's groups with their rates and impact ratios."""
    cells = list(cells)
    categories = [
        _category_report(name, attributes, cells, flag_below=flag_below, min_share=min_share)
        for name, attributes in CATEGORIES.items()
    ]
    return FairnessReport(
        pool=sum(cell.pool for cell in cells),
        selected=sum(cell.selected for cell in cells),
        categories=categories,
    )


def cells_from_segments(
    rows: Iterable[tuple[int, str, str, str, int]], selected_segments: Collection[int]
) -> list[Cell]:
    """Cells from (segment id, sex, age band, ethnicity, count) rows; selected = in those
    segments. A missing value (no demographics row) is "not given"."""
    pool: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    selected: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for segment_id, sex, age_band, ethnicity, count in rows:
        key = (sex or NOT_GIVEN, age_band or NOT_GIVEN, ethnicity or NOT_GIVEN)
        pool[key] += count
        if segment_id in selected_segments:
            selected[key] += count
    return [Cell(*key, pool=pool[key], selected=selected[key]) for key in sorted(pool)]


def _category_report(
    name: str,
    attributes: tuple[str, ...],
    cells: list[Cell],
    *,
    flag_below: float,
    min_share: float,
) -> CategoryReport:
    pool: defaultdict[tuple[str, ...], int] = defaultdict(int)
    selected: defaultdict[tuple[str, ...], int] = defaultdict(int)
    not_given_pool = not_given_selected = 0
    for cell in cells:
        group = tuple(getattr(cell, attribute) for attribute in attributes)
        if NOT_GIVEN in group:
            not_given_pool += cell.pool
            not_given_selected += cell.selected
        else:
            pool[group] += cell.pool
            selected[group] += cell.selected
    known = sum(pool.values())
    rates = {group: selected[group] / count for group, count in pool.items() if count}
    shares = {group: pool[group] / known for group in rates}
    compared = [rate for group, rate in rates.items() if shares[group] >= min_share]
    highest = max(compared, default=0.0)
    groups = []
    for group in sorted(rates, key=lambda g: (-pool[g], g)):
        excluded = shares[group] < min_share
        ratio = None if excluded or highest == 0 else rates[group] / highest
        groups.append(
            GroupRate(
                group=group,
                pool=pool[group],
                selected=selected[group],
                rate=rates[group],
                share=shares[group],
                excluded=excluded,
                impact_ratio=ratio,
                flagged=ratio is not None and ratio < flag_below,
            )
        )
    return CategoryReport(
        category=name,
        groups=groups,
        not_given_pool=not_given_pool,
        not_given_selected=not_given_selected,
    )
