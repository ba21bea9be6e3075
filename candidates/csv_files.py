"""Reading CSV files as they arrive: guessing the encoding, streaming records with line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

UTF8 = "utf-8-sig"  # reads UTF-8 with or without a byte-order mark
CP1252 = "cp1252"
LATIN1 = "latin-1"
_CHUNK = 1 << 20


def detect_encoding(path: Path) -> str:
    """UTF-8 when the whole file is valid UTF-8, else Windows-1252, else Latin-1.

    One streamed pass, so a huge file is never held in memory. Excel saves "CSV" as Windows-1252;
    Latin-1 decodes any byte and catches the five bytes Windows-1252 leaves undefined.
    """
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder(CP1252)()
    utf8_ok = cp1252_ok = True
    with path.open("rb") as file:
        while True:
            chunk = file.read(_CHUNK)
            final = not chunk
            # Both decoders see every byte: a UTF-8 letter can hold a byte Windows-1252 lacks.
            utf8_ok = utf8_ok and _decodes(utf8, chunk, final)
            cp1252_ok = cp1252_ok and _decodes(cp1252, chunk, final)
            if final or not (utf8_ok or cp1252_ok):
                break
    if utf8_ok:
        return UTF8
    return CP1252 if cp1252_ok else LATIN1


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


class MalformedCsvError(Exception):
    """The csv module cannot read on from ``line`` (an unclosed quote, a runaway cell)."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"Line {line} is not valid CSV ({detail}).")
        self.line = line


def open_csv_text(path: Path, encoding: str) -> TextIO:
    """A text stream for the csv module (``newline=""`` keeps line breaks inside quoted cells)."""
    return path.open(encoding=encoding, newline="")


def bytes_read(stream: TextIO) -> int:
    """How far into the file a stream has read, in bytes, for a progress bar."""
    return stream.buffer.raw.tell()  # type: ignore[attr-defined]


def csv_records(stream: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) per record; blank lines and all-empty rows are skipped.

    A quoted cell may span lines, so a record's line is where it starts, which the csv module
    only tells indirectly: the line after the one the previous record ended on.
    """
    reader = csv.reader(stream)
    previous_end = 0
    try:
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if any(cell.strip() for cell in cells):
                yield line, cells
    except csv.Error as exc:
        raise MalformedCsvError(previous_end + 1, str(exc)) from exc
