"""The suppression list: who may never be contacted again, and keeping candidates in line with it.

The rule it keeps: a candidate whose email is suppressed has ``contact_allowed`` cleared,
whatever a save or import says (``Candidate.save`` and the import check it too), so an audience
(segmentation/selectors/assignments.py) reads one column and never hashes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from candidates.emails import email_is
from candidates.models import Candidate, SuppressedEmail, email_hash
from candidates.services.bulk_sql import parameter_chunks


def email_suppress(email: str, *, reason: str = SuppressedEmail.Reason.UNSUBSCRIBED) -> int:
    """Put an email on the list and clear ``contact_allowed`` of the candidate holding it.

    Idempotent: a second call changes nothing (an erasure after an unsubscribe keeps the first
    reason unless it is an erasure, the stronger one). Returns how many candidates lost their
    consent to contact.
    """
    with transaction.atomic():
        entry, created = SuppressedEmail.objects.get_or_create(
            email_hash=email_hash(email), defaults={"reason": reason}
        )
        if not created and reason == SuppressedEmail.Reason.ERASED and entry.reason != reason:
            entry.reason = reason
            entry.save(update_fields=["reason"])
        holders = Candidate.objects.filter(email_is(email), contact_allowed=True)
        return holders.update(contact_allowed=False)


def emails_suppressed(emails: Iterable[str]) -> dict[str, str]:
    """Which of these emails (as given) are on the list, each with its reason."""
    by_hash: dict[str, list[str]] = {}
    for email in emails:
        by_hash.setdefault(email_hash(email), []).append(email)
    found: dict[str, str] = {}
    for chunk in parameter_chunks(list(by_hash)):
        rows = SuppressedEmail.objects.filter(email_hash__in=chunk).values_list(
            "email_hash", "reason"
        )
        for digest, reason in rows:
            found.update((email, reason) for email in by_hash[digest])
    return found
