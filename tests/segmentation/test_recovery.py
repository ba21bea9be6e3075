"""End to end through the database: generated candidates come back in their hidden archetypes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from candidates.services.generation import candidates_generate
from candidates.synthetic import ARCHETYPES, synthetic_profiles
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segment_numbers_by

pytestmark = pytest.mark.django_db


def test_train_and_assign_recover_the_generated_archetypes():
    candidates_generate(count=2_000, seed=0)
    segmentation_train(n_clusters=len(ARCHETYPES))
    segmentation_activate()
    truth = synthetic_profiles(2_000, 0)
    by_external_id = segment_numbers_by("external_id")
    found = np.array([by_external_id[external_id] for external_id in truth.external_ids()])
    assert adjusted_rand_score(truth.archetype, found) >= 0.95
