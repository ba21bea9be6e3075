"""Arrow columns in, the ML core's features and assignments out: what each Spark partition runs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from segmentation.ml.columnar import block_assign, features_from_arrow, flows_merge
from segmentation.ml.features import CATEGORICAL_FEATURES, extract_features
from segmentation.ml.outliers import predict_with_distances
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from tests.ml.conftest import make_profiles


def _table(records: list[dict], *, current: list[int | None] | None = None) -> pa.Table:
    columns = {"id": list(range(1, len(records) + 1))}
    for name in ("years_experience", "desired_salary", *CATEGORICAL_FEATURES, "skills"):
        columns[name] = [record[name] for record in records]
    if current is not None:
        columns["current_segment"] = current
    return pa.table(columns)


def test_arrow_columns_encode_as_the_profiles_they_hold():
    records, _ = make_profiles(10, blanks=True)
    records[2]["skills"] = None  # a null list reads as no skills
    records[4]["education_level"] = None  # a null category reads as blank
    pipeline = fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=3)).pipeline
    records[2]["skills"], records[4]["education_level"] = [], ""
    from_arrow = features_from_arrow(_table(records))
    expected = pipeline.transform(extract_features(records))
    assert (pipeline.transform(from_arrow) != expected).nnz == 0
    assert from_arrow.ids.tolist() == list(range(1, len(records) + 1))


def test_a_block_is_assigned_as_the_local_engine_assigns_it_with_its_totals():
    records, truth = make_profiles(30, seed=2)
    features = extract_features(records)
    pipeline = fit_segmentation(features, ClusteringConfig(n_clusters=3)).pipeline
    labels, distances = predict_with_distances(pipeline, features)
    current = [7 if i % 2 else None for i in range(len(records))]
    threshold = float(np.percentile(distances, 90))

    block = block_assign(pipeline, _table(records, current=current), outlier_threshold=threshold)

    assert block.labels.tolist() == labels.tolist()
    assert block.counts.tolist() == np.bincount(labels, minlength=3).tolist()
    assert block.inertia == pytest.approx(float(np.square(distances).sum()))
    assert block.unusual_ids.tolist() == (np.flatnonzero(distances > threshold) + 1).tolist()
    # Flows: (current segment id or -1, new number, count), adding up to every candidate.
    assert block.flows[:, 2].sum() == len(records)
    assert set(block.flows[:, 0].tolist()) == {-1, 7}


def test_flows_from_several_blocks_add_up_per_pair():
    merged = flows_merge(
        [np.array([[-1, 0, 2], [5, 1, 3]]), np.zeros((0, 3), np.int64), np.array([[5, 1, 4]])]
    )
    assert merged.tolist() == [[-1, 0, 2], [5, 1, 7]]


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lack skills"):
        features_from_arrow(pa.table({"id": [1], "years_experience": [1.0],
                                      "desired_salary": [1.0], "location": ["a"],
                                      "education_level": [""], "primary_skill": [""]}))  # fmt: skip
