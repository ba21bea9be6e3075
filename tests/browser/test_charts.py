"""The segment charts say what they show: axis titles, units and currency, two by two."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, segmented_demo

pytestmark = pytest.mark.django_db(transaction=True)
CHARTS = ("chart-sizes", "chart-projection", "chart-years", "chart-salary")


@pytest.fixture
def segmented(transactional_db):
    return segmented_demo(count=1_200, seed=3, clusters=4)


def _axis(page, chart: str, axis: str, what: str):
    return page.evaluate(f"document.getElementById('{chart}').chart.scales.{axis}.{what}")


def test_every_chart_names_its_axes_with_units_and_the_sites_currency(
    page, screens, segmented, superuser, settings
):
    settings.ADFLUX_CURRENCY = "EUR"
    log_in(page, "root", "pw-root-123!")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/segments/")
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-drawn=true]")
    titles = {
        chart: (
            _axis(page, chart, "x", "options.title.text"),
            _axis(page, chart, "y", "options.title.text"),
        )
        for chart in CHARTS
    }
    assert titles["chart-sizes"] == ("Candidates", "Segment")
    assert titles["chart-years"] == ("Median years of experience", "Segment")
    assert titles["chart-salary"] == ("Median desired salary a year (EUR)", "Segment")
    assert all(x and y for x, y in titles.values())
    # Salary ticks are amounts in the currency ("€100K"), not bare thousands ("0–140").
    ticks = page.evaluate(
        "document.getElementById('chart-salary').chart.scales.x.ticks.map(t => t.label)"
    )
    assert ticks and all(label.startswith("€") for label in ticks if label != "€0"), ticks
    # The segment names read along the side, not slanted under the bars.
    assert _axis(page, "chart-sizes", "y", "labelRotation") == 0

    # Two by two: two columns and two rows of charts.
    boxes = [page.locator(f"#{chart}").bounding_box() for chart in CHARTS]
    assert len({round(box["x"]) for box in boxes}) == 2
    assert len({round(box["y"]) for box in boxes}) == 2
    screens.take("charts")

    page.goto(f"/segments/{segmented.segments.order_by('number').first().pk}/")
    page.wait_for_selector("#chart-skills[data-drawn=true]")
    assert _axis(page, "chart-skills", "x", "options.title.text") == (
        "Share of candidates with the skill"
    )
    ticks = page.evaluate(
        "document.getElementById('chart-skills').chart.scales.x.ticks.map(t => t.label)"
    )
    assert ticks[-1] == "100 %"


def test_on_a_phone_the_charts_stack(page, segmented, superuser):
    log_in(page, "root", "pw-root-123!")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/segments/")
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-drawn=true]")
    boxes = [page.locator(f"#{chart}").bounding_box() for chart in CHARTS]
    assert len({round(box["x"]) for box in boxes}) == 1
    assert all(box["x"] + box["width"] <= 390 for box in boxes)
