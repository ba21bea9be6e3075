"""candidates_import_csv: what a user sees after importing a file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from candidates.csv_format import COLUMNS, CandidateCsvError, RowError
from candidates.models import Candidate, CandidateSkill, Skill
from candidates.services import csv_import
from candidates.services.csv_import import candidates_import_csv
from tests.factories import CandidateFactory, SkillFactory

HEADER = ",".join(COLUMNS)

# Lines are physical lines: the quoted names of lines 3 and 16 span two lines each.
PLANTED = f"""{HEADER}
g1,Good One,one@example.org,Berlin,Master's degree,5,65000,"Developer, back-end", C# ; python
g2,"Two
Lines",two@example.org,Paris,bachelor,0.5,,,
b1,Bad Salary,b1@example.org,,,3,-100,,
b2,Bad Years,b2@example.org,,,81,,,
b3,Bad Years Text,b3@example.org,,,ten,,,
b4,Bad Education,b4@example.org,,phd,,,,
b5,Bad Email,not-an-email,,,,,,
b6,Overflow,b6@example.org,,,1e400,1e400,,
b7,,b7@example.org,,,,,,
b8,Big Salary,b8@example.org,,,,10000000001,,
b9,Infinite,b9@example.org,,,inf,nan,,
b10,Long Location,b10@example.org,{"x" * 101},,,,,
b11,Fraction Salary,b11@example.org,,,,65000.5,,
b12,"Bad Salary
Over Two Lines",b12@example.org,,,,-1,,
g3,Good Three,three@example.org,,,,,,
"""


def write(tmp_path: Path, text: str, name: str = "candidates.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors(report: csv_import.ImportReport) -> list[tuple[int, str, str]]:
    return [(error.line, error.column, error.reason) for error in report.errors]


@pytest.mark.django_db
def test_planted_bad_rows_are_reported_by_line_column_and_reason(tmp_path: Path) -> None:
    report = candidates_import_csv(path=write(tmp_path, PLANTED))

    assert errors(report) == [
        (5, "desired_salary", "must not be negative"),
        (6, "years_experience", "must be between 0 and 80"),
        (7, "years_experience", "is not a number"),
        (
            8,
            "education_level",
            "is not an education level; use one of primary, secondary, "
            "some_college, associate, bachelor, master, doctorate, other (or their labels)",
        ),
        (9, "email", "is not a valid email address"),
        (10, "years_experience", "must be between 0 and 80"),
        (10, "desired_salary", "must not exceed 10,000,000,000"),
        (11, "name", "is required"),
        (12, "desired_salary", "must not exceed 10,000,000,000"),
        (13, "years_experience", "is not a finite number"),
        (13, "desired_salary", "is not a finite number"),
        (14, "location", "is longer than 100 characters (101)"),
        (15, "desired_salary", "must be a whole number"),
        (16, "desired_salary", "must not be negative"),
    ]
    assert report.errors[0] == RowError(5, "desired_salary", "-100", "must not be negative")
    assert (report.created, report.updated, report.rejected) == (3, 0, 12)
    assert report.summary() == "Imported 15 rows: 3 created, 0 updated, 12 rejected."
    assert sorted(Candidate.objects.values_list("external_id", flat=True)) == ["g1", "g2", "g3"]
    one = Candidate.objects.get(external_id="g1")
    assert (one.education_level, one.years_experience, one.desired_salary) == ("master", 5.0, 65000)
    assert sorted(one.skills.values_list("name", flat=True)) == ["C#", "python"]
    assert Candidate.objects.get(external_id="g2").name == "Two\nLines"


@pytest.mark.django_db
def test_the_errors_csv_holds_rejected_rows_and_imports_once_fixed(tmp_path: Path) -> None:
    errors_path = tmp_path / "errors.csv"
    candidates_import_csv(path=write(tmp_path, PLANTED), errors_csv=errors_path)

    with errors_path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == [*COLUMNS, "line", "column", "error"]
    assert [(row["external_id"], row["line"], row["column"]) for row in rows[:5]] == [
        ("b1", "5", "desired_salary"),
        ("b2", "6", "years_experience"),
        ("b3", "7", "years_experience"),
        ("b4", "8", "education_level"),
        ("b5", "9", "email"),
    ]
    overflow = rows[5]
    assert (overflow["years_experience"], overflow["desired_salary"]) == ("1e400", "1e400")
    assert overflow["column"] == "years_experience; desired_salary"
    assert overflow["error"] == (
        "years_experience: must be between 0 and 80; desired_salary: must not exceed 10,000,000,000"
    )

    fixes = {
        "b1": {"desired_salary": "100"},
        "b2": {"years_experience": "8"},
        "b3": {"years_experience": "10"},
        "b4": {"education_level": "doctorate"},
        "b5": {"email": "b5@example.org"},
        "b6": {"years_experience": "4", "desired_salary": ""},
        "b7": {"name": "Seven"},
        "b8": {"desired_salary": "100000"},
        "b9": {"years_experience": "", "desired_salary": ""},
        "b10": {"location": "Lyon"},
        "b11": {"desired_salary": "65000"},
        "b12": {"desired_salary": "1"},
    }
    for row in rows:
        row.update(fixes[row["external_id"]])
    with errors_path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    report = candidates_import_csv(path=errors_path)

    assert report.summary() == "Imported 12 rows: 12 created, 0 updated, 0 rejected."
    assert report.ignored_columns == []
    assert Candidate.objects.count() == 15
    assert Candidate.objects.get(external_id="b12").name == "Bad Salary\nOver Two Lines"
    assert Candidate.objects.get(external_id="b4").education_level == "doctorate"


@pytest.mark.django_db
def test_rows_update_the_candidate_with_the_same_external_id(tmp_path: Path) -> None:
    stored = CandidateFactory(external_id="e1", email="old@example.org", desired_salary=1)
    created_at, updated_at = stored.created_at, stored.updated_at

    report = candidates_import_csv(
        path=write(tmp_path, f"{HEADER}\ne1,New Name,new@example.org,Oslo,,,2,,Go\n")
    )

    assert (report.created, report.updated) == (0, 1)
    stored.refresh_from_db()
    assert stored.created_at == created_at
    assert stored.updated_at > updated_at
    assert (stored.name, stored.email, stored.location) == ("New Name", "new@example.org", "Oslo")
    assert (stored.education_level, stored.years_experience, stored.desired_salary) == ("", None, 2)
    assert list(stored.skills.values_list("name", flat=True)) == ["Go"]


@pytest.mark.django_db
def test_rows_without_a_known_external_id_match_the_email_ignoring_case(tmp_path: Path) -> None:
    by_email = CandidateFactory(external_id=None, email="Ada@Example.org")
    kept_id = CandidateFactory(external_id="keep", email="bob@example.org")

    report = candidates_import_csv(
        path=write(
            tmp_path,
            f"{HEADER}\nnew-ext,Ada,ADA@example.ORG,,,,,,\n,Bob,BOB@EXAMPLE.ORG,,,,,,\n",
        )
    )

    assert (report.created, report.updated) == (0, 2)
    by_email.refresh_from_db()
    kept_id.refresh_from_db()
    assert (by_email.external_id, by_email.email) == ("new-ext", "ADA@example.ORG")
    assert (kept_id.external_id, kept_id.name) == ("keep", "Bob")
    assert Candidate.objects.count() == 2


@pytest.mark.django_db
def test_an_email_belonging_to_another_candidate_rejects_the_row(tmp_path: Path) -> None:
    CandidateFactory(external_id="a", email="a@example.org")
    CandidateFactory(external_id="b", email="b@example.org")

    report = candidates_import_csv(
        path=write(tmp_path, f"{HEADER}\nc,C,A@example.org,,,,,,\nb,B,a@EXAMPLE.org,,,,,,\n")
    )

    assert errors(report) == [
        (2, "email", "belongs to another candidate (external_id 'a')"),
        (3, "email", "is already used by another candidate (external_id 'a')"),
    ]
    assert report.rejected == 2
    assert set(Candidate.objects.values_list("external_id", "email")) == {
        ("a", "a@example.org"),
        ("b", "b@example.org"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_a_later_row_for_the_same_candidate_wins_whatever_the_batches(
    tmp_path: Path, batch_size: int
) -> None:
    text = (
        f"{HEADER}\n"
        "x1,First,x@example.org,,,1,,,Go\n"
        ",By Email,X@EXAMPLE.ORG,,,2,,,\n"
        "x1,Last,x@example.org,,,3,,,Rust;Go\n"
        "y1,Other,y@example.org,,,,,,\n"
        "y1,Other,y@example.org,,,,,,\n"
    )

    report = candidates_import_csv(path=write(tmp_path, text), batch_size=batch_size)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 2, 1, 0)
    assert Candidate.objects.count() == 2
    winner = Candidate.objects.get(external_id="x1")
    assert (winner.name, winner.years_experience) == ("Last", 3.0)
    assert sorted(winner.skills.values_list("name", flat=True)) == ["Go", "Rust"]


@pytest.mark.django_db
def test_an_email_given_up_earlier_in_the_batch_can_be_taken(tmp_path: Path) -> None:
    CandidateFactory(external_id="a", email="a@example.org")
    CandidateFactory(external_id="b", email="b@example.org")
    text = f"{HEADER}\nb,B,c@example.org,,,,,,\na,A,b@example.org,,,,,,\nn,N,a@example.org,,,,,,\n"

    report = candidates_import_csv(path=write(tmp_path, text))

    assert report.rejected == 0
    assert dict(Candidate.objects.values_list("external_id", "email")) == {
        "a": "b@example.org",
        "b": "c@example.org",
        "n": "a@example.org",
    }


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, PLANTED)
    candidates_import_csv(path=path)
    before = list(Candidate.objects.values_list("id", "updated_at"))

    report = candidates_import_csv(path=path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert report.summary() == "Imported 15 rows: 0 created, 0 updated, 3 unchanged, 12 rejected."
    assert list(Candidate.objects.values_list("id", "updated_at")) == before


@pytest.mark.django_db
def test_skills_are_matched_ignoring_case_and_keep_their_first_spelling(tmp_path: Path) -> None:
    SkillFactory(name="C#")
    text = (
        f"{HEADER}\n"
        "s1,S1,s1@example.org,,,,,, c# ;HTML/CSS;Bash/Shell (all shells);C++\n"
        "s2,S2,s2@example.org,,,,,,html/css;c++ ; BASH/SHELL (ALL SHELLS)\n"
    )

    candidates_import_csv(path=write(tmp_path, text))

    assert sorted(Skill.objects.values_list("name", flat=True)) == [
        "Bash/Shell (all shells)",
        "C#",
        "C++",
        "HTML/CSS",
    ]
    s2 = Candidate.objects.get(external_id="s2")
    assert sorted(s2.skills.values_list("name", flat=True)) == [
        "Bash/Shell (all shells)",
        "C++",
        "HTML/CSS",
    ]


@pytest.mark.django_db
def test_changed_skills_replace_the_old_ones(tmp_path: Path) -> None:
    stored = CandidateFactory(external_id="k", email="k@example.org", skill_names=["Go", "Java"])
    other = CandidateFactory(external_id="o", email="o@example.org", skill_names=["Go"])

    candidates_import_csv(path=write(tmp_path, f"{HEADER}\nk,K,k@example.org,,,,,,java;Rust\n"))

    assert sorted(stored.skills.values_list("name", flat=True)) == ["Java", "Rust"]
    assert list(other.skills.values_list("name", flat=True)) == ["Go"]
    assert CandidateSkill.objects.count() == 3


@pytest.mark.django_db
def test_a_row_changing_only_skills_counts_as_an_update(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nk,K,k@example.org,,,,,,Go\n")
    candidates_import_csv(path=path)
    updated_at = Candidate.objects.get().updated_at

    report = candidates_import_csv(
        path=write(tmp_path, f"{HEADER}\nk,K,k@example.org,,,,,,GO;Rust\n")
    )

    assert (report.updated, report.unchanged) == (1, 0)
    stored = Candidate.objects.get()
    assert stored.updated_at > updated_at
    assert sorted(stored.skills.values_list("name", flat=True)) == ["Go", "Rust"]


@pytest.mark.django_db
def test_utf8_with_bom_and_named_windows_1252_files_are_read(tmp_path: Path) -> None:
    row = "m1,José Müller,jose@example.org,Zürich,,,,,Scikit-learn\n"
    with_bom = write(tmp_path, f"{HEADER}\n{row}", "bom.csv", encoding="utf-8-sig")
    excel = write(
        tmp_path,
        f"{HEADER}\n{row.replace('m1', 'm2').replace('jose', 'j2')}",
        "excel.csv",
        encoding="cp1252",
    )

    first = candidates_import_csv(path=with_bom)
    second = candidates_import_csv(path=excel, encoding="cp1252")

    assert (first.encoding, second.encoding) == ("utf-8-sig", "cp1252")
    assert set(Candidate.objects.values_list("name", "location")) == {("José Müller", "Zürich")}
    assert Candidate.objects.count() == 2


@pytest.mark.django_db
def test_missing_header_columns_import_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "external_id,name,location\nx,X,Oslo\n")

    with pytest.raises(CandidateCsvError) as caught:
        candidates_import_csv(path=path, errors_csv=tmp_path / "errors.csv")

    assert "email, education_level, years_experience, desired_salary, primary_skill, skills" in str(
        caught.value
    )
    assert Candidate.objects.count() == 0
    assert not (tmp_path / "errors.csv").exists()


@pytest.mark.django_db
def test_extra_columns_are_ignored_and_named(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},Notes,segment\nx,X,x@example.org,,,,,,,hello,3\n")

    report = candidates_import_csv(path=path)

    assert report.ignored_columns == ["notes"]
    assert report.created == 1


@pytest.mark.django_db
def test_a_row_with_the_wrong_number_of_cells_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nx,X,x@example.org,,,,,,,extra\ny,Y,y@example.org\n")

    report = candidates_import_csv(path=path)

    assert errors(report) == [
        (2, "", "has 10 cells but the header has 9 columns"),
        (3, "", "has 3 cells but the header has 9 columns"),
    ]
    assert Candidate.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_or_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CandidateCsvError, match="is empty"):
        candidates_import_csv(path=write(tmp_path, ""))
    with pytest.raises(CandidateCsvError, match="is not a file"):
        candidates_import_csv(path=tmp_path / "nowhere.csv")


@pytest.mark.django_db
def test_the_hook_gets_the_ids_each_batch_created_or_changed(tmp_path: Path) -> None:
    unchanged = CandidateFactory(
        external_id="u",
        name="U",
        email="u@example.org",
        location="",
        education_level="",
        years_experience=None,
        desired_salary=None,
        primary_skill="",
    )
    text = f"{HEADER}\nu,U,u@example.org,,,,,,\na,A,a@example.org,,,,,,\nb,B,b@example.org,,,,,,\n"
    calls: list[list[int]] = []

    candidates_import_csv(path=write(tmp_path, text), batch_size=2, on_batch_written=calls.append)

    ids = dict(Candidate.objects.values_list("external_id", "id"))
    assert calls == [[ids["a"]], [ids["b"]]]
    assert unchanged.pk not in calls[0]


@pytest.mark.django_db
def test_a_batch_that_fails_leaves_nothing_of_itself_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_insert = csv_import.candidate_skills_insert
    batches = []

    def failing_second_batch(**kwargs: object) -> None:
        batches.append(1)
        if len(batches) == 2:
            raise RuntimeError("disk full")
        real_insert(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_import, "candidate_skills_insert", failing_second_batch)
    text = f"{HEADER}\n" + "".join(f"r{i},R{i},r{i}@example.org,,,,,,Go\n" for i in range(4))

    with pytest.raises(RuntimeError, match="disk full"):
        candidates_import_csv(path=write(tmp_path, text), batch_size=2)

    assert sorted(Candidate.objects.values_list("external_id", flat=True)) == ["r0", "r1"]
    assert CandidateSkill.objects.count() == 2


@pytest.mark.django_db
def test_a_malformed_file_stops_with_the_line_after_storing_what_came_before(
    tmp_path: Path,
) -> None:
    text = f'{HEADER}\na,A,a@example.org,,,,,,\nb,"B,b@example.org,,,,,,\n' + "x" * 200_000

    with pytest.raises(CandidateCsvError, match="Line 3 is not valid CSV") as caught:
        candidates_import_csv(path=write(tmp_path, text))

    assert "Imported 1 row: 1 created" in str(caught.value)
    assert list(Candidate.objects.values_list("external_id", flat=True)) == ["a"]


def test_the_errors_file_may_not_overwrite_the_input(tmp_path: Path) -> None:
    path = write(tmp_path, PLANTED)

    with pytest.raises(CandidateCsvError, match="must not be the file being imported"):
        candidates_import_csv(path=path, errors_csv=path)
    assert path.read_text(encoding="utf-8") == PLANTED


@pytest.mark.django_db
def test_ids_are_read_back_where_the_database_cannot_return_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    text = f"{HEADER}\na,A,Mixed@Example.org,,,,,,Go\n"
    calls: list[list[int]] = []

    candidates_import_csv(path=write(tmp_path, text), on_batch_written=calls.append)

    stored = Candidate.objects.get()
    assert calls == [[stored.pk]]
    assert list(stored.skills.values_list("name", flat=True)) == ["Go"]
