"""What names, explanations and unusual profiles cost on an existing database with an active run.

Run it on the database bench/pages.py filled (or any with an active run):

    DATABASE_URL=sqlite:////tmp/adflux-pages/db.sqlite3 ADFLUX_MODEL_DIR=/tmp/adflux-pages/models \
        .venv/bin/python bench/explanations.py --repeat 50

Prints medians of: one candidate's explanation (model cached), the candidate page with and
without it, a candidate's segment on save with and without its unusual flag, the outlier stages
of training (threshold on the sample) and of assignment (predicting with and without the
distances, then the flags' write, rolled back), the segmentation page's unusual card, and the
admin's "Unusual profile" filter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds, after one warm-up call."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--heavy-repeat", type=int, default=3, help="for the whole-pool stages")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()
    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client

    from candidates.models import Candidate
    from segmentation.ml.outliers import predict_with_distances, training_outlier_threshold
    from segmentation.models import UnusualCandidate
    from segmentation.presenters.explanations import candidate_explanation
    from segmentation.selectors.features import candidate_features_load
    from segmentation.selectors.runs import (
        run_active,
        segments_of_run,
        unusual_candidates_summary,
    )
    from segmentation.services.assignment import candidate_segments_assign
    from segmentation.services.model_cache import active_model_get
    from segmentation.services.unusual import unusual_candidates_replace

    run = run_active()
    if run is None:
        print("No active run: fill the database first (bench/pages.py).")
        return 1
    model = active_model_get()
    n = Candidate.objects.count()
    print(f"{n:,} candidates, run {run.pk} (k={run.n_clusters}), {connection.vendor}")
    rows: list[tuple[str, float, float]] = []

    candidate = (
        Candidate.objects.select_related("segment__run")
        .filter(segment__isnull=False)
        .order_by("-id")
        .first()
    )
    rows.append(
        (
            "explanation, one candidate",
            *timed(lambda: candidate_explanation(candidate=candidate), args.repeat),
        )
    )
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = f"/candidates/{candidate.pk}/"
    rows.append(("candidate page", *timed(lambda: client.get(url), args.repeat)))
    with mock.patch("segmentation.views.candidates.candidate_explanation", return_value=None):
        rows.append(
            ("candidate page without the card", *timed(lambda: client.get(url), args.repeat))
        )
    rows.append(("segmentation page", *timed(lambda: client.get("/segments/"), args.repeat)))
    segments = segments_of_run(run)
    rows.append(
        (
            "unusual card selector",
            *timed(lambda: unusual_candidates_summary(run=run, segments=segments), args.repeat),
        )
    )
    admin = "/admin/candidates/candidate/"
    rows.append(("admin candidate list, no filter", *timed(lambda: client.get(admin), args.repeat)))
    for value in ("yes", "no"):
        rows.append(
            (
                f"admin candidate list, unusual={value}",
                *timed(lambda value=value: client.get(admin, {"unusual": value}), args.repeat),
            )
        )

    # On save: the same candidate assigned again, with and without refreshing its flag.
    def on_save() -> None:
        candidate_segments_assign(candidate_ids=[candidate.pk])

    rows.append(("on save, one candidate", *timed(on_save, args.repeat)))
    with mock.patch("segmentation.services.assignment.unusual_candidates_refresh"):
        rows.append(("on save, one candidate, without the flag", *timed(on_save, args.repeat)))

    features = candidate_features_load()
    config = model.pipeline.config
    rows.append(
        (
            "training: threshold on the sample",
            *timed(
                lambda: training_outlier_threshold(
                    model.pipeline,
                    features,
                    percentile=config.outlier_percentile,
                    random_state=config.random_state,
                ),
                args.heavy_repeat,
            ),
        )
    )
    rows.append(
        ("assignment: predict", *timed(lambda: model.pipeline.predict(features), args.heavy_repeat))
    )
    rows.append(
        (
            "assignment: predict with distances",
            *timed(lambda: predict_with_distances(model.pipeline, features), args.heavy_repeat),
        )
    )
    _, distances = predict_with_distances(model.pipeline, features)

    class Rollback(Exception):
        pass

    def write_flags() -> None:
        try:
            with transaction.atomic():
                unusual_candidates_replace(run=run, candidate_ids=features.ids, distances=distances)
                raise Rollback
        except Rollback:
            pass

    rows.append(("assignment: flags' write (rolled back)", *timed(write_flags, args.heavy_repeat)))
    flagged = UnusualCandidate.objects.filter(run=run).count()
    print(f"{flagged:,} unusual candidates under the run, threshold {run.outlier_threshold:.3f}")
    print(f"{'what':45} {'median ms':>10} {'p95 ms':>8}")
    for name, median, p95 in rows:
        print(f"{name:45} {median:10.1f} {p95:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
