"""The row rules of the candidates CSV, on hand-made dicts: no database."""

from __future__ import annotations

import pytest

from candidates.csv_format import (
    COLUMNS,
    CandidateCsvError,
    ParsedCandidate,
    RowError,
    check_header,
    escape_formula,
    normalise_header,
    parse_row,
    unescape_formula,
)
from candidates.models import EducationLevel
from candidates.skill_names import split_skills

GOOD = {
    "external_id": "ext-1",
    "name": "Ada Lovelace",
    "email": "Ada@Example.org",
    "location": "London",
    "education_level": "master",
    "years_experience": "12.5",
    "desired_salary": "90000",
    "primary_skill": "Developer, back-end",
    "skills": "Python;C#",
}


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def errors_of(raw: dict[str, str], line: int = 7) -> list[tuple[str, str]]:
    result = parse_row(raw, line)
    assert isinstance(result, list), f"expected errors, got {result!r}"
    assert all(error.line == line for error in result)
    return [(error.column, error.reason) for error in result]


def test_a_good_row_is_cleaned_and_typed() -> None:
    parsed = parse_row({key: f"  {value} " for key, value in GOOD.items()}, 2)

    assert parsed == ParsedCandidate(
        external_id="ext-1",
        name="Ada Lovelace",
        email="Ada@Example.org",
        location="London",
        education_level="master",
        years_experience=12.5,
        desired_salary=90000,
        primary_skill="Developer, back-end",
        skills=("Python", "C#"),
    )
    assert parsed.email_key == "ada@example.org"


def test_blank_optional_cells_become_blank_values() -> None:
    parsed = parse_row(
        row(
            external_id="",
            location="",
            education_level="",
            years_experience="",
            desired_salary="",
            primary_skill="",
            skills="",
        ),
        2,
    )

    assert isinstance(parsed, ParsedCandidate)
    assert parsed.external_id is None
    assert (parsed.location, parsed.education_level, parsed.primary_skill) == ("", "", "")
    assert (parsed.years_experience, parsed.desired_salary, parsed.skills) == (None, None, ())


@pytest.mark.parametrize(
    "text",
    ["Master's degree", "MASTER'S DEGREE", "master", " Master ", "Master\u2019s degree"],
)
def test_education_is_read_by_code_or_label_in_any_case(text: str) -> None:
    parsed = parse_row(row(education_level=text), 2)

    assert isinstance(parsed, ParsedCandidate)
    assert parsed.education_level == EducationLevel.MASTER


@pytest.mark.parametrize(
    ("years", "expected"), [("0", 0.0), ("0.5", 0.5), ("80", 80.0), ("1e1", 10.0), ("+3", 3.0)]
)
def test_years_accept_fractions_within_range(years: str, expected: float) -> None:
    parsed = parse_row(row(years_experience=years), 2)

    assert isinstance(parsed, ParsedCandidate)
    assert parsed.years_experience == expected


@pytest.mark.parametrize(
    ("years", "reason"),
    [
        ("abc", "is not a number"),
        ("5 years", "is not a number"),
        ("-1", "must be between 0 and 80"),
        ("80.01", "must be between 0 and 80"),
        ("1e400", "must be between 0 and 80"),
        ("inf", "is not a finite number"),
        ("-Infinity", "is not a finite number"),
        ("nan", "is not a finite number"),
    ],
)
def test_bad_years_are_rejected_with_a_reason(years: str, reason: str) -> None:
    assert errors_of(row(years_experience=years)) == [("years_experience", reason)]


@pytest.mark.parametrize(
    ("salary", "expected"),
    [("65000", 65000), ("65000.0", 65000), ("6.5e4", 65000), ("0", 0), ("10000000000", 10**10)],
)
def test_salaries_accept_whole_numbers_written_any_plain_way(salary: str, expected: int) -> None:
    parsed = parse_row(row(desired_salary=salary), 2)

    assert isinstance(parsed, ParsedCandidate)
    assert parsed.desired_salary == expected


@pytest.mark.parametrize(
    ("salary", "reason"),
    [
        ("-5", "must not be negative"),
        ("65000.5", "must be a whole number"),
        ("65,000", "must be written without thousands separators (65000, not 65,000)"),
        ("10000000001", "must not exceed 10,000,000,000"),
        ("1e400", "must not exceed 10,000,000,000"),
        ("inf", "is not a finite number"),
        ("NaN", "is not a finite number"),
        ("sixty", "is not a number"),
        ("0x10", "is not a number"),
    ],
)
def test_bad_salaries_are_rejected_with_a_reason(salary: str, reason: str) -> None:
    assert errors_of(row(desired_salary=salary)) == [("desired_salary", reason)]


@pytest.mark.parametrize("email", ["ada", "ada@", "ada@example", "a b@example.org", "@x.org"])
def test_malformed_emails_are_rejected(email: str) -> None:
    assert errors_of(row(email=email)) == [("email", "is not a valid email address")]


def test_name_and_email_are_required() -> None:
    assert errors_of(row(name=" ", email="")) == [("name", "is required"), ("email", "is required")]


def test_every_problem_of_a_row_is_reported_with_its_value() -> None:
    result = parse_row(row(education_level="phd", years_experience="x", desired_salary="-1"), 9)

    assert result == [
        RowError(
            9,
            "education_level",
            "phd",
            "is not an education level; use one of primary, secondary, some_college, "
            "associate, bachelor, master, doctorate, other (or their labels)",
        ),
        RowError(9, "years_experience", "x", "is not a number"),
        RowError(9, "desired_salary", "-1", "must not be negative"),
    ]


@pytest.mark.parametrize(
    ("column", "limit"),
    [("external_id", 100), ("name", 200), ("location", 100), ("primary_skill", 100)],
)
def test_cells_longer_than_their_column_are_rejected(column: str, limit: int) -> None:
    assert isinstance(parse_row(row(**{column: "x" * limit}), 2), ParsedCandidate)

    assert errors_of(row(**{column: "x" * (limit + 1)})) == [
        (column, f"is longer than {limit} characters ({limit + 1})")
    ]


def test_an_email_longer_than_its_column_is_rejected_once() -> None:
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".org"

    assert errors_of(row(email=email)) == [
        ("email", f"is longer than 254 characters ({len(email)})")
    ]


def test_a_skill_name_longer_than_the_skill_column_is_rejected() -> None:
    assert errors_of(row(skills="Python;" + "k" * 101)) == [
        ("skills", f"skill {'k' * 30 + '...'!r} is longer than 100 characters")
    ]


def test_skills_are_trimmed_deduplicated_ignoring_case_keeping_the_first_spelling() -> None:
    parsed = parse_row(row(skills=" C# ; c#;HTML/CSS;;Bash/Shell (all shells) ; html/css "), 2)

    assert isinstance(parsed, ParsedCandidate)
    assert parsed.skills == ("C#", "HTML/CSS", "Bash/Shell (all shells)")


def test_a_missing_cell_counts_as_blank() -> None:
    raw: dict[str, str | None] = {"name": "Ada", "email": "ada@example.org", "skills": None}

    parsed = parse_row(raw, 2)

    assert isinstance(parsed, ParsedCandidate)
    assert parsed.skills == ()


def test_formula_escaped_text_cells_are_read_back_unescaped() -> None:
    parsed = parse_row(row(name="'=1+2", location="'@home", skills="'-Go;Rust"), 2)

    assert isinstance(parsed, ParsedCandidate)
    assert (parsed.name, parsed.location, parsed.skills) == ("=1+2", "@home", ("-Go", "Rust"))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-Go", "'-Go"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("'=x", "''=x"),
        ("-5", "-5"),
        ("-2.5e3", "-2.5e3"),
        ("Ada", "Ada"),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_formula_escaping_defuses_formulas_and_round_trips(text: str, escaped: str) -> None:
    assert escape_formula(text) == escaped
    assert unescape_formula(escaped) == text


def test_header_names_are_matched_trimmed_and_in_any_case() -> None:
    header = normalise_header(["\ufeffExternal_ID ", *[c.upper() for c in COLUMNS[1:]], " Notes"])

    assert check_header(header) == ["notes"]


def test_the_segment_and_error_columns_adflux_writes_are_ignored_silently() -> None:
    header = [*COLUMNS, "segment", "segment_name", "line", "column", "error"]

    assert check_header(header) == []


def test_a_header_without_required_columns_names_them() -> None:
    with pytest.raises(CandidateCsvError, match="lacks the required column\\(s\\): email, skills"):
        check_header(
            [
                "external_id",
                "name",
                "location",
                "education_level",
                "years_experience",
                "desired_salary",
                "primary_skill",
            ]
        )


def test_a_header_repeating_a_column_is_refused() -> None:
    with pytest.raises(CandidateCsvError, match="repeats the column\\(s\\): email"):
        check_header([*COLUMNS, "email"])


def test_a_blank_skills_cell_has_no_skills() -> None:
    assert split_skills("") == split_skills(" ; ;") == ()
