"""train_segments' configuration flags and --json, and the default configuration's setting."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from segmentation.models import SegmentationRun
from segmentation.selectors.features import candidate_features_load
from segmentation.services.training import (
    SEGMENTATION_DEFAULTS,
    segmentation_config_default,
    segmentation_train,
)
from tests.assignments import segment_numbers_by

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _parameters() -> dict:
    return SegmentationRun.objects.latest("created_at").parameters


def test_without_flags_the_default_configuration_is_used(grouped_candidates):
    out = _run("train_segments", "--clusters", "3")
    assert _parameters() == segmentation_config_default(n_clusters=3).to_dict()
    assert "Configuration: kmeans, n_init=10, fit on 100,000" in out


def test_seed_exact_records_the_seeds_configuration(grouped_candidates):
    _run("train_segments", "--clusters", "3", "--seed-exact")
    assert _parameters() == ClusteringConfig.seed(3).to_dict()


def test_flags_reach_the_recorded_configuration(grouped_candidates):
    _run(
        "train_segments",
        "--clusters", "3",
        "--algorithm", "minibatch",
        "--n-init", "auto",
        "--sample-size", "60",
        "--svd-components", "4",
    )  # fmt: skip
    parameters = _parameters()
    assert (parameters["algorithm"], parameters["n_init"]) == ("minibatch", "auto")
    assert (parameters["fit_sample_size"], parameters["svd_components"]) == (60, 4)


def test_zero_means_all_candidates_and_no_svd(grouped_candidates):
    _run("train_segments", "--clusters", "3", "--sample-size", "0", "--svd-components", "0")
    parameters = _parameters()
    assert parameters["fit_sample_size"] is None and parameters["svd_components"] is None


def test_json_output_is_one_object_with_the_timings(grouped_candidates):
    trained = json.loads(_run("train_segments", "--clusters", "3", "--json"))
    assert trained["run"] == SegmentationRun.objects.get().pk
    assert trained["n_candidates"] == 90
    assert {"read", "features", "fit"} <= set(trained["timings"])
    assigned = json.loads(_run("predict_segments", "--json"))
    assert assigned["total"] == 90 and sum(assigned["counts"].values()) == 90
    assert set(assigned["timings"]) >= {"read", "predict", "write"}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--n-init", "0"], 'argument --n-init: expected "auto" or a whole number from 1 to 100'),
        (["--n-init", "lots"], "argument --n-init: expected"),
        (["--sample-size", "-5"], "argument --sample-size: expected a number of candidates"),
        (["--sample-size", "many"], "argument --sample-size: expected"),
        (["--svd-components", "-1"], "argument --svd-components: expected a number of comp"),
        (["--svd-components", "5000"], "from 0 to 1,000"),
        (["--algorithm", "dbscan"], "argument --algorithm: invalid choice: 'dbscan'"),
        (["--sample-size", "2"], "fit sample size must be at least the number of segments"),
        (["--seed-exact", "--n-init", "3"], "--seed-exact is the seed's configuration; drop"),
        (["--svd-components", "900"], "Cannot reduce .* features to 900 SVD components"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(grouped_candidates, flags, message):
    with pytest.raises(CommandError, match=message):
        _run("train_segments", "--clusters", "3", *flags)


def test_the_setting_overrides_the_default(settings):
    settings.ADFLUX_SEGMENTATION = {"n_init": "auto", "fit_sample_size": None}
    config = segmentation_config_default(n_clusters=4)
    assert (config.n_clusters, config.n_init, config.fit_sample_size) == (4, "auto", None)


def test_an_unknown_setting_field_is_refused(settings):
    settings.ADFLUX_SEGMENTATION = {"n_inits": 3}
    with pytest.raises(ImproperlyConfigured, match="unknown field.*n_inits"):
        segmentation_config_default()


def test_the_default_is_the_recommended_configuration_fitted_on_a_sample(grouped_candidates):
    assert segmentation_config_default(n_clusters=3) == ClusteringConfig.recommended(
        3, fit_sample_size=SEGMENTATION_DEFAULTS["fit_sample_size"]
    )
    # Below the sample size the sample is everyone: the same computation as on all candidates.
    assert SEGMENTATION_DEFAULTS["fit_sample_size"] >= 90
    default = segmentation_train(n_clusters=3)
    recommended = segmentation_train(config=ClusteringConfig.recommended(3))
    assert default.parameters["preset"] == "recommended"
    assert default.inertia == recommended.inertia
    assert [s.size for s in default.segments.order_by("number")] == [
        s.size for s in recommended.segments.order_by("number")
    ]


def test_seed_exact_gives_the_seeds_results_bit_for_bit(grouped_candidates):
    out = _run("train_segments", "--clusters", "3", "--seed-exact", "--activate")
    run = SegmentationRun.objects.get()
    expected = fit_segmentation(candidate_features_load(), ClusteringConfig.seed(3))
    assert "Configuration: kmeans, n_init=10, fit on all candidates, seed preset" in out
    assert (run.inertia, run.silhouette) == (expected.inertia, expected.silhouette)
    by_candidate = segment_numbers_by("pk")
    features = candidate_features_load()
    assert [by_candidate[pk] for pk in features.ids.tolist()] == expected.labels.tolist()
