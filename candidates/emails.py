"""One notion of "the same email" for every query that looks a person up by address.

The same as the ``candidate_email_ci_unique`` constraint (``Lower("email")``): the database
lower-cases both sides, so SQLite (which folds only ASCII letters) and PostgreSQL each agree
with their own unique index, and that index answers the lookup.
"""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact


def email_is(email: str, *, field: str = "email") -> Exact:
    """A filter condition: ``field`` is ``email``, whatever the case of either; blanks trimmed."""
    return Exact(Lower(field), Lower(Value(email.strip())))
