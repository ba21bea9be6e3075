"""Reading CSV files as they arrive: checking the encoding, streaming records with line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

UTF8 = "utf-8-sig"  # reads UTF-8 with or without a byte-order mark
_CHUNK = 1 << 20
_SKIP_CHUNK = 1 << 16  # how much of a row too long to keep is read at a time, to throw away
# What a CSV line is made of must read as the same bytes in the file's encoding, or line numbers
# and byte offsets could not be counted on the raw bytes.
_CSV_SYNTAX = ',"\r\n'


class FileEncodingError(Exception):
    """The file holds bytes its encoding cannot read, first at ``line`` and ``offset``."""

    def __init__(self, *, line: int, offset: int, line_offset: int, encoding: str, detail: str):
        super().__init__(
            f"Line {line} is not valid {encoding} ({detail} at byte offset {offset:,} of the "
            f"file, byte {line_offset:,} of the line)."
        )
        self.line = line
        self.offset = offset


def encoding_resolve(name: str | None) -> str:
    """The codec to read a file with: UTF-8 (with or without a byte-order mark) unless named.

    Raise ``LookupError`` for an unknown name and ``ValueError`` for an encoding in which CSV's
    commas, quotes and line breaks are not single ASCII bytes (UTF-16, UTF-32).
    """
    if name is None:
        return UTF8
    codec = codecs.lookup(name)
    if codec.name in ("utf-8", "utf-8-sig"):
        return UTF8
    if _CSV_SYNTAX.encode(codec.name) != _CSV_SYNTAX.encode("ascii"):
        raise ValueError(f"{name} is not an ASCII-compatible encoding")
    return codec.name


def encoding_check(path: Path, encoding: str) -> None:
    """Raise ``FileEncodingError`` at the first byte sequence ``encoding`` cannot decode.

    One streamed pass, so a huge file is never held in memory. No fallback to another encoding:
    a guess that is wrong garbles every accented letter of the file without a word.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    fed = newlines = 0  # bytes given to the decoder so far, and the line breaks among them
    with path.open("rb") as file:
        while True:
            chunk = file.read(_CHUNK)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.object is the bytes the decoder held back from the last chunk + this one.
                before = exc.object[: exc.start]
                start = fed - len(pending)
                line_start = before.rfind(b"\n")
                if line_start >= 0:
                    line_offset = exc.start - line_start
                else:
                    line_offset = _bytes_since_newline(path, start) + exc.start + 1
                bad = exc.object[exc.start : exc.end]
                raise FileEncodingError(
                    line=newlines - pending.count(b"\n") + before.count(b"\n") + 1,
                    offset=start + exc.start,
                    line_offset=line_offset,
                    encoding=_label(encoding),
                    detail=f"{exc.reason} {' '.join(f'0x{byte:02X}' for byte in bad)}",
                ) from None
            if not chunk:
                return
            fed += len(chunk)
            newlines += chunk.count(b"\n")


def _bytes_since_newline(path: Path, offset: int) -> int:
    """How many bytes before ``offset`` follow the last line break (reads back chunk by chunk)."""
    with path.open("rb") as file:
        end = offset
        while end > 0:
            start = max(0, end - _CHUNK)
            file.seek(start)
            found = file.read(end - start).rfind(b"\n")
            if found >= 0:
                return offset - (start + found + 1)
            end = start
    return offset


def _label(encoding: str) -> str:
    return "UTF-8" if encoding == UTF8 else encoding


class MalformedCsvError(Exception):
    """The csv module cannot read on from ``line`` (an unclosed quote, a runaway cell)."""

    def __init__(self, line: int, detail: str) -> None:
        super().__init__(f"Line {line} is not valid CSV ({detail}).")
        self.line = line


class OverlongRowError(Exception):
    """A row longer than the limit, skipped whole without being held in memory."""

    def __init__(self, line: int, max_bytes: int) -> None:
        super().__init__(f"is longer than the limit of {max_bytes:,} bytes per row")
        self.line = line


def open_csv_text(path: Path, encoding: str) -> TextIO:
    """A text stream for the csv module (``newline=""`` keeps line breaks inside quoted cells)."""
    return path.open(encoding=encoding, newline="")


def bytes_read(stream: TextIO) -> int:
    """How far into the file a stream has read, in bytes, for a progress bar."""
    return stream.buffer.raw.tell()  # type: ignore[attr-defined]


class _Lines:
    """The stream's physical lines for the csv module, each row held to ``max_bytes``.

    Read with ``readline(limit)``, so a line of 150 MB is never built: a row that starts too
    long is skipped to its end and raised as ``OverlongRowError``. A class, not a generator: the
    csv reader asks it for more lines after that exception, and a generator that raised is over.
    """

    def __init__(self, stream: TextIO, max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.encoding = "utf-8" if stream.encoding == UTF8 else stream.encoding
        self.count = 0  # physical lines read
        self.row_start = 0  # ``count`` when the current row began
        self.row_bytes = 0

    def start_row(self) -> None:
        self.row_start = self.count
        self.row_bytes = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        # Each character is at least one byte: more characters than bytes allowed is too long.
        line = self.stream.readline(self.max_bytes + 1 - self.row_bytes)
        if not line:
            raise StopIteration
        self.count += 1
        if len(line) <= self.max_bytes - self.row_bytes:
            size = len(line) if line.isascii() else len(line.encode(self.encoding))
            self.row_bytes += size
            if self.row_bytes <= self.max_bytes:
                return line
        if not line.endswith(("\n", "\r")):
            self._skip_rest_of_line()
        if self.count - 1 == self.row_start:
            raise OverlongRowError(self.count, self.max_bytes)
        # The row began on an earlier line and is inside a quoted cell: where it ends cannot
        # be known without reading it, so reading stops here.
        raise MalformedCsvError(
            self.row_start + 1, f"a row longer than the limit of {self.max_bytes:,} bytes"
        )

    def _skip_rest_of_line(self) -> None:
        while True:
            part = self.stream.readline(_SKIP_CHUNK)
            if not part or part.endswith(("\n", "\r")):
                return


def csv_records(
    stream: TextIO, *, max_row_bytes: int = 1 << 20
) -> Iterator[tuple[int, list[str]] | OverlongRowError]:
    """(first physical line, cells) per record; blank lines and all-empty rows are skipped.

    A row longer than ``max_row_bytes`` (all its physical lines together) comes as an
    ``OverlongRowError`` in its place, so the caller can reject it and read on; one that only
    turns out too long on a later line of a quoted cell stops reading with ``MalformedCsvError``.
    """
    lines = _Lines(stream, max_row_bytes)
    reader = csv.reader(lines)
    while True:
        lines.start_row()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except OverlongRowError as exc:
            yield exc
            continue
        except csv.Error as exc:
            raise MalformedCsvError(lines.row_start + 1, str(exc)) from exc
        if any(cell.strip() for cell in cells):
            yield lines.row_start + 1, cells
