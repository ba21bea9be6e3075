"""Each clustering algorithm on the same candidates: time, silhouette, inertia; then auto-k.

    python bench/algorithms.py --candidates 100000

The candidates are built in memory by ``candidates.synthetic`` (the generator behind
``manage.py generate_candidates``: the same seed gives the same profiles) and encoded once; no
database is involved, since reading is the same for every algorithm. Each algorithm runs in a
child process of its own, so its peak memory is its own, with the configuration the segmentation
page's form gives it (``segmentation_config_default`` then ``with_algorithm``: K-means fitted
on a 100,000 sample with n_init=10, agglomerative on 10,000, the mixture with one start on 20
SVD components; "gmm-dense" is the mixture on the densified sample instead).

Per algorithm it prints the median seconds of fitting and assigning every candidate (encoding
and silhouette excluded, as in bench/options.py), the silhouette on the same 5,000 sampled
candidates for all, the inertia of the labels in the encoded feature space (``inertia_of``, so
every algorithm is measured alike), the adjusted Rand index against the generator's hidden
archetypes, the smallest and largest segment, and the child's peak memory. Then it chooses k
automatically (2-12, ``choose_k``) --repeat times per --auto algorithm: scores and time.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import BenchError, machine, median, run_child  # noqa: E402

ALGORITHMS = ("kmeans", "minibatch", "bisecting", "gmm", "agglomerative")
# Not a setting: the mixture on the densified 100,000 sample instead of its default 20 SVD
# components (train_segments --algorithm gmm --svd-components 0), to show why the default.
VARIANTS = (*ALGORITHMS, "gmm-dense")


def _features(count: int, seed: int):
    """The generator's profiles as CandidateFeatures, and its archetype per candidate."""
    import numpy as np

    from candidates.synthetic import synthetic_profiles
    from segmentation.ml.features import CandidateFeatures

    profiles = synthetic_profiles(count, seed)
    features = CandidateFeatures(
        ids=np.arange(1, count + 1, dtype=np.int64),
        numeric=np.column_stack([profiles.years_experience, profiles.desired_salary]),
        categorical={
            "location": profiles.location.astype(object),
            "education_level": profiles.education_level.astype(object),
            "primary_skill": profiles.primary_skill.astype(object),
        },
        skill_rows=profiles.skill_rows,
        skill_codes=profiles.skill_codes,
        skill_names=profiles.skill_names,
    )
    return features, profiles.archetype


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()


def measure(algorithm: str, count: int, seed: int, n_clusters: int, repeat: int) -> dict:
    """In a child: fit one algorithm --repeat times on the same features and score it."""
    _setup()
    from dataclasses import replace

    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from segmentation.ml.features import preprocess_features
    from segmentation.ml.pipeline import fit_segmentation, inertia_of
    from segmentation.ml.timing import StageTimer
    from segmentation.services.training import segmentation_config_default

    features, archetype = _features(count, seed)
    matrix, _ = preprocess_features(features)
    config = segmentation_config_default(n_clusters=n_clusters)
    if algorithm == "gmm-dense":
        config = replace(config.with_algorithm("gmm"), svd_components=None)
    else:
        config = config.with_algorithm(algorithm)
    seconds = []
    for _ in range(repeat):
        timer = StageTimer()
        result = fit_segmentation(features, config, timer)
        seconds.append(timer.seconds["fit"] + timer.seconds["predict"])
        print(f"  {algorithm}: {seconds[-1]:.2f} s", file=sys.stderr, flush=True)
    sizes = np.bincount(result.labels, minlength=n_clusters)
    return {
        "algorithm": algorithm,
        "config": config.to_dict(),
        "candidates": count,
        "features": matrix.shape[1],
        "nonzeros": int(matrix.nnz),
        "seconds": median(seconds),
        "all_seconds": [round(s, 3) for s in seconds],
        "silhouette": result.silhouette,
        "inertia": inertia_of(matrix, result.labels),
        "ari_vs_archetypes": float(adjusted_rand_score(archetype, result.labels)),
        "smallest_share": float(sizes.min() / count),
        "largest_share": float(sizes.max() / count),
    }


def measure_auto(
    algorithm: str, count: int, seed: int, k_min: int, k_max: int, repeat: int
) -> dict:
    """In a child: choose k --repeat times with one algorithm's configuration."""
    _setup()
    import time

    from segmentation.ml.choose_k import choose_k
    from segmentation.services.training import segmentation_config_default

    features, _ = _features(count, seed)
    config = segmentation_config_default().with_algorithm(algorithm)
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        choice = choose_k(features, config, k_min=k_min, k_max=k_max)
        seconds.append(time.perf_counter() - started)
        print(f"  auto-k {algorithm}: {seconds[-1]:.2f} s", file=sys.stderr, flush=True)
    return {
        "algorithm": algorithm,
        "seconds": median(seconds),
        "all_seconds": [round(s, 3) for s in seconds],
        "k": choice.k,
        "fit_rows": choice.fit_rows,
        "silhouette_rows": choice.silhouette_rows,
        "scores": choice.scores,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--clusters", type=int, default=8, help="k for the comparison.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1, help="The generator's seed.")
    parser.add_argument(
        "--only", nargs="*", default=list(VARIANTS), choices=VARIANTS, metavar="ALGORITHM"
    )
    parser.add_argument(
        "--auto",
        nargs="*",
        default=["kmeans"],
        choices=ALGORITHMS,
        metavar="ALGORITHM",
        help="Algorithms to choose k with (default kmeans; none skips it).",
    )
    parser.add_argument("--k-min", type=int, default=2)
    parser.add_argument("--k-max", type=int, default=12)
    parser.add_argument("--json-out", help="Also write the figures to this JSON file.")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--measure-auto", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        figures = measure(args.measure, args.candidates, args.seed, args.clusters, args.repeat)
        print(json.dumps(figures))
        return 0
    if args.measure_auto:
        figures = measure_auto(
            args.measure_auto, args.candidates, args.seed, args.k_min, args.k_max, args.repeat
        )
        print(json.dumps(figures))
        return 0

    info = machine()
    print(f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory")
    print(f"Software: {info['software']}")
    print(f"Command: {' '.join(shlex.quote(a) for a in sys.argv)}", flush=True)
    # The machine may be shared: the load says how much the figures may have suffered.
    print(f"Load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    env = {**os.environ, "DJANGO_DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    common = ["--candidates", str(args.candidates), "--seed", str(args.seed)]
    rows, autos = [], []
    try:
        for algorithm in args.only:
            child = run_child(
                [
                    "bench/algorithms.py", "--measure", algorithm, *common,
                    "--clusters", str(args.clusters), "--repeat", str(args.repeat),
                ],
                env,
            )  # fmt: skip
            rows.append({**child.json(), "peak_rss_bytes": child.peak_rss_bytes})
        for algorithm in args.auto:
            child = run_child(
                [
                    "bench/algorithms.py", "--measure-auto", algorithm, *common,
                    "--k-min", str(args.k_min), "--k-max", str(args.k_max),
                    "--repeat", str(args.repeat),
                ],
                env,
            )  # fmt: skip
            autos.append({**child.json(), "peak_rss_bytes": child.peak_rss_bytes})
    except BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1

    if rows:
        first = rows[0]
        print()
        print(
            f"### Algorithms at {args.candidates:,} candidates ({first['features']} features, "
            f"{first['nonzeros']:,} non-zeros; k={args.clusters}; median of {args.repeat})"
        )
        print()
        print(
            "| algorithm | configuration | fit + assign s | silhouette (same 5,000) | "
            "inertia (encoded space) | ARI vs archetypes | segment sizes | peak memory |"
        )
        print("|---|---|---:|---:|---:|---:|---|---:|")
        for row in rows:
            config = row["config"]
            sample = config["fit_sample_size"]
            fitted = "all" if sample is None else f"{min(sample, args.candidates):,}"
            # Ward's tree has no random starts.
            starts = "" if row["algorithm"] == "agglomerative" else f", n_init={config['n_init']}"
            svd = config["svd_components"]
            space = f", {svd} SVD components" if svd else ""
            print(
                f"| {row['algorithm']} | fit on {fitted}{starts}{space} | "
                f"{row['seconds']:.2f} | {row['silhouette']:.4f} | {row['inertia']:,.0f} | "
                f"{row['ari_vs_archetypes']:.3f} | {row['smallest_share']:.1%}–"
                f"{row['largest_share']:.1%} | {row['peak_rss_bytes'] / 1024**3:.2f} GiB |"
            )
    for auto in autos:
        print()
        print(
            f"### Choosing k ({args.k_min}–{args.k_max}) with {auto['algorithm']} at "
            f"{args.candidates:,} candidates: k={auto['k']} in {auto['seconds']:.1f} s "
            f"(median of {len(auto['all_seconds'])}: {auto['all_seconds']}) "
            f"(fit sample {auto['fit_rows']:,}, silhouette sample {auto['silhouette_rows']:,}, "
            f"peak memory {auto['peak_rss_bytes'] / 1024**3:.2f} GiB)"
        )
        print()
        print("| k | silhouette | inertia (fit sample) |")
        print("|---:|---:|---:|")
        for score in auto["scores"]:
            mark = " **chosen**" if score["k"] == auto["k"] else ""
            print(f"| {score['k']}{mark} | {score['silhouette']:.4f} | {score['inertia']:,.0f} |")
    print()
    print(f"Load average at the end: {os.getloadavg()[0]:.2f}")
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({"machine": info, "rows": rows, "auto": autos}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
