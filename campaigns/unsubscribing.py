"""Unsubscribing from job-ad email: the candidate is no longer contacted, by any campaign."""

from __future__ import annotations

from candidates.models import Candidate


def candidate_unsubscribe(*, candidate_id: int) -> bool:
    """Stop contacting the candidate and suppress their address; False if they are gone.

    The address goes on the suppression list, so a later import of the same person cannot
    bring them back into an audience.
    """
    from candidates.services.suppression import email_suppress  # the lead's service (pending)

    email = Candidate.objects.filter(pk=candidate_id).values_list("email", flat=True).first()
    if email is None:
        return False
    email_suppress(email, reason="unsubscribed")
    return True
