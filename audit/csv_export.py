"""The audit trail as CSV rows, produced lazily so a download of any size streams."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditEntry
from common.csv_cells import escape_formula

AUDIT_CSV_COLUMNS = (
    "at",
    "who",
    "via",
    "kind",
    "object_type",
    "object_id",
    "object",
    "details",
)
CHUNK = 2_000


def audit_csv_rows(entries: Iterable[AuditEntry]) -> Iterator[list[str]]:
    """The header, then one row per entry; every text cell defused for spreadsheets."""
    yield list(AUDIT_CSV_COLUMNS)
    for entry in entries:
        yield [
            entry.at.isoformat(),
            escape_formula(entry.who),
            entry.via,
            entry.kind,
            entry.object_type,
            escape_formula(entry.object_id),
            escape_formula(entry.object_repr),
            escape_formula(json.dumps(entry.details, cls=DjangoJSONEncoder, sort_keys=True)),
        ]
