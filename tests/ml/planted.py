"""Candidates in up to five well-separated groups, for tests that must find how many there are."""

from __future__ import annotations

import numpy as np

from tests.ml.conftest import GROUPS

# The three groups of conftest.make_profiles, then two more as far from them.
PLANTED_GROUPS = [
    *GROUPS,
    (
        22.0,
        65_000,
        "Nairobi",
        "secondary",
        "System administrator",
        ["Linux", "Bash", "Ansible", "Networking"],
    ),
    (
        4.0,
        160_000,
        "Tokyo",
        "associate",
        "Developer, mobile",
        ["Swift", "Kotlin", "iOS", "Android"],
    ),
]


def make_planted(n_groups: int, per_group: int, seed: int = 0) -> tuple[list[dict], np.ndarray]:
    """``per_group`` candidates in each of the first ``n_groups`` groups; records and true group."""
    if not 1 <= n_groups <= len(PLANTED_GROUPS):
        raise ValueError(f"n_groups must be from 1 to {len(PLANTED_GROUPS)}")
    rng = np.random.default_rng(seed)
    records: list[dict] = []
    truth: list[int] = []
    for group, (years, salary, location, education, primary, pool) in enumerate(
        PLANTED_GROUPS[:n_groups]
    ):
        for _ in range(per_group):
            records.append(
                {
                    "years_experience": float(np.clip(rng.normal(years, 1.0), 0, 80)),
                    "desired_salary": float(round(rng.normal(salary, 5_000))),
                    "location": location,
                    "education_level": education,
                    "primary_skill": primary,
                    "skills": list(rng.choice(pool, size=3, replace=False)),
                }
            )
            truth.append(group)
    return records, np.array(truth)
