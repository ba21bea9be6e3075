"""Candidates in three clear groups, as the segmentation tests use them."""

from __future__ import annotations

import pytest

from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles


@pytest.fixture
def grouped_candidates(db) -> list[int]:
    """90 candidates in three clear groups (with some blanks); their ids."""
    records, _ = make_profiles(30, seed=5, blanks=True)
    return store_profiles(records)
