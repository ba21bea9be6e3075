"""The seed's pipeline, the straightforward way: dense pandas, ColumnTransformer, KMeans.

The reference the production path is held to: tests check that on data without blanks the
sparse pipeline gives the same labels (up to renumbering) and the same inertia, and the
benchmark measures the speed-up against it. The seed's own source is not part of this
repository; this follows its design as specified (numeric scaling, one-hot categoricals with
unknowns ignored, skills multi-hot, K-means with the seed's parameters). Do not "improve" it: it
has no imputation, so a blank number reaches K-means as NaN, and its skill columns are whatever
the training frame held, so new data with other skills cannot be predicted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from segmentation.ml.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, SKILLS_FEATURE


def seed_extract_features(candidates: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """One row per candidate dict; skills become one 0/1 column each."""
    df = pd.DataFrame(list(candidates))
    skills = df[SKILLS_FEATURE].explode()
    dummies = pd.get_dummies(skills, prefix="skill", dtype=float).groupby(level=0).max()
    features = df[list(NUMERIC_FEATURES) + list(CATEGORICAL_FEATURES)].join(dummies)
    return features


def seed_preprocess_features(df: pd.DataFrame) -> tuple[object, ColumnTransformer]:
    transformer = ColumnTransformer(
        [
            ("num", StandardScaler(), list(NUMERIC_FEATURES)),
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL_FEATURES)),
        ],
        remainder="passthrough",
    )
    return transformer.fit_transform(df), transformer


def seed_train_model(matrix: object, n_clusters: int = 5) -> KMeans:
    model = KMeans(
        n_clusters=n_clusters,
        init="k-means++",
        n_init=10,
        max_iter=300,
        tol=1e-4,
        random_state=42,
    )
    model.fit(matrix)
    return model
