"""Unsubscribing from job-ad email: the candidate is no longer contacted, by any campaign."""

from __future__ import annotations

from candidates.models import Candidate, SuppressedEmail


def candidate_unsubscribe(*, candidate_id: int) -> bool:
    """Stop contacting the candidate and suppress their address; False if they are gone.

    The address goes on the suppression list, so a later import of the same person cannot
    bring them back into an audience.
    """
    # Here, not at the top: the candidates.services package loads pandas (its generation
    # module), and the public pages' URLs are loaded by every manage.py command.
    from candidates.services.suppression import email_suppress

    email = Candidate.objects.filter(pk=candidate_id).values_list("email", flat=True).first()
    if email is None:
        return False
    email_suppress(email, reason=SuppressedEmail.Reason.UNSUBSCRIBED)
    return True
