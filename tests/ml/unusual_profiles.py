"""Planted unusual profiles: candidates like no group of tests.ml.conftest.make_profiles.

Each has an absurd salary or experience, a place, education and role nobody else has, and
rare skills; none is like another, so clustering cannot give them a segment of their own.
"""

from __future__ import annotations

PLANTED_OUTLIERS: list[dict] = [
    {
        "years_experience": 45.0,
        "desired_salary": 400_000,
        "location": "Reykjavik",
        "education_level": "other",
        "primary_skill": "Astronaut",
        "skills": ["COBOL", "Fortran", "Ada", "Prolog", "Lisp"],
    },
    {
        "years_experience": 0.0,
        "desired_salary": 350_000,
        "location": "Nuuk",
        "education_level": "primary",
        "primary_skill": "Blacksmith",
        "skills": ["Smalltalk", "APL", "Forth", "Pascal"],
    },
    {
        "years_experience": 40.0,
        "desired_salary": 5_000,
        "location": "Ushuaia",
        "education_level": "secondary",
        "primary_skill": "Lighthouse keeper",
        "skills": ["Modula-2", "Simula", "Algol", "BCPL"],
    },
]


def between_groups() -> dict:
    """A candidate placed halfway between the Lisbon and Berlin groups of make_profiles.

    Lisbon's place, Berlin's education, two skills of each group, years and salary halfway,
    and no primary skill: each difference from one group is matched by one from the other.
    """
    return {
        "years_experience": 7.0,
        "desired_salary": 80_000,
        "location": "Lisbon",
        "education_level": "master",
        "primary_skill": "",
        "skills": ["JavaScript", "React", "PostgreSQL", "Django"],
    }
