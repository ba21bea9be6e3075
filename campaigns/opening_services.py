"""Writes for job openings: creating and changing one from the recruiter's pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from campaigns.models import JobOpening
from candidates.models import Skill


@transaction.atomic
def job_opening_save(
    *,
    opening: JobOpening,
    required_skills: Iterable[Skill],
    user: AbstractBaseUser | None,
    **fields: Any,
) -> JobOpening:
    """Save a new or changed opening with its required skills together, or neither.

    A new opening needs ``campaigns.add_jobopening``, a change ``change_jobopening``, whoever
    asks (a staff flag is not needed: the pages are not the admin).
    """
    if user is not None:
        needed = "campaigns.change_jobopening" if opening.pk else "campaigns.add_jobopening"
        if not user.has_perm(needed):
            verb = "change" if opening.pk else "add"
            raise PermissionDenied(f"{user} may not {verb} job openings.")
    for name, value in fields.items():
        setattr(opening, name, value)
    opening.full_clean()
    opening.save()
    opening.required_skills.set(list(required_skills))
    return opening
