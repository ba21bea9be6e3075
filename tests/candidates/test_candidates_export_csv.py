"""candidates_export_csv and the export command: what lands in the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from candidates.csv_format import EXPORT_COLUMNS
from candidates.models import Candidate, CandidateSkill, Skill
from candidates.services.csv_export import candidates_export_csv
from candidates.services.csv_import import candidates_import_csv
from segmentation.models import Segment, SegmentationRun
from segmentation.selectors.assignments import segment_numbers_and_names
from tests.factories import CandidateFactory

PROFILE_FIELDS = (
    "external_id",
    "name",
    "email",
    "location",
    "education_level",
    "years_experience",
    "desired_salary",
    "primary_skill",
)


def exported_rows(page_size: int = 5_000, **export) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    candidates_export_csv(out=out, page_size=page_size, **export)
    out.seek(0)
    reader = csv.DictReader(out)
    assert reader.fieldnames == list(EXPORT_COLUMNS)
    return list(reader)


def snapshot() -> list[tuple]:
    """Every candidate's profile and skill names, independent of ids."""
    skills: dict[int, list[str]] = {}
    for candidate_id, name in CandidateSkill.objects.values_list("candidate_id", "skill__name"):
        skills.setdefault(candidate_id, []).append(name)
    return sorted(
        (
            (*values, tuple(sorted(skills.get(pk, []))))
            for pk, *values in Candidate.objects.values_list("id", *PROFILE_FIELDS)
        ),
        key=lambda profile: profile[PROFILE_FIELDS.index("email")],
    )


def tricky_candidates() -> None:
    CandidateFactory(
        external_id="t1",
        name='=HYPERLINK("http://evil")',
        email="Mixed.Case@Example.org",
        location="São Paulo",
        education_level="doctorate",
        years_experience=0.5,
        desired_salary=10_000_000_000,
        primary_skill="+cmd",
        skill_names=["C#", "C++", "-Go"],
    )
    CandidateFactory(
        external_id=None,
        name='O\'Brien, "Jr."\nSecond line',
        email="ob@example.org",
        location="",
        education_level="",
        years_experience=None,
        desired_salary=None,
        primary_skill="",
        skill_names=[],
    )
    CandidateFactory(
        external_id="t3",
        name="@mention",
        email="t3@example.org",
        years_experience=12.25,
        desired_salary=0,
        skill_names=["Bash/Shell (all shells)", "HTML/CSS", "python"],
    )
    CandidateFactory(external_id="t4", name="-5", email="t4@example.org", location="\t=1+1")


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_gives_the_same_candidates(
    tmp_path: Path,
) -> None:
    tricky_candidates()
    before = snapshot()
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        assert candidates_export_csv(out=out, page_size=3) == 4

    CandidateSkill.objects.all().delete()
    Candidate.objects.all().delete()
    Skill.objects.all().delete()
    report = candidates_import_csv(path=path)

    assert report.summary() == "Imported 4 rows: 4 created, 0 updated, 0 rejected."
    assert report.ignored_columns == []
    assert snapshot() == before


@pytest.mark.django_db
def test_text_cells_that_spreadsheets_run_as_formulas_are_defused() -> None:
    tricky_candidates()

    rows = {row["email"]: row for row in exported_rows()}

    assert rows["Mixed.Case@Example.org"]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows["Mixed.Case@Example.org"]["primary_skill"] == "'+cmd"
    assert rows["Mixed.Case@Example.org"]["skills"] == "'-Go;C#;C++"
    assert rows["t3@example.org"]["name"] == "'@mention"
    assert rows["t4@example.org"]["location"] == "'\t=1+1"
    # A number is not a formula: neither a numeric cell nor number-like text gets a quote.
    assert rows["t4@example.org"]["name"] == "-5"
    assert rows["t3@example.org"]["years_experience"] == "12.25"


@pytest.mark.django_db
def test_rows_hold_blanks_whole_years_and_skills_in_name_order() -> None:
    tricky_candidates()

    rows = {row["email"]: row for row in exported_rows(page_size=1)}

    blank = rows["ob@example.org"]
    assert [blank[c] for c in ("external_id", "years_experience", "desired_salary", "skills")] == [
        "",
        "",
        "",
        "",
    ]
    assert blank["name"] == 'O\'Brien, "Jr."\nSecond line'
    assert rows["Mixed.Case@Example.org"]["years_experience"] == "0.5"
    assert rows["Mixed.Case@Example.org"]["desired_salary"] == "10000000000"
    assert rows["t3@example.org"]["skills"] == "Bash/Shell (all shells);HTML/CSS;python"
    assert rows["t4@example.org"]["years_experience"] == "5"


@pytest.mark.django_db
def test_segment_number_and_name_are_exported() -> None:
    run = SegmentationRun.objects.create(n_clusters=4, status="trained", is_active=True)
    segment = Segment.objects.create(run=run, number=3, name="=Senior back-end")
    CandidateFactory(email="in@example.org", segment=segment)
    CandidateFactory(email="out@example.org")

    # The segments come from the active run's rows (what export_candidates passes).
    rows = {row["email"]: row for row in exported_rows(segments_of=segment_numbers_and_names)}

    assert (rows["in@example.org"]["segment"], rows["in@example.org"]["segment_name"]) == (
        "3",
        "'=Senior back-end",
    )
    assert (rows["out@example.org"]["segment"], rows["out@example.org"]["segment_name"]) == ("", "")


@pytest.mark.django_db
def test_reading_skills_takes_one_query_per_page(django_assert_num_queries) -> None:
    for i in range(6):
        CandidateFactory(email=f"c{i}@example.org", skill_names=["Go", f"Skill {i}"])

    # The skill names once; two pages of three with 2 queries each; the empty page that ends it;
    # the audit entry recording the export.
    with django_assert_num_queries(7):
        rows = exported_rows(page_size=3)

    assert [row["skills"] for row in rows] == [f"Go;Skill {i}" for i in range(6)]


@pytest.mark.django_db
def test_the_command_writes_the_file_and_reports(tmp_path: Path) -> None:
    CandidateFactory.create_batch(3)
    path = tmp_path / "out.csv"
    stdout = io.StringIO()

    call_command("export_candidates", str(path), stdout=stdout)

    assert stdout.getvalue() == f"Exported 3 candidates to {path}.\n"
    assert len(path.read_text(encoding="utf-8").splitlines()) == 4


@pytest.mark.django_db
def test_the_command_writes_csv_to_stdout_for_a_dash() -> None:
    CandidateFactory(email="dash@example.org")
    stdout, stderr = io.StringIO(), io.StringIO()

    call_command("export_candidates", "-", stdout=stdout, stderr=stderr)

    rows = list(csv.DictReader(io.StringIO(stdout.getvalue())))
    assert [row["email"] for row in rows] == ["dash@example.org"]
    assert stderr.getvalue() == "Exported 1 candidate.\n"


@pytest.mark.django_db
def test_the_command_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_candidates", str(tmp_path / "missing" / "out.csv"))
