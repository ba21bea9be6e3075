"""Why a candidate is in its segment: contributions, confidence and the borderline rule."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.ml.contributions import (
    BORDERLINE_RATIO,
    candidate_reasons,
    confidence_of,
    feature_groups,
    margin_reasons,
)
from segmentation.ml.features import extract_features
from segmentation.ml.outliers import center_spaces
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from tests.ml.conftest import make_profiles
from tests.ml.unusual_profiles import between_groups


@pytest.fixture(scope="module")
def trained():
    records, truth = make_profiles(40, seed=0)
    features = extract_features([*records, between_groups()])
    result = fit_segmentation(features, ClusteringConfig(n_clusters=3))
    return features, result, truth


def _reasons(trained, row: int):
    features, result, _ = trained
    return candidate_reasons(result.pipeline, features.take(np.array([row])))


def test_a_berlin_candidate_is_placed_by_berlin_and_its_own_skills(trained):
    features, result, truth = trained
    row = int(np.flatnonzero(truth == 1)[0])  # the Berlin back-end group
    reasons = _reasons(trained, row)
    assert reasons.segment == result.labels[row]
    top = reasons.contributions[:6]
    by_feature = {c.feature: c for c in top}
    assert by_feature["location"].value == "Berlin" and by_feature["location"].points > 0
    assert by_feature["primary_skill"].value == "Developer, back-end"
    assert by_feature["education_level"].points > 0
    assert all(c.points >= top[-1].points for c in top)  # largest pull first


def test_contributions_add_up_to_the_margin_between_squared_distances(trained):
    reasons = _reasons(trained, 5)
    total = sum(c.points for c in reasons.contributions)
    assert total == pytest.approx(reasons.next_distance**2 - reasons.distance**2)


def test_readable_values_say_what_the_candidate_has(trained):
    features, result, truth = trained
    row = int(np.flatnonzero(truth == 1)[0])
    reasons = _reasons(trained, row)
    by_feature = {c.feature: c for c in reasons.contributions}
    years = by_feature["years_experience"]
    assert years.value == pytest.approx(features.numeric[row, 0])
    assert years.value > years.pool_median  # a senior group against the whole pool
    held = set(features.skill_lists()[row])
    assert {c.feature for c in reasons.contributions if c.kind == "skill" and c.value} == held


def test_a_clear_member_is_confidently_placed(trained):
    _, _, truth = trained
    reasons = _reasons(trained, int(np.flatnonzero(truth == 0)[0]))
    assert reasons.confidence > 0.5
    assert not reasons.borderline


def test_a_candidate_between_two_groups_is_borderline(trained):
    features, result, _ = trained
    reasons = _reasons(trained, len(features) - 1)
    lisbon, berlin = result.labels[0], result.labels[40]
    assert {reasons.segment, reasons.next_segment} == {lisbon, berlin}
    assert reasons.borderline and reasons.confidence < 1 - BORDERLINE_RATIO


def test_exactly_halfway_between_two_centres_is_confidence_zero(trained):
    _, result, _ = trained
    pipeline = result.pipeline
    clustering, encoded = center_spaces(pipeline)
    midpoint = (encoded[0] + encoded[1]) / 2
    own, other, distances, points = margin_reasons(
        midpoint,
        (clustering[0] + clustering[1]) / 2,
        encoded,
        clustering,
        feature_groups(pipeline.encoder),
        segment=0,
    )
    assert (own, other) == (0, 1)
    confidence, borderline = confidence_of(distances[0], distances[1])
    assert confidence == pytest.approx(0.0, abs=1e-9) and borderline
    assert points.sum() == pytest.approx(0.0, abs=1e-9)


def test_the_segment_held_is_explained_even_when_another_centre_is_nearer(trained):
    features, result, truth = trained
    row = int(np.flatnonzero(truth == 0)[0])
    held = (int(result.labels[row]) + 1) % 3
    reasons = candidate_reasons(result.pipeline, features.take(np.array([row])), segment=held)
    assert reasons.segment == held
    assert reasons.confidence == 0.0 and reasons.borderline
    assert sum(c.points for c in reasons.contributions) < 0  # everything pulls elsewhere


def test_one_segment_has_nothing_to_compare_with():
    records, _ = make_profiles(5, seed=1)
    features = extract_features(records)
    result = fit_segmentation(features, ClusteringConfig(n_clusters=1))
    reasons = candidate_reasons(result.pipeline, features.take(np.array([0])))
    assert (reasons.segment, reasons.next_segment, reasons.confidence) == (0, None, 1.0)
    assert not reasons.borderline


def test_with_svd_the_reasons_are_still_in_the_profile_features():
    records, truth = make_profiles(40, seed=2)
    features = extract_features(records)
    result = fit_segmentation(features, ClusteringConfig(n_clusters=3, svd_components=4))
    row = int(np.flatnonzero(truth == 1)[0])
    reasons = candidate_reasons(result.pipeline, features.take(np.array([row])))
    assert reasons.segment == result.labels[row]
    locations = [c for c in reasons.contributions[:6] if c.feature == "location"]
    assert locations and locations[0].value == "Berlin" and locations[0].points > 0


def test_blank_and_unseen_values_are_reported_as_such(trained):
    features, result, _ = trained
    odd = extract_features(
        [
            {
                "years_experience": None,
                "desired_salary": 50_000,
                "location": "Atlantis",
                "education_level": "",
                "primary_skill": "Developer, back-end",
                "skills": ["Python"],
            }
        ]
    )
    reasons = candidate_reasons(result.pipeline, odd)
    by_feature = {c.feature: c for c in reasons.contributions}
    assert by_feature["years_experience"].value is None
    assert (by_feature["location"].value, by_feature["location"].known) == ("Atlantis", False)
    assert by_feature["education_level"].value == ""
