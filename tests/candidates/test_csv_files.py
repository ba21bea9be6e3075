"""Reading CSV files: encodings and physical line numbers, on files in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from candidates.csv_files import (
    UTF8,
    FileEncodingError,
    MalformedCsvError,
    OverlongRowError,
    csv_records,
    encoding_check,
    encoding_resolve,
    open_csv_text,
)


def records(path: Path, encoding: str | None = None, **limits: int) -> list:
    codec = encoding_resolve(encoding)
    encoding_check(path, codec)
    with open_csv_text(path, codec) as stream:
        return [
            (record.line, str(record)) if isinstance(record, OverlongRowError) else record
            for record in csv_records(stream, **limits)
        ]


def test_utf8_with_and_without_bom_is_read_as_utf8(tmp_path: Path) -> None:
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text("name\nJosé\n", encoding="utf-8")
    bom.write_text("name\nJosé\n", encoding="utf-8-sig")

    assert encoding_resolve(None) == encoding_resolve("UTF8") == UTF8
    assert records(bom) == records(plain) == [(1, ["name"]), (2, ["José"])]


def test_one_invalid_utf8_byte_is_refused_with_its_line_and_offset(tmp_path: Path) -> None:
    # Before: the whole file fell back to Windows-1252 and every "é" became "Ã©".
    path = tmp_path / "mixed.csv"
    path.write_bytes("name\nCafé\nJos".encode() + b"\xe9 X\n" + "Zoë\n".encode())

    with pytest.raises(FileEncodingError) as caught:
        encoding_check(path, UTF8)

    assert str(caught.value) == (
        "Line 3 is not valid UTF-8 (invalid continuation byte 0xE9 at byte offset 14 of the "
        "file, byte 4 of the line)."
    )
    assert (caught.value.line, caught.value.offset) == (3, 14)


def test_invalid_utf8_after_the_first_megabyte_is_found_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"name\n" + b"a\n" * 700_000 + "Müller\n".encode("cp1252"))

    with pytest.raises(FileEncodingError, match="Line 700002 is not valid UTF-8") as caught:
        encoding_check(path, UTF8)
    assert caught.value.offset == 5 + 1_400_000 + 1


def test_an_invalid_byte_in_a_line_spanning_chunks_counts_from_the_line_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long-line.csv"
    path.write_bytes(b"name\n" + b"x" * 1_500_000 + b"\xff\n")

    with pytest.raises(FileEncodingError, match="byte 1,500,001 of the line"):
        encoding_check(path, UTF8)


def test_a_named_encoding_reads_what_utf8_refuses(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("name\nJosé Müller – ‘C#’\n".encode("cp1252"))

    assert records(path, "cp1252")[1] == (2, ["José Müller – ‘C#’"])
    assert records(path, "latin-1")[1][1][0].startswith("José Müller")


def test_bytes_the_named_encoding_lacks_are_refused_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"name\nJos\xe9 \x81\n")

    with pytest.raises(FileEncodingError, match=r"Line 2 is not valid cp1252 .* 0x81 at byte off"):
        encoding_check(path, encoding_resolve("cp1252"))
    assert records(path, "latin-1")[1] == (2, ["José \x81"])


def test_unknown_and_not_ascii_compatible_encodings_are_refused() -> None:
    with pytest.raises(LookupError):
        encoding_resolve("klingon")
    with pytest.raises(ValueError, match="utf-16 is not an ASCII-compatible encoding"):
        encoding_resolve("utf-16")


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


def test_a_row_longer_than_the_limit_is_skipped_without_being_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "commas.csv"
    path.write_text("a,b\n1,2\n" + "," * 5_000 + "\n3,4\n", encoding="utf-8")

    assert records(path, max_row_bytes=1_000) == [
        (1, ["a", "b"]),
        (2, ["1", "2"]),
        (3, "is longer than the limit of 1,000 bytes per row"),
        (4, ["3", "4"]),
    ]


def test_the_row_limit_counts_bytes_not_characters(tmp_path: Path) -> None:
    path = tmp_path / "accents.csv"
    path.write_text("a\n" + "é" * 600 + "\n" + "e" * 600 + "\n", encoding="utf-8")

    assert records(path, max_row_bytes=1_000) == [
        (1, ["a"]),
        (2, "is longer than the limit of 1,000 bytes per row"),
        (3, ["e" * 600]),
    ]


def test_a_quoted_row_growing_past_the_limit_stops_at_the_line_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('a,b\n1,"x\n' + "y" * 600 + "\n" + "z" * 600 + '"\n2,3\n', encoding="utf-8")

    with pytest.raises(MalformedCsvError, match="Line 2 is not valid CSV .*longer than the limit"):
        records(path, max_row_bytes=1_000)
