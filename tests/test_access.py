"""Every page and form of the app, found by walking the URL configuration (new ones included).

No page is readable without a login, and no form acts without its CSRF token: both hold for any
URL added later, because the list comes from the URL resolver, not from this file.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.models import Campaign
from segmentation.models import SegmentationJob

PUBLIC = {"login"}  # the one page a visitor must reach to log in
# Public by design, and safe by other means: the job page's form has CSRF, a honeypot and a limit
# per address (tests/campaigns/test_apply.py); unsubscribe acts only on a signed token
# (tests/campaigns/test_unsubscribe.py).
PUBLIC_PAGES = {"job-public", "unsubscribe"}
# RFC 8058 one-click unsubscribe: the mail provider posts without a form; the signed token is
# what authorises the request.
CSRF_EXEMPT = {"unsubscribe"}


def _app_urls() -> list[tuple[str, str]]:
    """(name, path) of every named URL outside the admin, with 1 for each integer argument."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in PUBLIC:
                kwargs = {name: 1 for name in pattern.pattern.converters}
                found.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))

    walk(get_resolver().url_patterns)
    return found


APP_URLS = _app_urls()


def test_the_walk_finds_the_pages():
    names = {name for name, _ in APP_URLS}
    assert {
        "segments",
        "segment",
        "candidates",
        "candidate",
        "campaigns",
        "campaign-create",
    } <= names


PRIVATE_URLS = [(name, path) for name, path in APP_URLS if name not in PUBLIC_PAGES]
CSRF_URLS = [(name, path) for name, path in APP_URLS if name not in CSRF_EXEMPT]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), PRIVATE_URLS, ids=[name for name, _ in PRIVATE_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_page_answers_a_visitor_who_is_not_logged_in(client, name, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 302, f"{name} answered {response.status_code}"
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.django_db
def test_the_admin_needs_a_staff_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_the_public_pages_answer_without_a_login(client, name):
    assert name in {found for found, _ in APP_URLS}, f"{name} is gone: update PUBLIC_PAGES"
    response = client.get(dict(APP_URLS)[name])
    assert response.status_code != 302


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), CSRF_URLS, ids=[name for name, _ in CSRF_URLS])
def test_no_form_acts_without_its_csrf_token(superuser, name, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    response = client.post(path, {"n_clusters": 3, "name": "x"})
    # Refused by the CSRF check, or not a form at all (GET-only views answer 405).
    assert response.status_code in {403, 405}, f"{name} answered {response.status_code}"
    assert not SegmentationJob.objects.exists() and not Campaign.objects.exists()


@pytest.mark.django_db
def test_logging_in_needs_the_csrf_token_too(superuser):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "root", "password": "pw-root-123!"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_login_page_logs_in_and_out(client, superuser):
    response = client.post(
        reverse("login"), {"username": "root", "password": "pw-root-123!"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("segments")
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert client.get(reverse("segments")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_says_so(client, superuser):
    response = client.post(reverse("login"), {"username": "root", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
