"""Candidates' rights: erasure on request, everything held about a person, and retention.

The candidates app holds the profile; apps above it hold more (assignments, messages,
applications, self-reported demographics). It never imports them: it announces the erasure or
the request (``candidates/signals.py``) and each app answers for its own data, inside the same
transaction, so an erasure is whole or nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.kinds import AuditKind
from audit.services import audit_record
from candidates.emails import email_is
from candidates.models import Candidate, CandidateSkill, Demographics, SuppressedEmail, email_hash
from candidates.services.suppression import email_suppress
from candidates.signals import candidate_data_requested, candidate_erasing


class ErasureError(Exception):
    """The request cannot be carried out as asked (an empty email, say)."""


@dataclass(frozen=True)
class Erasure:
    """What one erasure removed: candidate rows, and each app's own count of records."""

    email: str
    candidates: int
    removed: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{self.candidates} candidate profile(s)"]
        parts += [f"{count} {what}" for what, count in sorted(self.removed.items()) if count]
        return f"Erased {', '.join(parts)}; the email is on the suppression list."


def _holders(email: str) -> list[Candidate]:
    return list(Candidate.objects.filter(email_is(email)))


def _email_checked(email: str) -> str:
    email = (email or "").strip()
    if not email or "@" not in email:
        raise ErasureError(f"{email!r} is not an email address.")
    return email


def candidate_erase(*, email: str, user: Any = None) -> Erasure:
    """Remove everything held about the person with this email; keep only a keyed hash of it.

    One transaction: the apps above delete or anonymise their records (``candidate_erasing``),
    the profile and its skills go (segment sizes follow, through the delete's own signal), and
    the email's hash joins the suppression list, so an import bringing the person back is
    refused for that row. Erasing someone AdFlux does not hold still suppresses the email. The
    audit trail records the erasure by ``user`` (None: a command) under the email's keyed hash,
    never the address.
    """
    email = _email_checked(email)
    with transaction.atomic():
        candidates = _holders(email)
        ids = [candidate.pk for candidate in candidates]
        removed: dict[str, int] = {}
        for _, answer in candidate_erasing.send(sender=Candidate, candidate_ids=ids, email=email):
            for what, count in (answer or {}).items():
                removed[what] = removed.get(what, 0) + count
        removed["skills listed"] = CandidateSkill.objects.filter(candidate_id__in=ids).count()
        for candidate in candidates:
            candidate.delete()  # one by one: each delete keeps its segment's size right
        email_suppress(email, reason=SuppressedEmail.Reason.ERASED)
        audit_record(
            kind=AuditKind.CANDIDATE_ERASED,
            user=user,
            details={"email_hash": email_hash(email), "candidates": len(ids), **removed},
        )
    return Erasure(email=email, candidates=len(ids), removed=removed)


def candidate_data(*, email: str) -> dict[str, Any]:
    """Everything held about the person with this email, ready for JSON (subject access)."""
    email = _email_checked(email)
    candidates = _holders(email)
    ids = [candidate.pk for candidate in candidates]
    data: dict[str, Any] = {
        "email": email,
        "generated_at": timezone.now().isoformat(),
        "suppressed": SuppressedEmail.objects.holds(email),
        "profiles": [_profile(candidate) for candidate in candidates],
    }
    for _, answer in candidate_data_requested.send(
        sender=Candidate, candidate_ids=ids, email=email
    ):
        data.update(answer or {})
    return data


def _profile(candidate: Candidate) -> dict[str, Any]:
    skills = CandidateSkill.objects.filter(candidate_id=candidate.pk).order_by("skill__name")
    return {
        "id": candidate.pk,
        "external_id": candidate.external_id,
        "name": candidate.name,
        "email": candidate.email,
        "location": candidate.location,
        "education_level": candidate.education_level,
        "years_experience": candidate.years_experience,
        "desired_salary": candidate.desired_salary,
        "primary_skill": candidate.primary_skill,
        "skills": list(skills.values_list("skill__name", flat=True)),
        "contact_allowed": candidate.contact_allowed,
        "demographics": Demographics.objects.filter(candidate_id=candidate.pk)
        .values("sex", "age_band", "ethnicity")
        .first(),
        "created_at": candidate.created_at.isoformat(),
        "updated_at": candidate.updated_at.isoformat(),
    }


def candidates_retention_apply(*, days: int, now: datetime.datetime | None = None) -> list[Erasure]:
    """Erase every candidate unchanged for more than ``days`` days, one person at a time.

    Each person is one erasure (one transaction), so a failure stops the run without undoing
    the erasures already made, and a long run holds no lock on the whole table.
    """
    if days < 1:
        raise ErasureError(f"The retention must be at least one day (got {days}).")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    emails = Candidate.objects.filter(updated_at__lt=cutoff).order_by("pk")
    return [candidate_erase(email=email) for email in emails.values_list("email", flat=True)]
