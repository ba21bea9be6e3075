"""Each clustering option's time and quality cost, against the seed's exact configuration.

    python bench/options.py --candidates 100000

Generates the candidates on a throwaway SQLite database, reads them once (the selector), then
in the pure ML core fits every option --repeat times on the same CandidateFeatures. Prints per
option: the median seconds of fitting and assigning every candidate (fit on the sample if any,
then predict all; encoding and silhouette excluded, they do not depend on the option), the
inertia of the resulting labels in the ORIGINAL encoded feature space (``inertia_of``: so a
sample, a projection or float32 are compared on equal terms), its difference from the seed's,
and the adjusted Rand index against the seed's labels (1 = the same partition).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import BenchError, fresh_database, machine, median, run_child  # noqa: E402


def _options(n_clusters: int):
    """(name, config) pairs; config None marks the float32 experiment (not a setting)."""
    from dataclasses import replace

    from segmentation.ml.pipeline import ClusteringConfig
    from segmentation.services.training import segmentation_config_default

    seed = ClusteringConfig.seed(n_clusters)
    default = segmentation_config_default(n_clusters=n_clusters)
    return [
        ("seed exact (KMeans, n_init=10, all rows)", seed),
        (f"default ({_describe(default)})", default),
        ('n_init="auto" (one k-means++ start)', replace(seed, n_init="auto")),
        ("n_init=1", replace(seed, n_init=1)),
        ("n_init=3", replace(seed, n_init=3)),
        ("fit on a 20,000 sample, assign all", replace(seed, fit_sample_size=20_000)),
        ("fit on a 50,000 sample, assign all", replace(seed, fit_sample_size=50_000)),
        ("fit on a 100,000 sample, assign all", replace(seed, fit_sample_size=100_000)),
        ('MiniBatchKMeans, n_init="auto"', replace(seed, algorithm="minibatch", n_init="auto")),
        ("MiniBatchKMeans, n_init=10", replace(seed, algorithm="minibatch")),
        ("TruncatedSVD 20 + KMeans n_init=10", replace(seed, svd_components=20)),
        ("TruncatedSVD 50 + KMeans n_init=10", replace(seed, svd_components=50)),
        ("float32 matrix + KMeans n_init=10 (experiment, not a setting)", None),
    ]  # fmt: skip


def _describe(config) -> str:
    sample = "all rows" if config.fit_sample_size is None else f"{config.fit_sample_size:,} sample"
    return f"{config.algorithm}, n_init={config.n_init}, fit on {sample}"


def measure(n_clusters: int, repeat: int, only: list[str]) -> dict:
    """In a child with DATABASE_URL set: read once, then time and score every option."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from segmentation.ml.features import preprocess_features
    from segmentation.ml.pipeline import (
        ClusteringConfig,
        fit_segmentation,
        inertia_of,
        train_model,
    )
    from segmentation.ml.timing import StageTimer
    from segmentation.selectors.features import candidate_features_load

    started = time.perf_counter()
    features = candidate_features_load()
    read_seconds = time.perf_counter() - started
    matrix, _ = preprocess_features(features)
    matrix32 = matrix.astype(np.float32)
    rows = []
    reference = None
    for name, config in _options(n_clusters):
        if only and not any(word in name for word in only) and reference is not None:
            continue
        seconds = []
        labels = None
        for _ in range(repeat):
            if config is None:
                began = time.perf_counter()
                estimator = train_model(matrix32, ClusteringConfig.seed(n_clusters))
                labels = estimator.labels_
                seconds.append(time.perf_counter() - began)
            else:
                timer = StageTimer()
                result = fit_segmentation(features, config, timer)
                labels = result.labels
                seconds.append(timer.seconds["fit"] + timer.seconds["predict"])
        inertia = inertia_of(matrix, labels)
        if reference is None:
            reference = (inertia, labels)
        rows.append(
            {
                "option": name,
                "config": None if config is None else config.to_dict(),
                "seconds": median(seconds),
                "all_seconds": [round(s, 3) for s in seconds],
                "inertia": inertia,
                "inertia_vs_seed_percent": 100 * (inertia - reference[0]) / reference[0],
                "ari_vs_seed": float(adjusted_rand_score(reference[1], labels)),
            }
        )
        print(f"  {name}: {median(seconds):.2f} s", file=sys.stderr, flush=True)
    return {
        "candidates": len(features),
        "features": matrix.shape[1],
        "nonzeros": int(matrix.nnz),
        "read_seconds": read_seconds,
        "rows": rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="generate_candidates --seed.")
    parser.add_argument("--only", nargs="*", default=[], help="Options whose name has a word.")
    parser.add_argument("--json-out", help="Also write the figures to this JSON file.")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.clusters, args.repeat, args.only)))
        return 0

    info = machine()
    print(f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory")
    print(f"Software: {info['software']}")
    print(f"Command: {' '.join(shlex.quote(a) for a in sys.argv)}", flush=True)
    try:
        with fresh_database("sqlite", name="options") as database:
            print(f"Generating {args.candidates:,} candidates (seed {args.seed}) ...", flush=True)
            database.prepare(candidates=args.candidates, seed=args.seed)
            child = run_child(
                [
                    "bench/options.py",
                    "--measure",
                    "--clusters",
                    str(args.clusters),
                    "--repeat",
                    str(args.repeat),
                    "--only",
                    *args.only,
                ],
                database.env(),
            )
    except BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    figures = child.json()
    print()
    print(
        f"### Clustering options at {figures['candidates']:,} candidates "
        f"({figures['features']} features, {figures['nonzeros']:,} non-zeros; k={args.clusters}; "
        f"median of {args.repeat})"
    )
    print()
    print("| option | fit + assign s | inertia (original space) | vs seed | ARI vs seed |")
    print("|---|---:|---:|---:|---:|")
    for row in figures["rows"]:
        print(
            f"| {row['option']} | {row['seconds']:.2f} | {row['inertia']:,.0f} | "
            f"{row['inertia_vs_seed_percent']:+.3f} % | {row['ari_vs_seed']:.4f} |"
        )
    print()
    print(f"Peak memory of the measuring process: {child.peak_rss_bytes / 1024**3:.2f} GiB.")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"machine": info, **figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
