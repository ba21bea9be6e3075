"""manage.py import_candidates: what the person at the terminal reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from candidates.csv_format import COLUMNS
from candidates.models import Candidate

HEADER = ",".join(COLUMNS)


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_candidates", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.mark.django_db
def test_the_summary_names_created_updated_and_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        f"{HEADER},notes\na,A,a@example.org,,,,,,,x\nb,B,b@example.org,,,abc,,,,y\n",
        encoding="utf-8",
    )
    errors_path = tmp_path / "errors.csv"

    stdout, stderr = run(str(path), "--errors-csv", str(errors_path))

    assert stdout == "Imported 2 rows: 1 created, 0 updated, 1 rejected.\n"
    assert stderr.splitlines() == [
        "Ignored the unknown column(s): notes.",
        "line 3, years_experience: is not a number (got 'abc')",
    ]
    assert errors_path.read_text(encoding="utf-8-sig").splitlines()[1] == (
        "b,B,b@example.org,,,abc,,,,3,years_experience,years_experience: is not a number"
    )


@pytest.mark.django_db
def test_long_error_lists_are_cut_short_with_a_pointer(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        HEADER + "\n" + "".join(f"x{i},,x{i}@example.org,,,,,,\n" for i in range(25)),
        encoding="utf-8",
    )

    _, stderr = run(str(path))

    lines = stderr.splitlines()
    assert len(lines) == 21
    assert lines[0] == "line 2, name: is required"
    assert lines[-1] == "... and 5 more errors (use --errors-csv)."


@pytest.mark.django_db
def test_a_windows_1252_file_is_imported_when_named_with_encoding(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(f"{HEADER}\na,Zoë,a@example.org,,,,,,\n".encode("cp1252"))

    stdout, stderr = run(str(path), "--encoding", "cp1252")

    assert stdout == "Imported 1 row: 1 created, 0 updated, 0 rejected.\n"
    assert stderr == ""
    assert Candidate.objects.get().name == "Zoë"


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_unless_its_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(f"{HEADER}\na,Café,a@example.org,,,,,,\n".encode("cp1252"))

    with pytest.raises(CommandError) as caught:
        run(str(path))

    assert str(caught.value) == (
        "Line 2 is not valid UTF-8 (invalid continuation byte 0xE9 at byte offset 106 of the file, "
        "byte 6 of the line). Nothing was imported. Save the file as UTF-8, or name the encoding "
        "it was saved in (import_candidates --encoding cp1252 for a CSV file Excel saved on "
        "Windows, --encoding latin-1)."
    )
    assert Candidate.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_encoding_is_a_command_error(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"{HEADER}\na,A,a@example.org,,,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError, match="'klingon' is not an encoding Python knows"):
        run(str(path), "--encoding", "klingon")
    with pytest.raises(CommandError, match="Cannot import a file in utf-16: CSV needs"):
        run(str(path), "--encoding", "utf-16")


@pytest.mark.django_db
def test_missing_columns_are_a_command_error_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,email\nA,a@example.org\n", encoding="utf-8")

    with pytest.raises(CommandError, match="lacks the required column\\(s\\): external_id, "):
        run(str(path))
    assert Candidate.objects.count() == 0


def test_a_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a file"):
        run(str(tmp_path / "missing.csv"))


def test_a_batch_size_below_one_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        run(str(tmp_path / "x.csv"), "--batch-size", "0")


@pytest.mark.django_db
def test_an_errors_file_that_cannot_be_written_is_a_command_error(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(f"{HEADER}\na,A,a@example.org,,,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Cannot write .*missing/errors.csv"):
        run(str(path), "--errors-csv", str(tmp_path / "missing" / "errors.csv"))
    assert Candidate.objects.count() == 0
