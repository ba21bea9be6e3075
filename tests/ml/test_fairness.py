"""Selection rates, impact ratios, the 2 % exclusion and "not given", computed by hand."""

from __future__ import annotations

import pytest

from segmentation.ml.fairness import Cell, cells_from_segments, fairness_report

N = "not_given"
CELLS = [
    Cell("female", "25_34", "white", pool=30, selected=9),
    Cell("female", "35_44", "black", pool=10, selected=1),
    Cell("male", "25_34", "white", pool=30, selected=12),
    Cell("male", "35_44", "black", pool=20, selected=8),
    Cell("other", N, "white", pool=1, selected=1),
    Cell(N, "25_34", N, pool=9, selected=3),
]


def _by_group(report, category):
    [found] = [c for c in report.categories if c.category == category]
    return found, {group.group: group for group in found.groups}


def test_sex_rates_ratios_flags_the_small_group_and_not_given():
    report = fairness_report(CELLS)
    assert (report.pool, report.selected) == (100, 34)
    sex, groups = _by_group(report, "sex")
    # female 10/40 = 0.25, male 20/50 = 0.4 (the highest), other 1/1 but 1 of 91 known (1.1 %).
    assert groups[("female",)].rate == pytest.approx(0.25)
    assert groups[("female",)].impact_ratio == pytest.approx(0.625)
    assert groups[("female",)].flagged
    assert groups[("male",)].impact_ratio == pytest.approx(1.0)
    other = groups[("other",)]
    assert other.excluded and other.impact_ratio is None and not other.flagged
    assert other.share == pytest.approx(1 / 91)
    assert (sex.not_given_pool, sex.not_given_selected) == (9, 3)
    assert [g.group for g in sex.flagged] == [("female",)]


def test_age_band_and_ethnicity_above_four_fifths_are_not_flagged():
    report = fairness_report(CELLS)
    age, groups = _by_group(report, "age_band")
    # 25-34: 24 of 69; 35-44: 9 of 30; ratio 0.3 / (24/69) = 0.8625.
    assert groups[("35_44",)].impact_ratio == pytest.approx(0.3 / (24 / 69))
    assert not age.flagged
    assert age.not_given_pool == 1
    ethnicity, groups = _by_group(report, "ethnicity")
    # white: 22 of 61; black: 9 of 30; ratio 0.3 / (22/61) = 0.8318.
    assert groups[("black",)].impact_ratio == pytest.approx(0.3 / (22 / 61))
    assert not ethnicity.flagged
    assert ethnicity.not_given_pool == 9


def test_intersectional_groups_sex_by_ethnicity():
    report = fairness_report(CELLS)
    both, groups = _by_group(report, "sex_ethnicity")
    assert groups[("female", "white")].impact_ratio == pytest.approx(0.75)  # 0.3 / 0.4
    assert groups[("female", "black")].impact_ratio == pytest.approx(0.25)  # 0.1 / 0.4
    assert groups[("male", "black")].impact_ratio == pytest.approx(1.0)
    assert groups[("other", "white")].excluded
    assert {g.group for g in both.flagged} == {("female", "white"), ("female", "black")}
    assert both.not_given_pool == 9
    assert report.flagged == 3  # female; female x white; female x black


def test_nobody_selected_gives_no_ratio_and_no_flag():
    report = fairness_report([Cell("female", N, N, 5, 0), Cell("male", N, N, 5, 0)])
    sex, groups = _by_group(report, "sex")
    assert groups[("female",)].rate == 0 and groups[("female",)].impact_ratio is None
    assert not sex.flagged


def test_cells_from_segment_counts_select_by_segment_and_read_missing_as_not_given():
    rows = [
        (1, "female", "25_34", "white", 4),
        (2, "female", "25_34", "white", 6),
        (2, None, None, None, 5),
        (3, "male", N, "asian", 2),
    ]
    cells = cells_from_segments(rows, selected_segments={2, 3})
    assert cells == [
        Cell("female", "25_34", "white", pool=10, selected=6),
        Cell("male", N, "asian", pool=2, selected=2),
        Cell(N, N, N, pool=5, selected=5),
    ]
