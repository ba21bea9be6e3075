"""Candidates in up to five well-separated groups, for tests that must find how many there are."""

from __future__ import annotations

import numpy as np

from tests.ml.conftest import GROUPS, profiles_in_groups

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
    return profiles_in_groups(PLANTED_GROUPS[:n_groups], per_group, np.random.default_rng(seed))
