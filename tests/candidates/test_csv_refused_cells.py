"""Cells and rows the import refuses one by one, with line and column, storing the rest: NUL
bytes, byte-order marks inside the file, too many skills, rows too long, headers too wide."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

import pytest

from candidates.csv_format import COLUMNS, CandidateCsvError
from candidates.models import Candidate
from candidates.services.csv_import import ImportReport, candidates_import_csv

HEADER = ",".join(COLUMNS)


def good_rows(first: int, last: int) -> str:
    return "".join(f"g{i},Good {i},g{i}@example.org,,,,,,Go\n" for i in range(first, last))


def errors(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(error.line, error.column, error.reason) for error in report.errors]


def stored_external_ids() -> list[str]:
    return sorted(Candidate.objects.values_list("external_id", flat=True))


def errors_file_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.django_db
def test_a_nul_byte_rejects_its_row_and_the_rest_of_the_batch_is_stored(tmp_path: Path) -> None:
    # Before: PostgreSQL raised a DataError for the batch, losing its 999 good rows with no line.
    path = tmp_path / "nul.csv"
    path.write_text(
        f"{HEADER}\n{good_rows(0, 500)}nul,Ada\x00Lovelace,nul@example.org,,,,,,Go\n"
        f"{good_rows(500, 999)}nul2,Nul In Skills,nul2@example.org,,,,,,Go;R\x00ust\n",
        encoding="utf-8",
    )
    errors_path = tmp_path / "errors.csv"

    report = candidates_import_csv(path=path, errors_csv=errors_path, batch_size=5_000)

    nul = "contains a NUL character (\\x00), which cannot be stored"
    assert errors(report) == [(502, "name", nul), (1002, "skills", nul)]
    assert str(report.errors[0]) == f"line 502, name: {nul} (got 'Ada\\x00Lovelace')"
    assert (report.created, report.rejected) == (999, 2)
    assert Candidate.objects.count() == 999
    rejected = errors_file_rows(errors_path)
    assert [(row["external_id"], row["line"], row["column"]) for row in rejected] == [
        ("nul", "502", "name"),
        ("nul2", "1002", "skills"),
    ]
    assert rejected[0]["name"] == "Ada\x00Lovelace"


@pytest.mark.django_db
def test_a_nul_in_a_number_is_reported_once_for_its_column(tmp_path: Path) -> None:
    path = tmp_path / "nul-number.csv"
    path.write_text(f"{HEADER}\nn,N,n@example.org,,,1\x00,,,\n", encoding="utf-8")

    report = candidates_import_csv(path=path)

    assert errors(report) == [
        (2, "years_experience", "contains a NUL character (\\x00), which cannot be stored")
    ]


@pytest.mark.django_db
def test_a_byte_order_mark_inside_the_file_rejects_its_row(tmp_path: Path) -> None:
    # Two files joined: the second one's mark now starts line 3, inside its external id.
    first = f"{HEADER}\na,A,a@example.org,,,,,,\n".encode("utf-8-sig")
    second = "b,B,b@example.org,,,,,,\nc,C,c@example.org,,,,,,\n".encode("utf-8-sig")
    path = tmp_path / "joined.csv"
    path.write_bytes(first + second)

    report = candidates_import_csv(path=path)

    assert errors(report) == [
        (
            3,
            "external_id",
            "contains a byte-order mark (U+FEFF), an invisible character left by joining files",
        )
    ]
    assert stored_external_ids() == ["a", "c"]


@pytest.mark.django_db
def test_a_row_listing_more_skills_than_allowed_is_rejected(tmp_path: Path) -> None:
    many = ";".join(f"skill{i}" for i in range(10_000))
    path = tmp_path / "skills.csv"
    path.write_text(
        f"{HEADER}\nmany,Many,many@example.org,,,,,,{many}\n{good_rows(0, 1)}", encoding="utf-8"
    )

    report = candidates_import_csv(path=path)

    assert errors(report) == [(2, "skills", "lists 10,000 skills; a row may list at most 100")]
    assert stored_external_ids() == ["g0"]


@pytest.mark.django_db
def test_the_skills_limit_is_a_setting(tmp_path: Path, settings) -> None:
    settings.ADFLUX_CSV_MAX_SKILLS = 2
    path = tmp_path / "skills.csv"
    path.write_text(
        f"{HEADER}\ntwo,Two,two@example.org,,,,,,Go;Rust\nthree,Three,three@x.org,,,,,,Go;Rust;C\n",
        encoding="utf-8",
    )

    report = candidates_import_csv(path=path)

    assert errors(report) == [(3, "skills", "lists 3 skills; a row may list at most 2")]
    assert stored_external_ids() == ["two"]


def _import_peak(path: Path, errors_path: Path) -> tuple[ImportReport, int]:
    tracemalloc.start()
    try:
        report = candidates_import_csv(path=path, errors_csv=errors_path)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_a_line_of_commas_larger_than_the_limit_is_one_rejected_row_in_flat_memory(
    tmp_path: Path, settings
) -> None:
    # Before: a 150 MB line of commas took 1.5 GB and reported "Imported 0 rows".
    settings.ADFLUX_CSV_MAX_LINE_BYTES = 100_000
    path = tmp_path / "commas.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write(f"{HEADER}\n{good_rows(0, 2)}")
        file.write("," * 8_000_000 + "\n")
        file.write(good_rows(2, 4))
    errors_path = tmp_path / "errors.csv"

    report, peak = _import_peak(path, errors_path)

    assert errors(report) == [(4, "", "is longer than the limit of 100,000 bytes per row")]
    assert report.summary() == "Imported 5 rows: 4 created, 0 updated, 1 rejected."
    assert stored_external_ids() == ["g0", "g1", "g2", "g3"]
    assert [(row["line"], row["error"]) for row in errors_file_rows(errors_path)] == [
        ("4", "is longer than the limit of 100,000 bytes per row")
    ]
    # The 8 MB line is never held: reading it as cells took 64 MB of empty strings' pointers.
    assert peak < 4_000_000, peak


@pytest.mark.django_db
def test_a_header_wider_than_the_cell_limit_refuses_the_file(tmp_path: Path, settings) -> None:
    settings.ADFLUX_CSV_MAX_CELLS = 20
    path = tmp_path / "wide.csv"
    path.write_text(HEADER + "," * 20 + f"\n{good_rows(0, 1)}", encoding="utf-8")

    with pytest.raises(CandidateCsvError) as caught:
        candidates_import_csv(path=path)

    assert str(caught.value) == "The header row (line 1) has 29 cells; a row may have at most 20."
    assert Candidate.objects.count() == 0


@pytest.mark.django_db
def test_a_header_longer_than_the_line_limit_refuses_the_file(tmp_path: Path, settings) -> None:
    settings.ADFLUX_CSV_MAX_LINE_BYTES = 50
    path = tmp_path / "long-header.csv"
    path.write_text(f"{HEADER}\n{good_rows(0, 1)}", encoding="utf-8")

    with pytest.raises(CandidateCsvError) as caught:
        candidates_import_csv(path=path)

    assert str(caught.value) == (
        "The header row (line 1) is longer than the limit of 50 bytes per row."
    )
