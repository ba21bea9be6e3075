"""Files a hostile or unlucky world sends: huge cells, Latin-1, and files far larger than memory
should need."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from candidates.csv_format import COLUMNS, CandidateCsvError
from candidates.models import Candidate
from candidates.services.csv_import import candidates_import_csv

HEADER = ",".join(COLUMNS)


def rows(n: int, prefix: str) -> str:
    return "".join(
        f"{prefix}{i},Name {i},{prefix}{i}@example.org,Berlin,master,{i % 30},{50_000 + i},"
        f"Developer,Python;SQL;Go\n"
        for i in range(n)
    )


@pytest.mark.django_db
def test_a_cell_larger_than_the_csv_limit_stops_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(
        f"{HEADER}\nok1,Ok,ok1@example.org,,,,,,\nbig,{'x' * 300_000},big@example.org,,,,,,\n"
        "ok2,Ok,ok2@example.org,,,,,,\n"
    )
    with pytest.raises(CandidateCsvError, match=r"Line 3 is not valid CSV \(field larger"):
        candidates_import_csv(path=path)
    # What came before is stored; the huge row and what follows are not half-written.
    assert list(Candidate.objects.values_list("external_id", flat=True)) == ["ok1"]


@pytest.mark.django_db
def test_a_long_cell_within_the_csv_limit_is_one_rejected_row(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        f"{HEADER}\nlong,{'y' * 100_000},long@example.org,,,,,,\nok,Ok,ok@x.org,,,,,,\n"
    )
    report = candidates_import_csv(path=path)
    assert [(e.line, e.column) for e in report.errors] == [(2, "name")]
    assert "longer than 200 characters (100000)" in report.errors[0].reason
    assert list(Candidate.objects.values_list("external_id", flat=True)) == ["ok"]


@pytest.mark.django_db
def test_a_latin_1_file_named_so_keeps_its_accents(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    # 0x81 is undefined in Windows-1252, so only Latin-1 reads this file.
    path.write_bytes(f"{HEADER}\nl1,Zoë Ñúñez\x81,zoe@example.org,Zürich,,,,,\n".encode("latin-1"))
    report = candidates_import_csv(path=path, encoding="latin-1")
    assert report.encoding == "iso8859-1" and not report.errors
    candidate = Candidate.objects.get()
    assert candidate.location == "Zürich" and candidate.name.startswith("Zoë Ñúñez")


def _peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        candidates_import_csv(path=path, batch_size=500)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text(HEADER + "\n" + rows(1_000, "s"))
    large.write_text(HEADER + "\n" + rows(10_000, "l"))

    small_peak, large_peak = _peak_bytes(small), _peak_bytes(large)

    assert Candidate.objects.count() == 11_000
    # Ten times the rows, about the same peak: rows are read and written a batch at a time.
    # (Loading the file whole would make the large peak grow with its 10,000 rows.)
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
