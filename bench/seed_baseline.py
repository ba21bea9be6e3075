"""The seed's way of segmenting candidates next to AdFlux's services, on the same data.

Run by bench/segmentation.py as a child process with DATABASE_URL pointing at a database of
generated candidates; prints one JSON line. Both sides run in this one process:

- the seed's approach, written as the seed does it: iterate Candidate model instances, read each
  candidate's skills (one query each), build a dict per candidate, the seed's pandas +
  ColumnTransformer + KMeans(n_init=10) pipeline (segmentation/ml/seed.py), then fetch and
  save() each candidate to store its segment, in autocommit as the seed did;
- AdFlux: segmentation_train + segmentation_activate with the default configuration.

The seed cannot handle a blank number (NaN reaches K-means and it fails), so blanks are filled
with the column median (``df.fillna(median)``) before its preprocessing, the simplest fix the
seed would have had to make. Our pipeline imputes the same median, so both should find the same
partition; the output says whether they did.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from candidates.models import Candidate  # noqa: E402
from segmentation.ml.features import NUMERIC_FEATURES  # noqa: E402
from segmentation.ml.seed import (  # noqa: E402
    seed_extract_features,
    seed_preprocess_features,
    seed_train_model,
)
from segmentation.models import Segment, SegmentationRun  # noqa: E402
from segmentation.services.activation import segmentation_activate  # noqa: E402
from segmentation.services.training import segmentation_train  # noqa: E402

BLANK_FILL = "blank numbers filled with the column median (df.fillna(median)) before preprocessing"


class Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)


def seed_segmentation(n_clusters: int) -> tuple[dict[str, float], dict[int, int]]:
    """The seed's approach end to end; its stage timings and each candidate's label."""
    stages = Stages()
    with stages.stage("read"):
        candidates = []
        for candidate in Candidate.objects.all():
            skills = [skill.name for skill in candidate.skills.all()]
            candidates.append(
                {
                    "id": candidate.id,
                    "years_experience": candidate.years_experience,
                    "desired_salary": candidate.desired_salary,
                    "location": candidate.location,
                    "education_level": candidate.education_level,
                    "primary_skill": candidate.primary_skill,
                    "skills": skills,
                }
            )
    with stages.stage("features"):
        df = seed_extract_features(candidates)
        numeric = list(NUMERIC_FEATURES)
        df[numeric] = df[numeric].astype(float).fillna(df[numeric].astype(float).median())
        matrix, _ = seed_preprocess_features(df)
    with stages.stage("fit"):
        model = seed_train_model(matrix, n_clusters)
    with stages.stage("write"):
        run = SegmentationRun.objects.create(n_clusters=n_clusters, algorithm="seed")
        segments = [
            Segment.objects.create(run=run, number=number, name=f"Seed {number}")
            for number in range(n_clusters)
        ]
        for record, label in zip(candidates, model.labels_.tolist(), strict=True):
            candidate = Candidate.objects.get(pk=record["id"])
            candidate.segment = segments[label]
            candidate.save()
    labels = {
        record["id"]: label
        for record, label in zip(candidates, model.labels_.tolist(), strict=True)
    }
    return stages.seconds, labels


def adflux_segmentation(n_clusters: int) -> tuple[dict, dict[int, int]]:
    """Train and assign with the services' default configuration; timings and labels."""
    started = time.perf_counter()
    run = segmentation_train(n_clusters=n_clusters)
    trained = time.perf_counter()
    result = segmentation_activate(run=run)
    finished = time.perf_counter()
    labels = dict(Candidate.objects.filter(segment__run=run).values_list("id", "segment__number"))
    figures = {
        "train": round(trained - started, 3),
        "assign": round(finished - trained, 3),
        "total": round(finished - started, 3),
        "train_stages": run.timings,
        "assign_stages": result.timings,
        "parameters": run.parameters,
    }
    return figures, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of AdFlux's side.")
    args = parser.parse_args()
    ours = []
    our_labels: dict[int, int] = {}
    for _ in range(args.repeat):
        figures, our_labels = adflux_segmentation(args.clusters)
        ours.append(figures)
    seed_stages, seed_labels = seed_segmentation(args.clusters)
    ids = sorted(seed_labels)
    ari = adjusted_rand_score(
        np.array([seed_labels[i] for i in ids]), np.array([our_labels[i] for i in ids])
    )
    print(
        json.dumps(
            {
                "candidates": len(ids),
                "seed": {"stages": seed_stages, "total": round(sum(seed_stages.values()), 3)},
                "ours": ours,
                "adjusted_rand_index": round(float(ari), 6),
                "note": BLANK_FILL,
            }
        )
    )


if __name__ == "__main__":
    main()
