"""Exporting candidates to CSV, streamed page by page so any number of them fits in memory."""

from __future__ import annotations

import csv
import io
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TextIO

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from tqdm import tqdm

from audit.kinds import AuditKind
from audit.services import audit_record
from candidates.csv_format import EXPORT_COLUMNS, escape_formula
from candidates.models import PROFILE_FIELDS, Candidate, CandidateSkill, Skill
from candidates.skill_names import SKILL_SEPARATOR, skill_key

DEFAULT_PAGE_SIZE = 5_000
_VALUES = ("id", *PROFILE_FIELDS)
# For each id in a page, the candidate's segment number and name; supplied by the app that knows
# segments (this one sits below it), or nobody has one.
SegmentsOf = Callable[[list[int]], dict[int, tuple[int, str]]]


def candidates_export_csv(
    *,
    out: TextIO,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: bool = False,
    segments_of: SegmentsOf | None = None,
    candidates: QuerySet[Candidate] | None = None,
    scope: str = "every candidate",
    user: AbstractBaseUser | None = None,
) -> int:
    """Write every candidate as CSV to ``out`` (opened with ``newline=""``); the number written.

    ``candidates`` narrows the export (default: everyone); ``scope`` says how, in words, for
    the audit trail, which records who exported how many rows once the file is written. The
    rows are those of ``candidates_export_csv_chunks``.
    """
    written = 0
    with tqdm(
        total=(candidates if candidates is not None else Candidate.objects).count()
        if progress
        else None,
        unit=" candidates",
        desc="Exporting",
        file=sys.stderr,
        disable=None if progress else True,
    ) as bar:
        for text, count in _export_pages(
            page_size=page_size, segments_of=segments_of, candidates=candidates
        ):
            out.write(text)
            written += count
            bar.update(count)
    _export_recorded(rows=written, scope=scope, user=user)
    return written


def candidates_export_csv_chunks(
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    segments_of: SegmentsOf | None = None,
    candidates: QuerySet[Candidate] | None = None,
    scope: str = "every candidate",
    user: AbstractBaseUser | None = None,
) -> Iterator[str]:
    """The export as CSV text, the header then one piece per page: what a page streams.

    Nothing is read before the first piece is asked for, and one page at a time after that,
    so a download of a million candidates holds one page in memory. The audit trail records
    the download once its last piece has been handed out.
    """
    written = 0
    for text, count in _export_pages(
        page_size=page_size, segments_of=segments_of, candidates=candidates
    ):
        written += count
        yield text
    _export_recorded(rows=written, scope=scope, user=user)


def _export_recorded(*, rows: int, scope: str, user: AbstractBaseUser | None) -> None:
    audit_record(
        kind=AuditKind.CANDIDATES_EXPORTED,
        user=user,
        details={"format": "csv", "rows": rows, "scope": scope},
    )


def _export_pages(
    *,
    page_size: int,
    segments_of: SegmentsOf | None,
    candidates: QuerySet[Candidate] | None,
) -> Iterator[tuple[str, int]]:
    """(CSV text, candidates in it): the header, then one page at a time.

    Candidates are read in pages by id (keyset, so each page is one indexed query whatever its
    depth), and each page's skills with one query over the same id range of the through table.
    Text cells a spreadsheet would run as formulas are defused with a leading quote.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def taken() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_COLUMNS)
    yield taken(), 0
    skill_names = _SkillNames()
    rows = candidates if candidates is not None else Candidate.objects.all()
    last_id = 0
    while True:
        page = list(rows.filter(id__gt=last_id).order_by("id").values_list(*_VALUES)[:page_size])
        if not page:
            return
        first_id, last_id = page[0][0], page[-1][0]
        skills = skill_names.by_candidate(first_id, last_id)
        segments = segments_of([values[0] for values in page]) if segments_of else {}
        writer.writerows(
            _csv_row(values, skills.get(values[0], ""), segments.get(values[0])) for values in page
        )
        yield taken(), len(page)


class _SkillNames:
    """Skill names by id, in export order, so pages read bare (candidate_id, skill_id) pairs."""

    def __init__(self) -> None:
        self._load()

    def _load(self) -> None:
        names = dict(Skill.objects.values_list("id", "name"))
        # Name order ignoring case, the same on every database whatever its collation.
        ordered = sorted(names, key=lambda skill_id: (skill_key(names[skill_id]), names[skill_id]))
        self.rank = {skill_id: rank for rank, skill_id in enumerate(ordered)}
        self.names = names

    def by_candidate(self, first_id: int, last_id: int) -> dict[int, str]:
        """The joined skills cell of each candidate with an id in the range."""
        # An id range, not an IN list: the page holds every candidate in it, and a range needs
        # no parameter per candidate.
        pairs = list(
            CandidateSkill.objects.filter(
                candidate_id__gte=first_id, candidate_id__lte=last_id
            ).values_list("candidate_id", "skill_id")
        )
        if any(skill_id not in self.rank for _, skill_id in pairs):
            self._load()  # a skill created while the export runs
        by_candidate: defaultdict[int, list[int]] = defaultdict(list)
        for candidate_id, skill_id in pairs:
            by_candidate[candidate_id].append(skill_id)
        rank, names = self.rank, self.names
        return {
            candidate_id: SKILL_SEPARATOR.join(names[i] for i in sorted(ids, key=rank.__getitem__))
            for candidate_id, ids in by_candidate.items()
        }


def _csv_row(values: tuple, skills: str, segment: tuple[int, str] | None) -> list[str]:
    (
        _,
        external_id,
        name,
        email,
        location,
        education_level,
        years,
        salary,
        primary_skill,
    ) = values
    segment_number, segment_name = segment or (None, "")
    return [
        escape_formula(external_id or ""),
        escape_formula(name),
        escape_formula(email),
        escape_formula(location),
        education_level,
        _format_years(years),
        "" if salary is None else str(salary),
        escape_formula(primary_skill),
        escape_formula(skills),
        "" if segment_number is None else str(segment_number),
        escape_formula(segment_name or ""),
    ]


def _format_years(years: float | None) -> str:
    if years is None:
        return ""
    # 17.0 reads better as "17"; repr keeps every digit of a fraction.
    return str(int(years)) if years.is_integer() else repr(years)
