"""Who may write assignments while a run is being activated.

Activation holds an exclusive lock for its transaction; assigning a saved or imported candidate
holds a shared one and reads the active run only once it has it. So a candidate is assigned
either before an activation (and the activation sees its change) or after it (under the new
run), never with the old run's model into a run that is no longer active.

PostgreSQL: transaction-scoped advisory locks. SQLite: every transaction here begins IMMEDIATE
(settings), which already lets one writer in at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

# An arbitrary key of AdFlux's own, for pg_advisory_xact_lock.
ASSIGNMENTS_LOCK_KEY = 0x0ADF1A55


def assignments_lock(*, exclusive: bool) -> None:
    """Take the assignments lock until the current transaction ends."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [ASSIGNMENTS_LOCK_KEY])


# A stamp may be taken a moment before its transaction's first statement (an import batch
# stamps its rows, then writes them), and app servers' clocks differ by a little.
STAMP_MARGIN = timedelta(seconds=5)


def changes_committed_before() -> datetime:
    """A time such that every candidate change stamped before it is visible to a read now.

    A change is stamped (``updated_at``) when it is made but seen by others only when its
    transaction commits. So rows computed now are current for candidates stamped before the
    start of the oldest transaction still open (PostgreSQL's ``pg_stat_activity``; on SQLite a
    writer holds the database alone, so there is none), less a small margin.
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (oldest,) = cursor.fetchone()
        if oldest is not None and oldest < now:
            now = oldest
    return now - STAMP_MARGIN
