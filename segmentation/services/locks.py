"""Who may write assignments while a run is being activated.

Activation holds an exclusive lock for its transaction; assigning a saved or imported candidate
holds a shared one and reads the active run only once it has it. So a candidate is assigned
either before an activation (and the activation sees its change) or after it (under the new
run), never with the old run's model into a run that is no longer active.

PostgreSQL: transaction-scoped advisory locks. SQLite: every transaction here begins IMMEDIATE
(settings), which already lets one writer in at a time.
"""

from __future__ import annotations

from django.db import connection

# An arbitrary key of AdFlux's own, for pg_advisory_xact_lock.
ASSIGNMENTS_LOCK_KEY = 0x0ADF1A55


def assignments_lock(*, exclusive: bool) -> None:
    """Take the assignments lock until the current transaction ends."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [ASSIGNMENTS_LOCK_KEY])
