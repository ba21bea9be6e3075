"""Importing candidates from CSV: valid rows upserted in batches, rejected rows reported.

Rows are matched by external_id, else by email (case-insensitively). Within a file, rows apply
in order, exactly as if imported one at a time: a later row for the same candidate wins. A row
is rejected when its email belongs to a different candidate than its external_id names.

Two imports at once take turns batch by batch (SQLite's writers always do; on PostgreSQL an
advisory lock makes them), so the second finds the candidates the first created and updates them.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from tqdm import tqdm

from audit.kinds import AuditKind
from audit.services import audit_record
from candidates.csv_files import (
    FileEncodingError,
    MalformedCsvError,
    OverlongRowError,
    bytes_read,
    csv_records,
    encoding_check,
    encoding_resolve,
    open_csv_text,
)
from candidates.csv_format import (
    COLUMNS,
    DEMOGRAPHIC_COLUMNS,
    ERROR_COLUMNS,
    CandidateCsvError,
    ParsedCandidate,
    RowError,
    check_header,
    escape_formula,
    normalise_header,
    parse_row,
)
from candidates.models import (
    NOT_GIVEN,
    PROFILE_FIELDS,
    Candidate,
    CandidateSkill,
    Demographics,
    SuppressedEmail,
)
from candidates.services.bulk_sql import parameter_chunks, rows_update
from candidates.services.skills import candidate_skills_insert, skills_get_or_create
from candidates.services.suppression import emails_suppressed
from candidates.skill_names import skill_key

BatchHook = Callable[[list[int]], None]
# Bytes of the file read so far, and the file's size: called after each batch.
ProgressHook = Callable[[int, int], None]
DEFAULT_BATCH_SIZE = 5_000
# The errors file holds every rejected row; the report keeps the first ones so that a file of
# a million bad rows does not fill memory.
MAX_REPORTED_ERRORS = 10_000
# A batch that meets a unique email or external_id another writer stored meanwhile is read and
# written again, seeing that writer's rows; this many times before the import gives up.
BATCH_ATTEMPTS = 3
# Any constant: the key of the PostgreSQL advisory lock imports take turns with.
_IMPORT_LOCK_KEY = 0x616466_6C7578  # "adflux"
# The fields a row sets; external_id only when the row gives one.
_PROFILE_FIELDS = tuple(field for field in PROFILE_FIELDS if field != "external_id")
_LOADED_FIELDS = ("id", "external_id", *_PROFILE_FIELDS, "contact_allowed")
_NO_DEMOGRAPHICS = dict.fromkeys(DEMOGRAPHIC_COLUMNS, NOT_GIVEN)


@dataclass
class ImportReport:
    """What an import did, row by row; ``created + updated + unchanged + rejected`` = rows read."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_not_kept: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def summary(self) -> str:
        rows = f"{self.rows:,} row" + ("" if self.rows == 1 else "s")
        unchanged = f"{self.unchanged:,} unchanged, " if self.unchanged else ""
        return (
            f"Imported {rows}: {self.created:,} created, {self.updated:,} updated, "
            f"{unchanged}{self.rejected:,} rejected."
        )

    def add_errors(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(error)
            else:
                self.errors_not_kept += 1


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    parsed: ParsedCandidate


@dataclass
class _Rejected:
    line: int
    cells: dict[str, str]
    errors: list[RowError]


def candidates_import_csv(
    *,
    path: Path,
    encoding: str | None = None,
    errors_csv: Path | None = None,
    progress: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch_written: BatchHook | None = None,
    user: AbstractBaseUser | None = None,
    on_progress: ProgressHook | None = None,
) -> ImportReport:
    """Upsert the candidates of a CSV file; raise ``CandidateCsvError`` if it cannot be read.

    The file is UTF-8 (with or without a byte-order mark) unless ``encoding`` names another; a
    byte that encoding cannot read refuses the whole file before anything is imported.

    Each batch is written in its own transaction; ``on_batch_written`` then receives the ids of
    the candidates the batch created or changed, once that transaction has ended, so a failing
    hook never undoes stored rows (it does stop the import). ``on_progress`` then receives the
    bytes read so far and the file's size.

    The audit trail records the import with its counts once rows were read, also when reading
    stopped part-way (the batches before were stored).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not path.is_file():
        raise CandidateCsvError(f"{path} is not a file.")
    if errors_csv is not None and errors_csv.resolve() == path.resolve():
        raise CandidateCsvError("The errors file must not be the file being imported.")
    report = ImportReport(encoding=_encoding_checked(path, encoding))
    max_row_bytes: int = settings.ADFLUX_CSV_MAX_LINE_BYTES
    max_cells: int = settings.ADFLUX_CSV_MAX_CELLS
    max_skills: int = settings.ADFLUX_CSV_MAX_SKILLS
    with ExitStack() as stack:
        stream = stack.enter_context(open_csv_text(path, report.encoding))
        records = csv_records(stream, max_row_bytes=max_row_bytes)
        try:
            first = next(records)
        except StopIteration:
            raise CandidateCsvError(f"{path} is empty: it has no header row.") from None
        except MalformedCsvError as exc:
            raise CandidateCsvError(str(exc)) from exc
        if isinstance(first, OverlongRowError):
            raise CandidateCsvError(f"The header row (line {first.line}) {first}.")
        header_line, header_cells = first
        if len(header_cells) > max_cells:
            raise CandidateCsvError(
                f"The header row (line {header_line}) has {len(header_cells):,} cells; "
                f"a row may have at most {max_cells:,}."
            )
        header = normalise_header(header_cells)
        report.ignored_columns = check_header(header)
        errors_file = None
        if errors_csv is not None:
            # The rejected rows keep the demographic cells the file had, to fix them too.
            columns = [*COLUMNS, *(name for name in DEMOGRAPHIC_COLUMNS if name in header)]
            try:
                errors_file = stack.enter_context(_ErrorsFile(errors_csv, columns))
            except OSError as exc:
                raise CandidateCsvError(
                    f"Cannot write {errors_csv}: {exc.strerror or exc}."
                ) from exc
        size = path.stat().st_size
        bar = stack.enter_context(
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                desc="Importing",
                file=sys.stderr,
                # None: on only when stderr is a terminal.
                disable=None if progress else True,
            )
        )
        pending: list[_Row] = []
        rejected: list[_Rejected] = []

        def flush() -> None:
            written_ids = _write_batch(pending, rejected, report) if pending else []
            rejected.sort(key=lambda row: row.line)
            report.rejected += len(rejected)
            for row in rejected:
                report.add_errors(row.errors)
                if errors_file is not None:
                    errors_file.write(row)
            pending.clear()
            rejected.clear()
            done = bytes_read(stream)
            bar.update(done - bar.n)
            if on_batch_written is not None and written_ids:
                on_batch_written(written_ids)
            if on_progress is not None:
                on_progress(done, size)

        try:
            for record in records:
                read = _row_read(record, header, max_skills=max_skills)
                if isinstance(read, _Row):
                    pending.append(read)
                else:
                    rejected.append(read)
                if len(pending) + len(rejected) >= batch_size:
                    flush()
        except MalformedCsvError as exc:
            flush()
            _import_audit(path, report, user=user, stopped=str(exc))
            raise CandidateCsvError(
                f"{exc} Reading stopped there; the rows before it were processed: "
                f"{report.summary()}"
            ) from exc
        flush()
    _import_audit(path, report, user=user)
    return report


def _import_audit(
    path: Path, report: ImportReport, *, user: AbstractBaseUser | None, stopped: str = ""
) -> None:
    audit_record(
        kind=AuditKind.CANDIDATES_IMPORTED,
        user=user,
        details={
            "file": path.name,
            "encoding": report.encoding,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            **({"stopped": stopped} if stopped else {}),
        },
    )


def _encoding_checked(path: Path, encoding: str | None) -> str:
    """The codec to read ``path`` with, once every byte of it is known to decode."""
    try:
        codec = encoding_resolve(encoding)
    except LookupError:
        raise CandidateCsvError(f"{encoding!r} is not an encoding Python knows.") from None
    except ValueError:
        raise CandidateCsvError(
            f"Cannot import a file in {encoding}: CSV needs an encoding that writes commas, "
            "quotes and line breaks as single ASCII bytes. Save the file as UTF-8 instead."
        ) from None
    try:
        encoding_check(path, codec)
    except OSError as exc:
        raise CandidateCsvError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except FileEncodingError as exc:
        advice = (
            "Save the file as UTF-8, or name the encoding it was saved in "
            "(import_candidates --encoding cp1252 for a CSV file Excel saved on Windows, "
            "--encoding latin-1)."
            if encoding is None
            else f"Is {encoding} the file's encoding?"
        )
        raise CandidateCsvError(f"{exc} Nothing was imported. {advice}") from exc
    return codec


def _row_read(
    record: tuple[int, list[str]] | OverlongRowError, header: list[str], *, max_skills: int
) -> _Row | _Rejected:
    if isinstance(record, OverlongRowError):
        return _Rejected(record.line, {}, [RowError(record.line, "", "", str(record))])
    line, cells = record
    row = dict(zip(header, cells, strict=False))
    if len(cells) != len(header):
        reason = f"has {len(cells):,} cells but the header has {len(header)} columns"
        return _Rejected(line, row, [RowError(line, "", "", reason)])
    parsed = parse_row(row, line, max_skills=max_skills)
    if isinstance(parsed, list):
        return _Rejected(line, row, parsed)
    return _Row(line, row, parsed)


class _ErrorsFile:
    """The rejected rows as they were, plus where and why, ready to fix and import again."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self._file: TextIO | None = None

    def __enter__(self) -> _ErrorsFile:
        # With a byte-order mark: the file is meant to be fixed in a spreadsheet, and Excel only
        # reads UTF-8 correctly when the mark is there. The importer skips it.
        self._file = self.path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow([*self.columns, *ERROR_COLUMNS])
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._file is not None
        self._file.close()

    def write(self, row: _Rejected) -> None:
        # Every cell is escaped: a rejected cell is untrusted, whatever its column.
        self._writer.writerow(
            [
                *(escape_formula(row.cells.get(column, "")) for column in self.columns),
                row.line,
                "; ".join(error.column for error in row.errors if error.column),
                "; ".join(
                    f"{error.column}: {error.reason}" if error.column else error.reason
                    for error in row.errors
                ),
            ]
        )


@dataclass(eq=False)
class _Record:
    """A candidate as the batch leaves it: loaded from the database or new."""

    candidate: Candidate
    is_new: bool
    skill_keys: frozenset[str]
    changed: set[str] = field(default_factory=set)
    skills: tuple[str, ...] | None = None  # set when the skills must be rewritten
    # Stored (or, once a row changed them, to store) sex, age band and ethnicity.
    demographics: dict[str, str] = field(default_factory=dict)
    demographics_changed: bool = False

    @property
    def email_key(self) -> str:
        return self.candidate.email.lower()


class _Batch:
    """The batch's candidates in memory, so rows apply in order with plain dict lookups."""

    def __init__(
        self, records: list[_Record], report: ImportReport, suppressed: dict[str, str]
    ) -> None:
        self.report = report
        # Lower-cased emails on the suppression list, with the reason.
        self.suppressed = suppressed
        self.records: list[_Record] = list(records)
        self.by_external_id = {
            r.candidate.external_id: r for r in records if r.candidate.external_id
        }
        self.by_email: dict[str, _Record] = {}
        for record in records:
            self.by_email.setdefault(record.email_key, record)
        # Email changes to stored candidates, replayed in row order: one candidate may take an
        # email another gave up earlier in the batch, which a single UPDATE could not order.
        self.email_steps: list[tuple[_Record, str]] = []

    def apply(self, row: _Row) -> RowError | None:
        parsed = row.parsed
        if self.suppressed.get(parsed.email_key) == SuppressedEmail.Reason.ERASED:
            return RowError(
                row.line,
                "email",
                parsed.email,
                "belongs to a person erased at their request; their data may not be imported",
            )
        record = self.by_external_id.get(parsed.external_id) if parsed.external_id else None
        owner = self.by_email.get(parsed.email_key)
        if record is None and owner is not None:
            if parsed.external_id and owner.candidate.external_id:
                return RowError(
                    row.line,
                    "email",
                    parsed.email,
                    f"belongs to another candidate (external_id {owner.candidate.external_id!r})",
                )
            record = owner
        elif record is not None and owner is not None and owner is not record:
            other = owner.candidate.external_id
            return RowError(
                row.line,
                "email",
                parsed.email,
                "is already used by another candidate"
                + (f" (external_id {other!r})" if other else ""),
            )
        if record is None:
            self._create(parsed)
            self.report.created += 1
        elif self._update(record, parsed):
            self.report.updated += 1
        else:
            self.report.unchanged += 1
        return None

    def _contact_allowed(self, parsed: ParsedCandidate) -> bool | None:
        """The row's consent, except that a suppressed email is never contactable."""
        if parsed.email_key in self.suppressed:
            return False
        return parsed.contact_allowed

    def _create(self, parsed: ParsedCandidate) -> None:
        contact_allowed = self._contact_allowed(parsed)
        candidate = Candidate(
            external_id=parsed.external_id,
            contact_allowed=True if contact_allowed is None else contact_allowed,
            **{name: getattr(parsed, name) for name in _PROFILE_FIELDS},
        )
        record = _Record(
            candidate=candidate,
            is_new=True,
            skill_keys=frozenset(skill_key(name) for name in parsed.skills),
            skills=parsed.skills,
            demographics=_NO_DEMOGRAPHICS | dict(parsed.demographics),
            demographics_changed=bool(parsed.demographics),
        )
        self.records.append(record)
        if parsed.external_id:
            self.by_external_id[parsed.external_id] = record
        self.by_email[parsed.email_key] = record

    def _update(self, record: _Record, parsed: ParsedCandidate) -> bool:
        """Apply a row to a known candidate; whether anything changed."""
        candidate = record.candidate
        values: dict[str, object] = {name: getattr(parsed, name) for name in _PROFILE_FIELDS}
        if parsed.external_id:
            values["external_id"] = parsed.external_id
        contact_allowed = self._contact_allowed(parsed)
        if contact_allowed is not None:
            values["contact_allowed"] = contact_allowed
        changed = [name for name, value in values.items() if getattr(candidate, name) != value]
        if "email" in changed:
            if self.by_email.get(record.email_key) is record:
                del self.by_email[record.email_key]
            self.by_email[parsed.email_key] = record
            if not record.is_new:
                self.email_steps.append((record, parsed.email))
        if "external_id" in changed:
            self.by_external_id[parsed.external_id] = record  # type: ignore[index]
        for name in changed:
            setattr(candidate, name, values[name])
        record.changed.update(changed)
        keys = frozenset(skill_key(name) for name in parsed.skills)
        skills_changed = keys != record.skill_keys
        if skills_changed:
            record.skill_keys = keys
            record.skills = parsed.skills
        # Demographics change no profile field: the candidate keeps its segment and stamp.
        demographics = record.demographics | dict(parsed.demographics)
        demographics_changed = demographics != record.demographics
        if demographics_changed:
            record.demographics = demographics
            record.demographics_changed = True
        return bool(changed) or skills_changed or demographics_changed


def _write_batch(rows: list[_Row], rejected: list[_Rejected], report: ImportReport) -> list[int]:
    """Apply a batch's valid rows in one transaction; the ids it created or changed.

    Another writer (a user in the admin, an import not run by this code) may store an email or
    external_id of the batch after the batch read the candidates: the transaction then fails on
    a unique constraint, and the batch is read and applied again, finding that writer's row.
    Should that keep happening, each row gets its own transaction and a row that still
    conflicts is rejected, so the rest of the batch is stored and the file is read to its end.
    """
    for _ in range(BATCH_ATTEMPTS):
        try:
            return _write_rows(rows, rejected, report)
        except IntegrityError:
            continue
    written: list[int] = []
    for row in rows:
        try:
            written += _write_rows([row], rejected, report)
        except IntegrityError:
            reason = (
                "conflicts with a candidate stored at the same time by another import or user "
                "(same email or external_id); import the row again"
            )
            rejected.append(_Rejected(row.line, row.cells, [RowError(row.line, "", "", reason)]))
    return sorted(written)


def _write_rows(rows: list[_Row], rejected: list[_Rejected], report: ImportReport) -> list[int]:
    # Counted apart and added to the report only once the transaction has committed.
    counts = ImportReport()
    conflicts: list[_Rejected] = []
    with transaction.atomic():
        _imports_take_turns()
        suppressed = emails_suppressed(row.parsed.email for row in rows)
        batch = _Batch(
            _load_records(rows),
            counts,
            {email.lower(): reason for email, reason in suppressed.items()},
        )
        for row in rows:
            error = batch.apply(row)
            if error is not None:
                conflicts.append(_Rejected(row.line, row.cells, [error]))
        written = _save(batch)
    report.created += counts.created
    report.updated += counts.updated
    report.unchanged += counts.unchanged
    rejected += conflicts
    return written


def _imports_take_turns() -> None:
    """Hold the import lock until the transaction ends, so concurrent batches run one by one.

    On PostgreSQL two batches could otherwise both read that an email is free and both insert
    it. SQLite needs nothing: its write transactions begin IMMEDIATE (settings), one at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])


def _load_records(rows: list[_Row]) -> list[_Record]:
    """The stored candidates any row of the batch names, by external_id or email."""
    candidates = Candidate.objects.only(*_LOADED_FIELDS)
    found: dict[int, Candidate] = {}
    external_ids = list({row.parsed.external_id for row in rows if row.parsed.external_id})
    for chunk in parameter_chunks(external_ids):
        found.update((c.pk, c) for c in candidates.filter(external_id__in=chunk))
    # Only emails no loaded candidate already holds: on a re-import by external_id, none.
    held = {candidate.email.lower() for candidate in found.values()}
    emails = sorted({row.parsed.email for row in rows if row.parsed.email_key not in held})
    for chunk in parameter_chunks(emails):
        # lower(email) IN (...) is answered by the Lower("email") unique index. A non-ASCII
        # email is lower-cased by the database itself, as its unique index does: SQLite's
        # lower() folds only ASCII letters, Python's folds them all.
        plain = [email.lower() for email in chunk if email.isascii()]
        condition = Q(email_lower__in=plain)
        for email in chunk:
            if not email.isascii():
                condition |= Q(email_lower=Lower(Value(email)))
        matches = candidates.annotate(email_lower=Lower("email")).filter(condition)
        found.update((c.pk, c) for c in matches)
    skill_keys: dict[int, set[str]] = {pk: set() for pk in found}
    for chunk in parameter_chunks(list(found)):
        pairs = CandidateSkill.objects.filter(candidate_id__in=chunk).values_list(
            "candidate_id", "skill__name"
        )
        for candidate_id, name in pairs:
            skill_keys[candidate_id].add(skill_key(name))
    demographics: dict[int, dict[str, str]] = {}
    for chunk in parameter_chunks(list(found)):
        stored = Demographics.objects.filter(candidate_id__in=chunk)
        for candidate_id, *values in stored.values_list("candidate_id", *DEMOGRAPHIC_COLUMNS):
            demographics[candidate_id] = dict(zip(DEMOGRAPHIC_COLUMNS, values, strict=True))
    return [
        _Record(
            candidate=found[pk],
            is_new=False,
            skill_keys=frozenset(skill_keys[pk]),
            demographics=demographics.get(pk, _NO_DEMOGRAPHICS),
        )
        for pk in sorted(found)
    ]


def _save(batch: _Batch) -> list[int]:
    now = timezone.now()
    for record, email in batch.email_steps:
        Candidate.objects.filter(pk=record.candidate.pk).update(email=email, updated_at=now)

    # Grouped by the fields that changed, so each UPDATE sets only those (and updated_at).
    by_fields: dict[tuple[str, ...], list[Candidate]] = {}
    for record in batch.records:
        if not record.is_new and (record.changed or record.skills is not None):
            by_fields.setdefault(tuple(sorted(record.changed)), []).append(record.candidate)
    stamp = connection.ops.adapt_datetimefield_value(now)
    for fields, candidates in by_fields.items():
        rows_update(
            model=Candidate,
            fields=(*fields, "updated_at"),
            rows=([*(getattr(c, name) for name in fields), stamp, c.pk] for c in candidates),
        )

    new = [record.candidate for record in batch.records if record.is_new]
    Candidate.objects.bulk_create(new)
    if any(candidate.pk is None for candidate in new):
        _read_back_ids(new)  # only on databases that cannot return ids from a bulk insert

    rewrite = [record for record in batch.records if record.skills is not None]
    stored = [r.candidate.pk for r in rewrite if not r.is_new]
    for chunk in parameter_chunks(stored):
        CandidateSkill.objects.filter(candidate_id__in=chunk).delete()
    skill_ids = skills_get_or_create(names=(name for r in rewrite for name in r.skills or ()))
    candidate_skills_insert(
        pairs=(
            (record.candidate.pk, skill_ids[key]) for record in rewrite for key in record.skill_keys
        )
    )
    Demographics.objects.bulk_create(
        [
            Demographics(candidate_id=record.candidate.pk, **record.demographics)
            for record in batch.records
            if record.demographics_changed
        ],
        update_conflicts=True,
        unique_fields=["candidate"],
        update_fields=list(DEMOGRAPHIC_COLUMNS),
    )
    return sorted(
        record.candidate.pk
        for record in batch.records
        if record.is_new or record.changed or record.skills is not None
    )


def _read_back_ids(candidates: list[Candidate]) -> None:
    # The emails were just written exactly so, and are unique: an exact match finds each row.
    by_email = {candidate.email: candidate for candidate in candidates}
    for chunk in parameter_chunks(list(by_email)):
        for pk, email in Candidate.objects.filter(email__in=chunk).values_list("id", "email"):
            by_email[email].pk = pk
