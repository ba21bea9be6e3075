"""Reading CSV files: encodings and physical line numbers, on files in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from candidates.csv_files import (
    CP1252,
    LATIN1,
    UTF8,
    MalformedCsvError,
    csv_records,
    detect_encoding,
    open_csv_text,
)


def records(path: Path) -> list[tuple[int, list[str]]]:
    with open_csv_text(path, detect_encoding(path)) as stream:
        return list(csv_records(stream))


def test_utf8_with_and_without_bom_is_read_as_utf8(tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text("name\nJosé\n", encoding="utf-8")
    bom.write_text("name\nJosé\n", encoding="utf-8-sig")

    assert detect_encoding(plain) == detect_encoding(bom) == UTF8
    assert records(bom) == records(plain) == [(1, ["name"]), (2, ["José"])]


def test_a_file_that_is_not_utf8_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("name\nJosé Müller – ‘C#’\n".encode("cp1252"))

    assert detect_encoding(path) == CP1252
    assert records(path)[1] == (2, ["José Müller – ‘C#’"])


def test_bytes_windows_1252_leaves_undefined_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"name\nJos\xe9 \x81\n")

    assert detect_encoding(path) == LATIN1
    assert records(path)[1] == (2, ["José \x81"])


def test_invalid_utf8_after_the_first_megabyte_is_still_detected(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"name\n" + b"a\n" * 700_000 + "Müller\n".encode("cp1252"))

    assert detect_encoding(path) == CP1252


def test_records_carry_the_physical_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(
        'a,b\r\n1,"two\nlines"\r\n\r\n,\r\n3,"three\r\nmore\r\nlines"\n4,x\n', encoding="utf-8"
    )

    assert records(path) == [
        (1, ["a", "b"]),
        (2, ["1", "two\nlines"]),
        (6, ["3", "three\r\nmore\r\nlines"]),
        (9, ["4", "x"]),
    ]


def test_a_runaway_quoted_cell_is_reported_at_the_line_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "runaway.csv"
    path.write_text('a,b\n1,2\n3,"never closed\n' + "x" * 200_000 + "\n", encoding="utf-8")

    with pytest.raises(MalformedCsvError, match="Line 3 is not valid CSV") as caught:
        records(path)
    assert caught.value.line == 3
