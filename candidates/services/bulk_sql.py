"""Bulk SQL sized to the database's limits: IN-list chunks and multi-row INSERTs.

For the paths that write hundreds of thousands of rows, where a model instance per row costs
more than the database does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import TypeVar

from django.db import connection
from django.db.models import Model

T = TypeVar("T")
# PostgreSQL reports no limit (None); a large cap keeps statements a sane size.
_UNLIMITED = 30_000
# Room for the few parameters a query adds beside its lists.
_HEADROOM = 20
ROWS_PER_STATEMENT = 500
ROWS_PER_EXECUTEMANY = 50_000


def _max_params() -> int:
    # SQLite builds may be compiled with a 999-parameter limit, which Django reports and does
    # not enforce for raw SQL or for ``__in`` lookups.
    return connection.features.max_query_params or _UNLIMITED


def parameter_chunks(values: Sequence[T], *, lists: int = 1) -> Iterator[Sequence[T]]:
    """Slices of ``values`` small enough that ``lists`` IN-lists of them fit in one query."""
    size = max(1, (_max_params() - _HEADROOM) // lists)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def rows_insert(
    *,
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
    ignore_conflicts: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """INSERT rows (values in ``fields`` order) with many rows per statement.

    Measured, 200,000 two-column rows: ``executemany`` of a one-row INSERT took 2.4 s on
    PostgreSQL and 0.21 s on SQLite; 499-row statements took 0.57 s and 0.07 s.
    ``ignore_conflicts`` skips rows a unique constraint refuses (``ON CONFLICT DO NOTHING``,
    which both databases accept; SQLite since 3.24).
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""

    def statement(n_rows: int) -> str:
        values = ", ".join([one_row] * n_rows)
        return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}{suffix}"

    per_statement = max(1, min(ROWS_PER_STATEMENT, _max_params() // len(fields)))
    full = statement(per_statement)
    pending = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(pending, ROWS_PER_EXECUTEMANY)):
            whole = len(batch) - len(batch) % per_statement
            if whole:
                cursor.executemany(
                    full,
                    [
                        tuple(chain.from_iterable(batch[start : start + per_statement]))
                        for start in range(0, whole, per_statement)
                    ],
                )
            if whole < len(batch):
                rest = batch[whole:]
                cursor.execute(statement(len(rest)), tuple(chain.from_iterable(rest)))
            if on_progress is not None:
                on_progress(len(batch))


def rows_update(
    *,
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> None:
    """UPDATE rows by primary key: each row holds the values of ``fields``, then the key.

    One ``executemany`` of a one-row UPDATE. ``bulk_update`` builds a CASE per field over the
    whole batch instead: 100,000 changed candidates took 25 s through it on SQLite, against a
    fraction of a second here (1,000,000 rows: 1.6 s SQLite, 9 s PostgreSQL; PERFORMANCE.md).
    """
    quote = connection.ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in fields)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s"  # type: ignore[union-attr]
    )
    pending = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(pending, ROWS_PER_EXECUTEMANY)):
            cursor.executemany(sql, batch)
