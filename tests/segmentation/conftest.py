"""Candidates in the database with known groups, for service and command tests."""

from __future__ import annotations

import numpy as np
import pytest

from candidates.models import Candidate, CandidateSkill, Skill
from tests.ml.conftest import make_profiles


def store_profiles(records: list[dict], prefix: str = "c") -> list[int]:
    """Write hand-made profile records as candidates; returns their ids in record order."""
    skills: dict[str, Skill] = {}
    ids: list[int] = []
    for i, record in enumerate(records):
        candidate = Candidate.objects.create(
            external_id=f"{prefix}-{i}",
            name=f"Candidate {prefix}{i}",
            email=f"{prefix}{i}@example.org",
            location=record["location"],
            education_level=record["education_level"],
            years_experience=record["years_experience"],
            desired_salary=None
            if record["desired_salary"] is None
            else int(record["desired_salary"]),
            primary_skill=record["primary_skill"],
        )
        for name in record["skills"]:
            if name not in skills:
                skills[name] = Skill.objects.filter(name__iexact=name).first() or (
                    Skill.objects.create(name=name)
                )
            CandidateSkill.objects.create(candidate=candidate, skill=skills[name])
        ids.append(candidate.pk)
    return ids


@pytest.fixture
def grouped_candidates(db) -> tuple[list[int], np.ndarray]:
    """90 candidates in three clear groups (with some blanks); ids and true groups."""
    records, truth = make_profiles(30, seed=5, blanks=True)
    return store_profiles(records), truth
