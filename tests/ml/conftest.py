"""Hand-made profile frames with known structure for the pure ML tests (no database)."""

from __future__ import annotations

import numpy as np
import pytest

GROUPS = [
    # (years, salary, location, education, primary skill, skill pool)
    (
        2.0,
        40_000,
        "Lisbon",
        "bachelor",
        "Developer, front-end",
        ["JavaScript", "React", "CSS", "HTML"],
    ),
    (
        12.0,
        120_000,
        "Berlin",
        "master",
        "Developer, back-end",
        ["Python", "PostgreSQL", "Django", "Redis"],
    ),
    (7.0, 90_000, "Toronto", "doctorate", "Data scientist", ["R", "Python", "Pandas", "Spark"]),
]


def profiles_in_groups(
    groups: list[tuple], per_group: int, rng: np.random.Generator, *, spread: bool = True
) -> tuple[list[dict], np.ndarray]:
    """``per_group`` candidates drawn around each group; the records and their true group.

    Without ``spread`` every member has the group's years and salary exactly.
    """
    records: list[dict] = []
    truth: list[int] = []
    for group, (years, salary, location, education, primary, pool) in enumerate(groups):
        for _ in range(per_group):
            records.append(
                {
                    "years_experience": (
                        float(np.clip(rng.normal(years, 1.0), 0, 80)) if spread else years
                    ),
                    "desired_salary": (
                        float(round(rng.normal(salary, 5_000))) if spread else float(salary)
                    ),
                    "location": location,
                    "education_level": education,
                    "primary_skill": primary,
                    "skills": list(rng.choice(pool, size=3, replace=False)),
                }
            )
            truth.append(group)
    return records, np.array(truth)


def make_profiles(
    per_group: int, seed: int = 0, blanks: bool = False
) -> tuple[list[dict], np.ndarray]:
    """Candidates in three well-separated groups; returns the records and the true group."""
    records, truth = profiles_in_groups(GROUPS, per_group, np.random.default_rng(seed))
    if blanks:
        for i in range(0, len(records), 7):
            records[i]["years_experience"] = None
        for i in range(3, len(records), 5):
            records[i]["desired_salary"] = None
        for i in range(5, len(records), 11):
            records[i]["location"] = ""
        records[1]["skills"] = []
    return records, truth


@pytest.fixture
def profiles():
    return make_profiles(40)
