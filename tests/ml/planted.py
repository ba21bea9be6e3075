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


# Skills each group draws from beside its own four (suffixed with its location, so its own), so
# its members vary in many ways at once and no few of them form a sub-group.
MORE_SKILLS = ["Git", "Docker", "SQL", "Jira", "AWS", "Bash", "Excel", "Slack"]


def make_planted_diffuse(
    n_groups: int, per_group: int, seed: int = 0
) -> tuple[list[dict], np.ndarray]:
    """Planted groups with one clear number of segments under the stability rule.

    ``make_planted``'s members draw 3 of their group's 4 skills: four kinds of member per group,
    which the stability rule rightly finds as real, stable sub-groups (one more k than planted).
    Here each member draws 3 of 12 skills (its group's 4 and 8 more of its own), so
    no few combinations recur; and the numbers are the group's own exactly, because quantile
    scaling (the recommended preset) stretches any spread within a group into a band that
    K-means can cut reproducibly. What sets the groups apart is what a recruiter targets.
    """
    if not 1 <= n_groups <= len(PLANTED_GROUPS):
        raise ValueError(f"n_groups must be from 1 to {len(PLANTED_GROUPS)}")
    groups = [
        (*group[:5], [*group[5], *(f"{skill} ({group[2]})" for skill in MORE_SKILLS)])
        for group in PLANTED_GROUPS[:n_groups]
    ]
    return profiles_in_groups(groups, per_group, np.random.default_rng(seed), spread=False)
