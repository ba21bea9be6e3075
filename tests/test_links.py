"""Every link a page shows goes somewhere its reader may open: crawled as each role sees it."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from candidates.models import CandidateImport
from tests.campaigns.conftest import store_and_segment
from tests.roles import role_group

pytestmark = pytest.mark.django_db

# Enough to reach every kind of page from the segments page; the rest are more of the same.
MAX_PAGES = 120


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:")):
                self.hrefs.append(href)


def crawl(client, start: str) -> dict[str, tuple[int, str]]:
    """Status of every same-site page reachable from ``start``, and a page linking to it."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [(start, "(start)")]
    while queue and len(seen) < MAX_PAGES:
        url, linked_from = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = (response.status_code, linked_from)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc in ("", "testserver") and not parts.path.startswith("/static/"):
                queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), url))
    return seen


@pytest.mark.parametrize("role", ["Recruiter", "Data admin"])
def test_no_page_links_where_its_reader_may_not_go(client, django_user_model, role):
    store_and_segment(per_group=10)
    call_command("demo_campaigns", stdout=None)
    CandidateImport.objects.create(file_name="done.csv", status="succeeded", created=3)
    user = django_user_model.objects.create_user("someone", "s@example.org", "pw-some-123!")
    user.groups.add(role_group(role))
    client.force_login(user)

    seen = crawl(client, "/segments/")

    refused = {url: found for url, found in seen.items() if found[0] != 200}
    assert refused == {}
    # The crawl reached the pages this role works with.
    visited = " ".join(seen)
    assert "/campaigns/openings/" in visited and "/segments/" in visited
    if role == "Recruiter":
        assert "/campaigns/openings/new/" in visited and "/campaigns/new/" in visited
        assert "/candidates/import/" not in visited
    else:
        assert "/candidates/import/" in visited
