"""The recommended preset, choosing k by stability, and per-segment quality (docs/quality.md)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from candidates.synthetic import synthetic_profiles
from segmentation.ml.artifacts import load_model, save_model
from segmentation.ml.choose_k import choose_k, k_most_stable
from segmentation.ml.contributions import candidate_reasons
from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import (
    SALARY_COLUMN,
    CandidateFeatures,
    FeatureEncoder,
    extract_features,
)
from segmentation.ml.naming import FALLBACK_NAME, segment_names, segment_traits
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from segmentation.ml.profiles import pool_profile, segment_profiles
from segmentation.ml.quality import (
    blank_salary_shares,
    matched_jaccard,
    pipeline_stability,
    run_quality,
    segment_quality,
    segment_stability,
    skill_identities,
)
from tests.ml.conftest import make_profiles, profiles_in_groups


def _synthetic(count: int, seed: int = 1) -> tuple[CandidateFeatures, np.ndarray]:
    """The generator's candidates (8 archetypes) and the archetype each was drawn from."""
    profiles = synthetic_profiles(count, seed)
    return extract_features(profiles.to_frame()), profiles.archetype


# --- the presets ------------------------------------------------------------------------------


def test_the_default_preset_is_the_seeds_and_old_runs_read_back_as_seed():
    assert ClusteringConfig().preset == "seed"
    assert ClusteringConfig.seed(5).encoder_options == {
        "numeric_scaling": "standard",
        "salary_imputation": "median",
    }
    stored_before_presets = {k: v for k, v in ClusteringConfig.seed(4).to_dict().items()}
    del stored_before_presets["preset"]
    assert ClusteringConfig.from_dict(stored_before_presets) == ClusteringConfig.seed(4)


def test_seed_preset_encodes_exactly_as_before():
    records, _ = make_profiles(30, seed=2, blanks=True)
    features = extract_features(records)
    seed = fit_segmentation(features, ClusteringConfig.seed(3))
    numbers = features.numeric
    medians = np.nanmedian(numbers, axis=0)
    imputed = np.where(np.isnan(numbers), medians, numbers)
    expected = (imputed - imputed.mean(axis=0)) / imputed.std(axis=0)
    encoded = seed.pipeline.transform(features).toarray()[:, :2]
    assert np.array_equal(encoded, expected)


def test_an_unknown_preset_is_refused():
    with pytest.raises(Exception, match="Unknown preset"):
        ClusteringConfig(preset="fancy")


def test_recommended_keeps_the_planted_archetypes():
    features, archetypes = _synthetic(4_000)
    result = fit_segmentation(features, ClusteringConfig.recommended(8))
    assert adjusted_rand_score(archetypes, result.labels) >= 0.99


def test_recommended_on_a_small_pool_clusters_without_svd():
    records, truth = make_profiles(20)
    result = fit_segmentation(extract_features(records), ClusteringConfig.recommended(3))
    assert result.pipeline.reducer is None
    assert adjusted_rand_score(truth, result.labels) == 1.0


def test_quantile_scaling_keeps_an_extreme_salary_at_the_edge():
    records, _ = make_profiles(40, seed=4)
    records[0]["desired_salary"] = 20_000_000
    features = extract_features(records)
    encoder = FeatureEncoder(numeric_scaling="quantile").fit(features)
    salary = encoder.transform(features).toarray()[:, SALARY_COLUMN]
    # clipped normal scores, standardised: the outlier is the largest, but not miles away
    assert salary[0] == salary.max() and salary[0] < 4
    raw = encoder.numbers_raw(encoder.numbers_scaled(features.numeric[1:5]))
    assert raw == pytest.approx(features.numeric[1:5], rel=0.02)


# --- filling blank salaries --------------------------------------------------------------------


def _salary_frame(rows: list[tuple[float, float | None, str]]) -> CandidateFeatures:
    return extract_features(
        [
            {
                "years_experience": years,
                "desired_salary": salary,
                "location": location,
                "education_level": "bachelor",
                "primary_skill": "Developer",
                "skills": ["Python"],
            }
            for years, salary, location in rows
        ]
    )


def test_blank_salaries_are_filled_from_experience_and_location():
    rows = []
    for years in (1.0, 15.0):
        for location, level in (("Zurich", 3.0), ("Lagos", 0.5)):
            rows += [(years, level * (40_000 if years < 2 else 90_000), location)] * 200
    rows += [(1.0, None, "Zurich"), (15.0, None, "Zurich"), (15.0, None, "Lagos")]
    features = _salary_frame(rows)
    encoder = FeatureEncoder(salary_imputation="location_experience").fit(features)
    filled = encoder.impute(features)[-3:, SALARY_COLUMN]
    # 200 known salaries per location: shrunk by 200/220 toward the band's pool median
    assert filled[0] == pytest.approx(120_000, rel=0.25)
    assert filled[1] == pytest.approx(270_000, rel=0.25)
    assert filled[2] == pytest.approx(45_000, rel=0.25)
    assert filled[1] > filled[0] > 0 and filled[1] > filled[2]
    # the seed's fill is one global median for all three
    seed = FeatureEncoder().fit(features).impute(features)[-3:, SALARY_COLUMN]
    assert len(set(seed.tolist())) == 1


def test_a_thin_location_is_shrunk_toward_the_pool():
    rows = [(5.0, 50_000.0, "Lisbon")] * 400 + [(5.0, 500_000.0, "Monaco")] * 2
    rows += [(5.0, None, "Monaco"), (5.0, None, "Atlantis")]
    encoder = FeatureEncoder(salary_imputation="location_experience").fit(_salary_frame(rows))
    monaco, unknown = encoder.impute(_salary_frame(rows))[-2:, SALARY_COLUMN]
    # two answers move the fill 2/22 of the way (in log terms) from 50k toward 500k
    assert 50_000 < monaco < 70_000
    assert unknown == pytest.approx(50_000, rel=0.01)


def test_predicting_uses_the_training_fill():
    rows = [(3.0, 60_000.0, "Oslo")] * 50 + [(3.0, 30_000.0, "Porto")] * 50
    encoder = FeatureEncoder(salary_imputation="location_experience").fit(_salary_frame(rows))
    new = _salary_frame([(3.0, None, "Oslo")] + [(3.0, 900_000.0, "Oslo")] * 10)
    assert encoder.impute(new)[0, SALARY_COLUMN] == pytest.approx(
        encoder.impute(_salary_frame([(3.0, None, "Oslo")]))[0, SALARY_COLUMN]
    )


# --- choosing k ---------------------------------------------------------------------------------


def _two_families() -> CandidateFeatures:
    """Two far-apart families of three sub-groups each: silhouette sees 2, stability 6."""
    groups = []
    for years, salary, location, education in (
        (2.0, 40_000, "Lisbon", "bachelor"),
        (20.0, 150_000, "Zurich", "doctorate"),
    ):
        for primary, (first, second) in (
            ("Developer, front-end", ("JavaScript", "React")),
            ("Developer, back-end", ("Python", "Django")),
            ("Data scientist", ("R", "Pandas")),
        ):
            pool = [first + location, second + location, "Git" + location, "Linux" + location]
            groups.append((years, salary, location, education, primary, pool))
    records, _ = profiles_in_groups(groups, 60, np.random.default_rng(0))
    return extract_features(records)


def test_auto_k_prefers_stable_segments_over_the_silhouettes_two():
    features = _two_families()
    config = ClusteringConfig.recommended(6)
    by_silhouette = choose_k(features, config, k_min=2, k_max=6, rule="silhouette")
    by_stability = choose_k(features, config, k_min=2, k_max=6)
    assert by_silhouette.k == 2
    assert by_stability.rule == "stability" and by_stability.k == 6
    assert "largest k whose every segment is stable" in by_stability.reason
    assert [score["k"] for score in by_stability.scores] == list(range(2, 7))
    for score in by_stability.scores:
        assert {"silhouette", "inertia", "stability", "segment_stability", "smallest_share"} <= set(
            score
        )


def test_k_most_stable_needs_both_stability_and_size():
    scores = [
        {"k": 2, "segment_stability": 0.99, "smallest_share": 0.4},
        {"k": 3, "segment_stability": 0.95, "smallest_share": 0.01},
        {"k": 4, "segment_stability": 0.6, "smallest_share": 0.2},
    ]
    assert k_most_stable(scores)[0] == 2
    assert k_most_stable(scores, min_segment_share=0.005)[0] == 3
    k, reason = k_most_stable(scores, min_segment_stability=1.0)
    assert k == 2 and "no k had every segment stable" in reason


def test_the_seed_preset_still_chooses_by_silhouette():
    choice = choose_k(_two_families(), ClusteringConfig.seed(6), k_min=2, k_max=6)
    assert choice.rule == "silhouette" and "stability" not in choice.scores[0]


# --- per-segment quality -----------------------------------------------------------------------


def test_matched_jaccard_follows_segments_not_numbers():
    reference = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    renumbered = np.array([2, 2, 2, 0, 0, 0, 1, 1])
    assert matched_jaccard(reference, renumbered, 3).tolist() == [1.0, 1.0, 1.0]
    split = np.array([0, 0, 0, 1, 1, 2, 2, 2])  # one member of segment 1 moved to 2
    scores = matched_jaccard(reference, split, 3)
    assert (
        scores[0] == 1.0 and scores[1] == pytest.approx(2 / 3) and scores[2] == pytest.approx(2 / 3)
    )
    merged = np.zeros(8, dtype=int)
    assert segment_stability(reference, [merged, renumbered], 3).tolist() == [0.6875, 0.5, 0.5]


def test_blank_salary_shares_per_segment_and_pool():
    records, _ = make_profiles(10)
    for record in records[:10]:
        record["desired_salary"] = None
    features = extract_features(records)
    labels = np.repeat([0, 1, 2], 10)
    shares, pool = blank_salary_shares(features, labels, 3)
    assert shares.tolist() == [1.0, 0.0, 0.0] and pool == pytest.approx(1 / 3)


def test_quality_of_planted_segments_and_a_mixed_one():
    records, truth = make_profiles(60, seed=5)
    # a fourth segment of people drawn from every group at random: nothing sets it apart
    rng = np.random.default_rng(3)
    mixed = [dict(records[i]) for i in rng.choice(len(records), 60, replace=False)]
    for record in mixed:
        record["location"] = str(rng.choice(["Lisbon", "Berlin", "Toronto"]))
        record["primary_skill"] = str(
            rng.choice(["Developer, front-end", "Developer, back-end", "Data scientist"])
        )
    features = extract_features(records + mixed)
    labels = np.concatenate([truth, np.full(60, 3)])
    profiles = segment_profiles(features, labels, 4)
    pool = pool_profile(features)
    entries = segment_quality(profiles, pool, features, labels, np.array([1.0, 0.9, 0.8, 0.5]))
    assert [entry["mixed"] for entry in entries] == [False, False, False, True]
    assert entries[3]["traits"] == [] and segment_traits(profiles[0], pool)
    assert [entry["stable"] for entry in entries] == [True, True, True, False]
    names = segment_names(profiles, pool, mark_mixed=True)
    assert names[3].startswith(FALLBACK_NAME) and not names[0].startswith(FALLBACK_NAME)
    assert segment_names(profiles, pool)[:3] == names[:3]
    summary = run_quality(entries, agreement=0.97)
    assert summary["mixed_segments"] == 1 and summary["unstable_segments"] == 1
    identities = skill_identities(features, labels, 4)
    assert identities[3] is None and all(identities[:3])


def test_pipeline_stability_of_planted_groups_is_one():
    records, _ = make_profiles(50, seed=6)
    features = extract_features(records)
    result = fit_segmentation(features, ClusteringConfig.recommended(3))
    stability, agreement = pipeline_stability(result.pipeline, features, resamples=2)
    assert stability.tolist() == [1.0, 1.0, 1.0] and agreement == 1.0


# --- the model file -----------------------------------------------------------------------------


def test_recommended_pipeline_round_trips_through_the_model_file(tmp_path):
    features, _ = _synthetic(2_000)
    result = fit_segmentation(features, ClusteringConfig.recommended(8))
    assert result.pipeline.reducer is not None
    saved = save_model(result.pipeline, tmp_path, stem="run-1")
    loaded = load_model(saved.path, expected_sha256=saved.sha256)
    assert loaded.predict(features).tolist() == result.labels.tolist()
    assert loaded.encoder.salary_location_offsets == result.pipeline.encoder.salary_location_offsets
    one = features.take(np.array([7]))
    one.numeric[0, SALARY_COLUMN] = np.nan
    started = time.perf_counter()
    for _ in range(20):
        loaded.predict(one)
    assert (time.perf_counter() - started) / 20 < 0.05  # ~1 ms unloaded; generous for CI


def test_the_why_of_a_blank_salary_names_the_value_filled_in():
    rows = [(3.0, 90_000.0, "Oslo")] * 60 + [(3.0, 30_000.0, "Porto")] * 60
    features = _salary_frame(rows + [(3.0, None, "Oslo")])
    result = fit_segmentation(features, ClusteringConfig.recommended(2))
    one = features.take(np.array([len(rows)]))
    reasons = candidate_reasons(result.pipeline, one)
    salary = next(c for c in reasons.contributions if c.feature == "desired_salary")
    assert salary.value is None and salary.filled == pytest.approx(
        result.pipeline.encoder.impute(one)[0, SALARY_COLUMN]
    )
    assert salary.filled > salary.pool_median  # Oslo's fill, not the pool's median


def test_a_pipeline_saved_before_presets_still_encodes_as_the_seed():
    records, _ = make_profiles(20, blanks=True)
    features = extract_features(records)
    result = fit_segmentation(features, ClusteringConfig.seed(3))
    expected = result.pipeline.transform(features).toarray()
    encoder = result.pipeline.encoder
    # what a model file written before presets restores: the old attributes only
    for name in (
        "numeric_scaling",
        "salary_imputation",
        "quantiles",
        "salary_band_medians",
        "salary_location_offsets",
    ):
        del encoder.__dict__[name]
    object.__delattr__(result.pipeline.config, "preset")
    assert np.array_equal(result.pipeline.transform(features).toarray(), expected)
    assert result.pipeline.config.preset == "seed"


def test_recommended_with_too_many_components_asked_is_still_refused():
    records, _ = make_profiles(20)
    with pytest.raises(SegmentationInputError, match="Cannot reduce"):
        fit_segmentation(
            extract_features(records), ClusteringConfig.recommended(3, svd_components=900)
        )
