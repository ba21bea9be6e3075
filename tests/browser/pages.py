"""Every app page the layout and accessibility tests visit, and how a page is checked.

Add a page to ``APP_PAGES`` (or ``PUBLIC_PAGES``) when it ships: the tests in
test_every_page.py then check it at every width in ``WIDTHS``. A ``{name}`` in a path is filled
from the ids of the demo world those tests build (``segment``, ``candidate``, ``campaign``,
``opening``, ``run``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Pages a signed-in user reaches; checked as a superuser, who sees every form and button.
APP_PAGES: dict[str, str] = {
    "segments": "/segments/",
    "segment": "/segments/{segment}/",
    "candidates": "/candidates/",
    "candidates, filtered": "/candidates/?location=Berlin&min_years=2",
    "candidates, bad filters": "/candidates/?min_years=x&max_years=-1&skill=Nonesuch",
    "candidate": "/candidates/{candidate}/",
    "campaigns": "/campaigns/",
    "campaign": "/campaigns/{campaign}/",
    "new campaign": "/campaigns/new/?job_opening={opening}",
    "openings": "/campaigns/openings/",
    "opening": "/campaigns/openings/{opening}/",
    "new opening": "/campaigns/openings/new/",
    "edit opening": "/campaigns/openings/{opening}/edit/",
    "campaign fairness": "/campaigns/{campaign}/fairness/",
    "import candidates": "/candidates/import/",
    "activate a run": "/segments/runs/{pending}/activate/",
    "model card": "/segments/runs/{run}/card/",
    "run fairness": "/segments/runs/{run}/fairness/",
    "audit trail": "/audit/",
}
# Pages anyone reaches without logging in.
PUBLIC_PAGES: dict[str, str] = {
    "login": "/accounts/login/",
    "job page": "/jobs/{opening}/",
    "unsubscribe": "/unsubscribe/{unsubscribe_token}/",
}
WIDTHS: dict[str, int] = {"desktop": 1440, "phone": 390}

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_script() -> Path:
    """axe-core as npm installed it (``npm ci``); missing fails under ADFLUX_REQUIRE_BROWSER=1."""
    if not AXE.exists():
        message = f"axe-core not installed at {AXE}: run `npm ci` in the project folder"
        if os.environ.get("ADFLUX_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def page_problems(page) -> list[str]:
    """What is wrong with the loaded page: horizontal overflow and axe-core's violations."""
    problems = []
    width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(WIDEST_ELEMENTS)
        problems.append(f"page is {width[0]} px wide in a {width[1]} px window; widest: {wide}")
    page.add_script_tag(path=str(axe_script()))
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(
             v => `${v.id} (${v.impact}): ${v.help} × ${v.nodes.length}: `
                  + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
    )
    problems.extend(f"axe: {violation}" for violation in violations)
    return problems


# The elements sticking out of the window, to say where an overflow comes from.
WIDEST_ELEMENTS = """
() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-scroll'))
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
       + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '')
       + ' ' + Math.round(e.getBoundingClientRect().right))
"""
