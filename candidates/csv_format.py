"""The candidates CSV format: its columns, and turning one row into a valid candidate or errors.

Pure: no database access, so every rule here is testable on hand-made dicts. The rules mirror the
model's constraints (lengths, ranges, choices) so a row that passes never fails in the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from candidates.models import (
    DEMOGRAPHIC_CHOICES,
    MAX_DESIRED_SALARY,
    MAX_YEARS_EXPERIENCE,
    NOT_GIVEN,
    PROFILE_FIELDS,
    Candidate,
    EducationLevel,
    Skill,
)
from candidates.skill_names import split_skills

# The formula rule is shared by every CSV AdFlux writes; re-exported for the import and export.
from common.csv_cells import escape_formula as escape_formula
from common.csv_cells import unescape_formula

COLUMNS: tuple[str, ...] = (*PROFILE_FIELDS, "skills")
# Every column is required: a file without, say, desired_salary would otherwise blank the
# salaries of the candidates it updates. A column can be present and empty.
REQUIRED_COLUMNS = COLUMNS
# Optional columns: absent from a file, they leave what is stored alone.
OPTIONAL_COLUMNS: tuple[str, ...] = ("contact_allowed",)
# Optional, self-reported (docs/trust.md): a file without them leaves what is stored; a blank
# cell is "not given". Stored apart from the profile (candidates.models.Demographics).
DEMOGRAPHIC_COLUMNS: tuple[str, ...] = tuple(DEMOGRAPHIC_CHOICES)
SEGMENT_COLUMNS: tuple[str, ...] = ("segment", "segment_name")
EXPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, *SEGMENT_COLUMNS)
ERROR_COLUMNS: tuple[str, ...] = ("line", "column", "error")
# Columns AdFlux itself writes (the export's segment, the errors file's diagnosis): importing
# those files back is expected, so these are ignored without a warning.
KNOWN_EXTRA_COLUMNS = frozenset((*SEGMENT_COLUMNS, *ERROR_COLUMNS))
# Text cells are read back from their formula escape; numbers never carry one.
TEXT_COLUMNS = frozenset(
    ("external_id", "name", "email", "location", "education_level", "primary_skill", "skills")
)

# Characters refused in any cell: PostgreSQL cannot store NUL in text (SQLite could, so both
# refuse it alike), and a byte-order mark inside a file (left by joining two files) would sit
# invisibly in a value such as an external id.
_FORBIDDEN_CHARACTERS = {
    "\x00": "contains a NUL character (\\x00), which cannot be stored",
    "\ufeff": "contains a byte-order mark (U+FEFF), an invisible character left by joining files",
}
DEFAULT_MAX_SKILLS = 100

_MAX_LENGTH = {
    column: Candidate._meta.get_field(column).max_length
    for column in ("external_id", "name", "email", "location", "primary_skill")
}
MAX_SKILL_NAME_LENGTH: int = Skill._meta.get_field("name").max_length  # type: ignore[assignment]

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_NOT_FINITE = frozenset(
    sign + word for sign in ("", "+", "-") for word in ("inf", "infinity", "nan", "snan")
)
_EDUCATION_BY_TEXT: dict[str, str] = {
    text.casefold(): level.value
    for level in EducationLevel
    for text in (level.value, str(level.label))
}
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_EDUCATION_HELP = ", ".join(EducationLevel.values)
# Each demographic column accepts a code or its label, in any case ("25-34" for "25–34" too).
_DEMOGRAPHIC_BY_TEXT: dict[str, dict[str, str]] = {
    column: {
        text.casefold(): choice.value
        for choice in choices
        for text in (choice.value, str(choice.label), str(choice.label).replace("\u2013", "-"))
    }
    for column, choices in DEMOGRAPHIC_CHOICES.items()
}
_validate_email = EmailValidator()


class CandidateCsvError(Exception):
    """The file as a whole cannot be imported (missing columns, unreadable, malformed)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one cell of one row was rejected; ``line`` is the row's first physical line."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}: {self.reason}" + (f" (got {shown!r})" if self.value else "")


@dataclass(frozen=True, slots=True)
class ParsedCandidate:
    """One valid row, cleaned: trimmed text, "" for a blank category, None for a blank number."""

    external_id: str | None
    name: str
    email: str
    location: str
    education_level: str
    years_experience: float | None
    desired_salary: int | None
    primary_skill: str
    skills: tuple[str, ...]
    # None: the file has no contact_allowed column, or the cell is blank.
    contact_allowed: bool | None = None
    # The demographic columns the file has, each a code ("not_given" for a blank cell).
    demographics: tuple[tuple[str, str], ...] = ()

    @property
    def email_key(self) -> str:
        # The same notion of "same email" as the Lower("email") unique constraint.
        return self.email.lower()


def normalise_header(names: Sequence[str]) -> list[str]:
    """Header names compared trimmed and case-insensitively (``Email `` is ``email``)."""
    return [name.strip().lstrip("\ufeff").strip().lower() for name in names]


def check_header(header: Sequence[str]) -> list[str]:
    """The unknown columns of a normalised header; raise if a required one is missing."""
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CandidateCsvError(
            f"The file lacks the required column(s): {', '.join(missing)}. "
            f"The header must name: {','.join(COLUMNS)}."
        )
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise CandidateCsvError(f"The header repeats the column(s): {', '.join(duplicated)}.")
    known = (*COLUMNS, *OPTIONAL_COLUMNS)
    return [
        name
        for name in header
        if name not in known and name not in KNOWN_EXTRA_COLUMNS and name not in DEMOGRAPHIC_COLUMNS
    ]


def parse_row(
    raw: Mapping[str, str | None], line: int, *, max_skills: int = DEFAULT_MAX_SKILLS
) -> ParsedCandidate | list[RowError]:
    """Validate one row (column -> cell text); every problem is reported, not just the first.

    At most one problem per column: a cell refused for a NUL is not also "not a number".
    """
    cells = {
        column: _clean_cell(column, raw.get(column)) for column in (*COLUMNS, *OPTIONAL_COLUMNS)
    }
    errors: list[RowError] = []
    rejected: set[str] = set()

    def reject(column: str, reason: str) -> None:
        if column not in rejected:
            rejected.add(column)
            errors.append(RowError(line=line, column=column, value=cells[column], reason=reason))

    for column, text in cells.items():
        for character, reason in _FORBIDDEN_CHARACTERS.items():
            if character in text:
                reject(column, reason)

    for column, max_length in _MAX_LENGTH.items():
        if len(cells[column]) > max_length:
            reject(column, f"is longer than {max_length} characters ({len(cells[column])})")
    for column in ("name", "email"):
        if not cells[column]:
            reject(column, "is required")
    email = cells["email"]
    if email and len(email) <= _MAX_LENGTH["email"]:
        try:
            _validate_email(email)
        except ValidationError:
            reject("email", "is not a valid email address")

    education = _EDUCATION_BY_TEXT.get(cells["education_level"].casefold())
    if cells["education_level"] and education is None:
        reject(
            "education_level",
            f"is not an education level; use one of {_EDUCATION_HELP} (or their labels)",
        )

    years: float | None = None
    years_text = cells["years_experience"]
    if years_text:
        number = _parse_number(years_text)
        if isinstance(number, str):
            reject("years_experience", number)
        elif not 0 <= number <= MAX_YEARS_EXPERIENCE:
            reject("years_experience", f"must be between 0 and {MAX_YEARS_EXPERIENCE}")
        else:
            years = float(number)

    salary: int | None = None
    salary_text = cells["desired_salary"]
    if salary_text:
        number = _parse_number(salary_text)
        if isinstance(number, str):
            if _THOUSANDS.fullmatch(salary_text):
                number = "must be written without thousands separators (65000, not 65,000)"
            reject("desired_salary", number)
        elif number < 0:
            reject("desired_salary", "must not be negative")
        elif number > MAX_DESIRED_SALARY:
            reject("desired_salary", f"must not exceed {MAX_DESIRED_SALARY:,}")
        elif number != number.to_integral_value():
            reject("desired_salary", "must be a whole number")
        else:
            salary = int(number)

    skills = split_skills(cells["skills"])
    if len(skills) > max_skills:
        reject("skills", f"lists {len(skills):,} skills; a row may list at most {max_skills:,}")
    too_long = [name for name in skills if len(name) > MAX_SKILL_NAME_LENGTH]
    if too_long:
        shown = too_long[0][:30] + "..."
        reject("skills", f"skill {shown!r} is longer than {MAX_SKILL_NAME_LENGTH} characters")

    contact_allowed: bool | None = None
    if cells["contact_allowed"]:
        contact_allowed = _BOOLEANS.get(cells["contact_allowed"].casefold())
        if contact_allowed is None:
            reject("contact_allowed", "must be one of true, false, yes, no, 1, 0 (or blank)")
    demographics: list[tuple[str, str]] = []
    for column in DEMOGRAPHIC_COLUMNS:
        if column not in raw:
            continue
        text = (raw.get(column) or "").strip()
        code = _DEMOGRAPHIC_BY_TEXT[column].get(text.casefold()) if text else NOT_GIVEN
        if code is None:
            cells[column] = text  # so the error shows the value
            allowed = ", ".join(DEMOGRAPHIC_CHOICES[column].values)
            reject(column, f"is not one of {allowed} (or their labels), or blank")
        else:
            demographics.append((column, code))

    if errors:
        return errors
    return ParsedCandidate(
        external_id=cells["external_id"] or None,
        name=cells["name"],
        email=email,
        location=cells["location"],
        education_level=education or "",
        years_experience=years,
        desired_salary=salary,
        primary_skill=cells["primary_skill"],
        skills=skills,
        contact_allowed=contact_allowed,
        demographics=tuple(demographics),
    )


def _clean_cell(column: str, value: str | None) -> str:
    text = (value or "").strip()
    if column in TEXT_COLUMNS:
        text = unescape_formula(text)
    if column == "education_level":
        # Spreadsheets turn the apostrophe of "Master's degree" into a typographic one.
        text = text.replace("\u2019", "'")
    return text


def _parse_number(text: str) -> Decimal | str:
    """The number in ``text``, or the reason it is not one.

    Decimal, not float: "1e400" is then a number out of range, not an infinity, and a salary
    keeps every digit.
    """
    if text.lower() in _NOT_FINITE:
        return "is not a finite number"
    if not _NUMBER.fullmatch(text):
        return "is not a number"
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return "is not a number"
