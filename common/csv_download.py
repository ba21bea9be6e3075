"""A CSV file sent to the browser as it is written, never built whole in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

# Spreadsheets (Excel above all) read a CSV file as UTF-8 only when it starts with this mark;
# AdFlux's importer skips it, so a downloaded file imports back as it is.
UTF8_BOM = "\ufeff"


def csv_download(*, chunks: Iterable[str], filename: str) -> StreamingHttpResponse:
    """Stream CSV text pieces as an attachment named ``filename``."""
    response = StreamingHttpResponse(_encoded(chunks), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    yield UTF8_BOM.encode("utf-8")
    for chunk in chunks:
        yield chunk.encode("utf-8")
