"""The optional sex, age_band and ethnicity import columns: stored apart, checked per row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from candidates.csv_format import COLUMNS
from candidates.models import Candidate, Demographics
from candidates.services.csv_import import candidates_import_csv

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def _import(tmp_path: Path, text: str, **kwargs):
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return candidates_import_csv(path=path, **kwargs)


def _stored() -> dict[str, tuple[str, str, str]]:
    rows = Demographics.objects.values_list(
        "candidate__external_id", "sex", "age_band", "ethnicity"
    )
    return {external_id: tuple(values) for external_id, *values in rows}


def test_codes_labels_and_blanks_are_stored_apart_from_the_profile(tmp_path):
    report = _import(
        tmp_path,
        f"{HEADER},sex,age_band,ethnicity\n"
        "a,A,a@example.org,,,,,,,female,25_34,Asian\n"
        "b,B,b@example.org,,,,,,,MALE,25-34,\n"
        "c,C,c@example.org,,,,,,,,,\n",
    )
    assert (report.created, report.rejected, report.ignored_columns) == (3, 0, [])
    assert _stored() == {
        "a": ("female", "25_34", "asian"),
        "b": ("male", "25_34", "not_given"),
        "c": ("not_given", "not_given", "not_given"),
    }


def test_bad_values_reject_the_row_with_line_and_column(tmp_path):
    errors_csv = tmp_path / "rejected.csv"
    report = _import(
        tmp_path,
        f"{HEADER},sex,age_band,ethnicity\n"
        "a,A,a@example.org,,,,,,,female,25_34,white\n"
        "b,B,b@example.org,,,,,,,woman,,\n"
        "c,C,c@example.org,,,,,,,,30-40,martian\n",
        errors_csv=errors_csv,
    )
    assert (report.created, report.rejected) == (1, 2)
    assert [(e.line, e.column, e.value) for e in report.errors] == [
        (3, "sex", "woman"),
        (4, "age_band", "30-40"),
        (4, "ethnicity", "martian"),
    ]
    assert "female, male, other, not_given" in report.errors[0].reason
    assert not Candidate.objects.filter(external_id__in=["b", "c"]).exists()
    rows = list(csv.DictReader(errors_csv.open(encoding="utf-8-sig")))
    assert [(row["sex"], row["age_band"], row["column"]) for row in rows] == [
        ("woman", "", "sex"),
        ("", "30-40", "age_band; ethnicity"),
    ]


def test_a_file_without_the_columns_keeps_what_is_stored(tmp_path):
    _import(tmp_path, f"{HEADER},sex,ethnicity\na,A,a@example.org,,,,,,,female,black\n")
    report = _import(tmp_path, f"{HEADER}\na,A,a@example.org,Berlin,,,,,\n")
    assert report.updated == 1
    assert _stored() == {"a": ("female", "not_given", "black")}
    # Only the columns the file has change; a change to them alone counts as an update.
    report = _import(tmp_path, f"{HEADER},age_band\na,A,a@example.org,Berlin,,,,,,65_plus\n")
    assert (report.updated, report.unchanged) == (1, 0)
    assert _stored() == {"a": ("female", "65_plus", "black")}
    report = _import(tmp_path, f"{HEADER},age_band\na,A,a@example.org,Berlin,,,,,,65 and over\n")
    assert (report.updated, report.unchanged) == (0, 1)
