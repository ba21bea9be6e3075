"""Property-based: whatever a row holds, parsing answers with a candidate or with located errors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from candidates.csv_format import COLUMNS, ParsedCandidate, RowError, escape_formula, parse_row
from candidates.models import MAX_DESIRED_SALARY, EducationLevel

cells = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.sampled_from(["", "1e400", "-1", "nan", "inf", "NaN", "=cmd|' /C calc'!A0", "0x10"]),
)
rows = st.fixed_dictionaries({column: cells for column in COLUMNS})


@settings(max_examples=300, deadline=None)
@given(raw=rows, line=st.integers(min_value=2, max_value=10**7))
def test_any_row_gives_a_candidate_or_errors_that_say_where(raw, line):
    result = parse_row(raw, line)
    if isinstance(result, ParsedCandidate):
        assert result.name and result.email
        assert result.years_experience is None or 0 <= result.years_experience <= 80
        assert result.desired_salary is None or 0 <= result.desired_salary <= MAX_DESIRED_SALARY
        assert result.education_level in {"", *EducationLevel.values}
    else:
        assert result, "a rejected row must carry at least one error"
        for error in result:
            assert isinstance(error, RowError)
            assert error.line == line
            assert error.column in COLUMNS
            assert error.reason


# Without U+FEFF: a byte-order mark inside a cell is refused (left by joining files).
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
    min_size=1,
    max_size=50,
).filter(lambda s: s.strip())


@settings(max_examples=200, deadline=None)
@given(
    name=names,
    years=st.one_of(st.none(), st.floats(min_value=0, max_value=80, allow_nan=False)),
    salary=st.one_of(st.none(), st.integers(min_value=0, max_value=MAX_DESIRED_SALARY)),
    education=st.sampled_from(["", *EducationLevel.values, *EducationLevel.labels]),
)
def test_valid_values_come_back_unchanged(name, years, salary, education):
    raw = {
        "external_id": "x-1",
        "name": escape_formula(name.strip()),
        "email": "someone@example.org",
        "location": "Berlin",
        "education_level": education.upper(),
        "years_experience": "" if years is None else repr(years),
        "desired_salary": "" if salary is None else str(salary),
        "primary_skill": "Developer, back-end",
        "skills": "Python;C#",
    }
    result = parse_row(raw, 2)
    assert isinstance(result, ParsedCandidate), result
    assert result.name == name.strip()
    assert result.years_experience == years
    assert result.desired_salary == salary
    expected = dict(zip(EducationLevel.labels, EducationLevel.values, strict=True)).get(
        education, education
    )
    assert result.education_level == expected
