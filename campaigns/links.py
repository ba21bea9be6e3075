"""Signed links in job-ad emails: apply (tracked) and unsubscribe, both login-free.

A token is the ids it names, signed with the secret key under its own salt, so an apply token
cannot be used to unsubscribe and an edited id breaks the signature. The links start with
``ADFLUX_BASE_URL``: an email has no request to take the site's address from.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

APPLY_SALT = "campaigns.links.apply"
UNSUBSCRIBE_SALT = "campaigns.links.unsubscribe"
# The query parameter of a tracked job page link.
REF = "ref"


@dataclass(frozen=True)
class ApplyRef:
    """Who a tracked apply link was sent to, by which campaign."""

    campaign_id: int
    candidate_id: int


def apply_token(*, campaign_id: int, candidate_id: int) -> str:
    return signing.dumps([campaign_id, candidate_id], salt=APPLY_SALT)


def apply_token_read(token: str | None) -> ApplyRef | None:
    """The campaign and candidate a token names, or None when it is missing or was altered."""
    ids = _read(token, APPLY_SALT)
    return None if ids is None or len(ids) != 2 else ApplyRef(*ids)


def unsubscribe_token(*, candidate_id: int, campaign_id: int) -> str:
    return signing.dumps([candidate_id, campaign_id], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str | None) -> tuple[int, int] | None:
    """(candidate id, campaign id) a token names, or None when it was altered."""
    ids = _read(token, UNSUBSCRIBE_SALT)
    return None if ids is None or len(ids) != 2 else (ids[0], ids[1])


def job_page_path(job_opening_id: int, token: str | None = None) -> str:
    path = reverse("job-public", args=[job_opening_id])
    return f"{path}?{urlencode({REF: token})}" if token else path


def apply_url(*, job_opening_id: int, campaign_id: int, candidate_id: int) -> str:
    token = apply_token(campaign_id=campaign_id, candidate_id=candidate_id)
    return settings.ADFLUX_BASE_URL + job_page_path(job_opening_id, token)


def unsubscribe_url(*, candidate_id: int, campaign_id: int) -> str:
    token = unsubscribe_token(candidate_id=candidate_id, campaign_id=campaign_id)
    return settings.ADFLUX_BASE_URL + reverse("unsubscribe", args=[token])


def _read(token: str | None, salt: str) -> list[int] | None:
    if not token:
        return None
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or not all(type(item) is int for item in value):
        return None
    return value
