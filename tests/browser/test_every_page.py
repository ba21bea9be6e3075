"""Every app page at a desktop's and a phone's width: no sideways scrolling, no console error,
and no axe-core violation; plus the skip link, the favicon, and the admin left as Django ships it.

The pages are listed in tests/browser/pages.py.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from campaigns.links import unsubscribe_token
from campaigns.models import Campaign
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.services.training import segmentation_train
from tests.assignments import members
from tests.browser.conftest import Screens, log_in, segmented_demo
from tests.browser.pages import APP_PAGES, PUBLIC_PAGES, WIDTHS, page_problems
from tests.factories import CampaignFactory, JobOpeningFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Layout, console errors and axe-core findings do not depend on the database, and the sweep is
# one of the suite's slowest tests (two widths of every page): make test and .ci/run run it in
# the SQLite pass only, so that both passes stay within CI's 30 minutes. The PostgreSQL pass
# still runs every page's own browser and view tests.
sweep_once = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the every-page sweep runs in the SQLite pass; layout does not depend on the database",
)


@pytest.fixture
def world(transactional_db, superuser) -> dict[str, int]:
    """An active segmentation, a newer run waiting, an opening and a campaign aimed at a segment."""
    from candidates.models import Skill

    run = segmented_demo(count=1_500, seed=7, clusters=4)
    pending = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 5}))
    segment = run.segments.order_by("number").first()
    opening = JobOpeningFactory(title="Senior Python engineer", min_years_experience=3)
    opening.required_skills.set(Skill.objects.filter(name__in=["Python", "Django", "SQL"]))
    campaign = CampaignFactory(
        name="Spring hiring",
        job_opening=opening,
        created_by=superuser,
        budget=12_500,
        status=Campaign.Status.ACTIVE,
    )
    campaign.target_segments.set([segment])
    candidate = members(segment).order_by("pk").first()
    return {
        "segment": segment.pk,
        "candidate": candidate.pk,
        "campaign": campaign.pk,
        "opening": opening.pk,
        "run": run.pk,
        "pending": pending.pk,
        "unsubscribe_token": unsubscribe_token(candidate_id=candidate.pk, campaign_id=campaign.pk),
    }


def _visit_all(page, pages: dict[str, str], world: dict[str, int], request) -> dict[str, list]:
    console: list[str] = []
    page.on("console", lambda message: message.type == "error" and console.append(message.text))
    problems: dict[str, list[str]] = {}
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            console.clear()
            response = page.goto(path.format(**world))
            page.wait_for_load_state("networkidle")
            found = [] if response.ok else [f"HTTP {response.status}"]
            found += page_problems(page)
            found += [f"console: {text}" for text in console]
            if found:
                problems[f"{name} ({path}) at {width} px"] = found
            slug = re.sub(r"\W+", "-", name)
            Screens(page, request.node.name).take(f"{width_name}-{slug}")
    return problems


@sweep_once
def test_every_app_page_fits_a_phone_and_a_desktop_and_passes_axe(page, world, request):
    log_in(page, "root", "pw-root-123!")
    problems = _visit_all(page, APP_PAGES, world, request)
    assert not problems, "\n".join(f"{where}: {found}" for where, found in problems.items())


@sweep_once
def test_every_public_page_fits_a_phone_and_a_desktop_and_passes_axe(page, world, request):
    problems = _visit_all(page, PUBLIC_PAGES, world, request)
    assert not problems, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_a_keyboard_user_skips_the_top_bar_to_the_content(page, superuser):
    log_in(page, "root", "pw-root-123!")
    page.goto("/candidates/")
    skip = page.locator("a.skip-link")
    assert not skip.is_visible() or skip.bounding_box()["y"] < 0  # out of sight until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert skip.bounding_box()["y"] >= 0  # shown once focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
    page.keyboard.press("Tab")
    # The next stop is inside the page's content, past the top bar's links.
    assert page.evaluate("!!document.activeElement.closest('main')")


def test_the_favicon_ships_with_the_app(page):
    page.goto("/accounts/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("image/")


def test_the_admin_keeps_djangos_own_look(page, superuser):
    log_in(page, "root", "pw-root-123!")
    page.goto("/admin/")
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert any(sheet.endswith("admin/css/base.css") for sheet in sheets)
    assert not any("adflux/app.css" in sheet for sheet in sheets)
