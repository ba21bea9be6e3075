"""Two imports of the same file at once: both finish, every candidate stored once.

Real processes (``manage.py import_candidates``) on the test database, so the race is the one
production has: each process has its own connection and transactions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from candidates.csv_format import COLUMNS
from candidates.models import Candidate, CandidateSkill
from candidates.services import csv_import
from candidates.services.csv_import import candidates_import_csv
from tests.factories import CandidateFactory
from tests.worker import ROOT, other_process_env

HEADER = ",".join(COLUMNS)
ROWS = 6_000
_SUMMARY = re.compile(
    r"Imported ([\d,]+) rows: ([\d,]+) created, ([\d,]+) updated, (?:([\d,]+) unchanged, )?"
    r"([\d,]+) rejected\."
)


def _start_import(path: Path, log: Path) -> subprocess.Popen:
    env = other_process_env()
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_candidates", str(path)]
        + ["--batch-size", "200", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _counts(output: str) -> tuple[int, ...]:
    found = _SUMMARY.search(output)
    assert found, output
    return tuple(int((group or "0").replace(",", "")) for group in found.groups())


def test_two_processes_importing_the_same_file_both_finish(
    transactional_db, tmp_path: Path
) -> None:
    # Before: on PostgreSQL one of them died with an IntegrityError on the email constraint.
    path = tmp_path / "same.csv"
    path.write_text(
        HEADER
        + "\n"
        + "".join(f"c{i},Name {i},c{i}@example.org,,,,,,Go;SQL\n" for i in range(ROWS)),
        encoding="utf-8",
    )
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    processes = [_start_import(path, log) for log in logs]
    for process in processes:
        process.wait(timeout=600)

    outputs = [log.read_text() for log in logs]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert not any("Traceback" in output for output in outputs), outputs
    first, second = (_counts(output) for output in outputs)
    # Every row was created by exactly one of them; the other found it and left it unchanged.
    assert first[0] == second[0] == ROWS
    assert first[1] + second[1] == ROWS
    assert first[4] == second[4] == 0
    assert Candidate.objects.count() == ROWS
    assert CandidateSkill.objects.count() == 2 * ROWS


@pytest.mark.django_db
def test_a_batch_meeting_a_row_stored_meanwhile_is_applied_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another writer stored "taken" after the batch read: the batch's insert fails on the email.
    CandidateFactory(external_id=None, email="taken@example.org", name="Stored Meanwhile")
    real_load = csv_import._load_records
    loads = []

    def stale_first_read(rows):
        loads.append(1)
        return [] if len(loads) == 1 else real_load(rows)

    monkeypatch.setattr(csv_import, "_load_records", stale_first_read)
    path = tmp_path / "in.csv"
    path.write_text(
        f"{HEADER}\na,A,a@example.org,,,,,,\nt,Taken,taken@example.org,,,,,,\n", encoding="utf-8"
    )

    report = candidates_import_csv(path=path)

    assert len(loads) == 2
    assert (report.created, report.updated, report.rejected) == (1, 1, 0)
    assert Candidate.objects.get(email="taken@example.org").external_id == "t"
    assert Candidate.objects.count() == 2


@pytest.mark.django_db
def test_rows_that_keep_conflicting_are_rejected_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    CandidateFactory(external_id=None, email="taken@example.org")
    monkeypatch.setattr(csv_import, "_load_records", lambda rows: [])  # always stale
    path = tmp_path / "in.csv"
    path.write_text(
        f"{HEADER}\na,A,a@example.org,,,,,,\nt,T,taken@example.org,,,,,,\nb,B,b@example.org,,,,,,\n",
        encoding="utf-8",
    )

    report = candidates_import_csv(path=path)

    assert [(error.line, error.column, error.reason) for error in report.errors] == [
        (
            3,
            "",
            "conflicts with a candidate stored at the same time by another import or user "
            "(same email or external_id); import the row again",
        )
    ]
    assert (report.created, report.rejected) == (2, 1)
    assert sorted(Candidate.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "b@example.org",
        "taken@example.org",
    ]
