"""The seed's pipeline as the seed wrote it: dense pandas, ColumnTransformer, KMeans.

Kept as the reference the production path is held to: tests check that on data without blanks
the sparse pipeline gives the same labels (up to renumbering) and the same inertia, and the
benchmark measures the speed-up against it. Do not "improve" this module: its value is that it
stays the seed's approach, including its handling of skills (``get_dummies`` over the exploded
list, joined back, so a candidate without skills gets NaN: the bug the production path fixes).
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
