"""candidates_generate and its command: synthetic candidates in the database."""

from __future__ import annotations

import datetime
import io

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from candidates.models import Candidate, CandidateSkill, Skill
from candidates.services.generation import CandidateGenerationError, candidates_generate
from candidates.synthetic import synthetic_profiles
from tests.assignments import assigned
from tests.factories import CandidateFactory

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
FIELDS = (
    "external_id",
    "name",
    "email",
    "location",
    "education_level",
    "years_experience",
    "desired_salary",
    "primary_skill",
)


def stored() -> list[tuple]:
    """Candidates with their skills, in generation order, without ids."""
    skills: dict[int, set[str]] = {}
    for candidate_id, name in CandidateSkill.objects.values_list("candidate_id", "skill__name"):
        skills.setdefault(candidate_id, set()).add(name)
    rows = Candidate.objects.values_list("id", *FIELDS)
    return sorted(
        ((*values, frozenset(skills.get(pk, ()))) for pk, *values in rows),
        key=lambda row: int(row[0].rsplit("-", 1)[1]),
    )


@pytest.mark.django_db
def test_generated_candidates_are_the_pure_profiles_stored() -> None:
    assert candidates_generate(count=300, seed=11, now=NOW) == 300

    profiles = synthetic_profiles(300, 11)
    rows = stored()
    assert len(rows) == 300
    for i in (0, 1, 150, 299):
        external_id, name, email, location, education, years, salary, primary, skills = rows[i]
        assert (external_id, email) == (f"gen-11-{i}", f"cand11-{i}@example.org")
        assert (name, location, education, primary) == (
            profiles.name[i],
            profiles.location[i],
            profiles.education_level[i],
            profiles.primary_skill[i],
        )
        expected_years = profiles.years_experience[i]
        assert years == (None if np.isnan(expected_years) else expected_years)
        expected_salary = profiles.desired_salary[i]
        assert salary == (None if np.isnan(expected_salary) else int(expected_salary))
        assert skills == frozenset(profiles.skill_lists()[i])
    assert CandidateSkill.objects.count() == len(profiles.skill_rows)
    assert set(Candidate.objects.values_list("created_at", "updated_at")) == {(NOW, NOW)}
    assert not assigned().exists()


@pytest.mark.django_db
def test_the_same_seed_regenerates_the_same_candidates_and_another_seed_others() -> None:
    candidates_generate(count=200, seed=5)
    first = stored()

    candidates_generate(count=200, seed=5, clear=True)
    assert stored() == first

    candidates_generate(count=200, seed=6, clear=True)
    other = stored()
    assert [row[1:] for row in other] != [row[1:] for row in first]


@pytest.mark.django_db
def test_sets_from_different_seeds_live_side_by_side() -> None:
    candidates_generate(count=50, seed=1)
    candidates_generate(count=50, seed=2)

    assert Candidate.objects.count() == 100
    assert Skill.objects.count() <= 200


@pytest.mark.django_db
def test_generating_a_seed_twice_is_refused_and_stores_nothing_more() -> None:
    candidates_generate(count=20, seed=3)

    with pytest.raises(CandidateGenerationError, match="seed 3 already exist"):
        candidates_generate(count=30, seed=3)
    assert Candidate.objects.count() == 20


@pytest.mark.django_db
def test_clear_deletes_every_candidate_first() -> None:
    CandidateFactory(email="imported@example.org", skill_names=["Go"])

    candidates_generate(count=10, seed=4, clear=True)

    assert not Candidate.objects.filter(email="imported@example.org").exists()
    assert Candidate.objects.count() == 10


@pytest.mark.django_db
def test_a_clash_with_a_stored_email_is_refused_whole() -> None:
    CandidateFactory(email="CAND9-3@example.org", external_id="mine")

    with pytest.raises(CandidateGenerationError, match="clash with stored ones"):
        candidates_generate(count=10, seed=9)
    assert list(Candidate.objects.values_list("external_id", flat=True)) == ["mine"]


@pytest.mark.django_db
def test_the_command_generates_and_reports() -> None:
    stdout = io.StringIO()

    call_command("generate_candidates", "--count", "25", "--seed", "8", stdout=stdout)

    assert stdout.getvalue().startswith("Generated 25 candidates with seed 8 in ")
    assert Candidate.objects.filter(external_id__startswith="gen-8-").count() == 25


@pytest.mark.django_db
def test_the_command_turns_a_refusal_into_a_command_error() -> None:
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("generate_candidates", "--count", "-1")
