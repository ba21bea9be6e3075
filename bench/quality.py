"""Segment quality of each clustering configuration on real profiles and on the generator's.

    python bench/quality.py       # every configuration: real file + 100,000 synthetic
    python bench/quality.py --only seed recommended --candidates 1000000

For each configuration (``CONFIGURATIONS``) it prints, side by side, the targets of issue 13
(docs/quality.md), measured on the real survey file (``--csv``, default
``../shared/data/so2024/candidates.csv`` next to the repository; parsed by the import's own row
parser, without a database):

- the smallest segment at k=8, and the smallest over every k from 5 to 12;
- segments at k=8 with a skill held by >= 50 % of members at >= 1.5x its pool share;
- the largest gap between a segment's share of blank salaries and the pool's, at k=8;
- agreement across ``random_state`` (mean pairwise ARI of 5 seeds) and across 5 fits on
  random 80 % subsets each predicting everyone (the whole pipeline refitted), at k=8;
- the k that ``choose_k`` picks from 2-12 (the configuration's own rule) and its seconds;
- mixed segments and the lowest per-segment stability at k=8 (segmentation/ml/quality.py);

then on ``--synthetic`` generated candidates (8 archetypes) the ARI against the archetypes at
k=8, and with ``--candidates N`` the seconds of ``fit_segmentation`` (features, fit on the
configuration's sample, assigning everyone) on N generated candidates, for each configuration in
the same process, one after the other. The project never reads the real file at runtime.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import machine  # noqa: E402
from bench.quality_data import DEFAULT_CSV, real_features, synthetic_features  # noqa: E402

SEEDS = (42, 1, 2, 3, 4)
RESAMPLES = 5
K_RANGE = range(5, 13)
# The services' fit sample (segmentation_config_default); it matters only above 100,000.
SERVICE_FIT_SAMPLE = 100_000


def configurations() -> dict[str, object]:
    """The configurations compared, by name; docs/quality.md describes each."""
    from segmentation.ml.pipeline import ClusteringConfig

    seed = ClusteringConfig.seed(8)
    recommended = ClusteringConfig.recommended(8)
    return {
        # The seed's exact configuration: what --seed-exact trains.
        "seed": seed,
        # The seed's encoding on 30 SVD components: is the reduction alone enough?
        "seed-svd30": replace(seed, svd_components=30),
        # The recommended encoding, clustered on the encoded features without SVD.
        "recommended-no-svd": replace(recommended, svd_components=None),
        # The recommended configuration (ClusteringConfig.recommended).
        "recommended": recommended,
        # The same with one k-means++ start instead of 10: faster, less stable.
        "recommended-1-start": replace(recommended, n_init="auto"),
    }


def _pipeline_labels(features, config):
    from segmentation.ml.pipeline import fit_segmentation

    return fit_segmentation(features, config)


def measure_real(features, config, *, choose: bool) -> dict:
    """Every target measure of one configuration on the real file."""
    import numpy as np

    from segmentation.ml.choose_k import choose_k
    from segmentation.ml.profiles import pool_profile, segment_profiles
    from segmentation.ml.quality import (
        blank_salary_shares,
        mean_pairwise_ari,
        pipeline_stability,
        segment_quality,
        skill_identities,
    )

    out: dict = {}
    n = len(features)
    smallest = {}
    for k in K_RANGE:
        result = _pipeline_labels(features, config.with_clusters(k))
        smallest[k] = float(np.bincount(result.labels, minlength=k).min() / n)
        if k == 8:
            at8 = result
    out["smallest_by_k"] = smallest
    out["smallest_k8"] = smallest[8]
    out["smallest_5_12"] = min(smallest.values())
    config8 = config.with_clusters(8)
    identities = skill_identities(features, at8.labels, 8)
    out["skill_identity_k8"] = sum(skill is not None for skill in identities)
    out["identities"] = identities
    blank, pool_blank = blank_salary_shares(features, at8.labels, 8)
    out["blank_gap_k8"] = float(np.abs(blank - pool_blank).max())
    out["blank_range_k8"] = (float(blank.min()), float(blank.max()), pool_blank)

    started = time.perf_counter()
    by_seed = [at8.labels] + [
        _pipeline_labels(features, replace(config8, random_state=seed)).labels for seed in SEEDS[1:]
    ]
    out["ari_seeds"] = mean_pairwise_ari(by_seed)
    predicted = []
    rng = np.random.default_rng(0)
    for _ in range(RESAMPLES):
        rows = np.sort(rng.choice(n, size=int(0.8 * n), replace=False))
        pipeline = _pipeline_labels(features.take(rows), config8).pipeline
        predicted.append(pipeline.predict(features))
    out["ari_resamples"] = mean_pairwise_ari(predicted)
    out["agreement_seconds"] = time.perf_counter() - started

    stability, _ = pipeline_stability(at8.pipeline, features)
    pool = pool_profile(features)
    profiles = segment_profiles(features, at8.labels, 8)
    quality = segment_quality(profiles, pool, features, at8.labels, stability)
    out["mixed_k8"] = sum(entry["mixed"] for entry in quality)
    out["predict_one_ms"] = predict_one_ms(at8.pipeline, features)
    out["min_stability_k8"] = float(stability.min())
    if choose:
        started = time.perf_counter()
        choice = choose_k(features, config8, k_min=2, k_max=12)
        out["auto_k"] = choice.k
        out["auto_rule"] = choice.rule
        out["auto_reason"] = choice.reason
        out["auto_scores"] = choice.scores
        out["auto_seconds"] = time.perf_counter() - started
    return out


def predict_one_ms(pipeline, features, runs: int = 300) -> float:
    """Median milliseconds to place one new candidate (blank salary) and measure its distance:
    the ML part of assign-on-save (segmentation/ml/outliers.py ``predict_with_distances``)."""
    import statistics

    import numpy as np

    from segmentation.ml.outliers import predict_with_distances

    one = features.take(np.array([0]))
    one.numeric[0, 1] = np.nan
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        predict_with_distances(pipeline, one)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure_synthetic(features, archetypes, config) -> dict:
    from sklearn.metrics import adjusted_rand_score

    result = _pipeline_labels(features, config.with_clusters(8))
    return {"synthetic_ari": float(adjusted_rand_score(archetypes, result.labels))}


def measure_fit_time(features, config, repeat: int) -> dict:
    import statistics

    from segmentation.ml import stages as stage_names
    from segmentation.ml.pipeline import fit_segmentation
    from segmentation.ml.timing import StageTimer

    config = replace(config.with_clusters(8), fit_sample_size=SERVICE_FIT_SAMPLE)
    runs = []
    for _ in range(repeat):
        timer = StageTimer()
        fit_segmentation(features, config, timer)
        runs.append(timer.seconds)
    stages = (stage_names.FEATURES, stage_names.FIT, stage_names.PREDICT)
    return {
        f"{stage}_seconds": statistics.median(run.get(stage, 0.0) for run in runs)
        for stage in stages
    } | {
        "fit_total_seconds": statistics.median(
            sum(run.get(stage, 0.0) for stage in stages) for run in runs
        )
    }


def measure_choose_k_time(features, config, repeat: int) -> dict:
    """Median seconds of choosing k from 2 to 12 (it samples: the pool's size hardly matters)."""
    import statistics

    from segmentation.ml.choose_k import choose_k

    config = replace(config.with_clusters(8), fit_sample_size=SERVICE_FIT_SAMPLE)
    times, chosen = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        chosen = choose_k(features, config, k_min=2, k_max=12).k
        times.append(time.perf_counter() - started)
    return {"auto_seconds_n": statistics.median(times), "auto_k_synthetic": chosen}


ROWS = [
    ("smallest segment at k=8", "smallest_k8", "{:.2%}", ">= 5 %"),
    ("smallest segment, k = 5..12", "smallest_5_12", "{:.2%}", ">= 2 %"),
    ("segments at k=8 with a skill identity", "skill_identity_k8", "{} of 8", ">= 6 of 8"),
    ("largest blank-salary gap vs pool, k=8", "blank_gap_k8", "{:.1%}", "<= 10 points"),
    ("ARI across 5 random_state, k=8", "ari_seeds", "{:.3f}", ">= 0.97"),
    ("ARI across 5 80 % resamples, k=8", "ari_resamples", "{:.3f}", ">= 0.93"),
    ("--clusters auto picks", "auto_k", "k={}", "6-10"),
    ("choosing k, seconds (real file)", "auto_seconds", "{:.1f}", ""),
    ("mixed segments at k=8", "mixed_k8", "{}", ""),
    ("placing one new candidate, ms (median)", "predict_one_ms", "{:.2f}", "~2 ms"),
    ("lowest segment stability at k=8", "min_stability_k8", "{:.2f}", ""),
    ("synthetic: ARI vs 8 archetypes, k=8", "synthetic_ari", "{:.3f}", ">= 0.99"),
    ("fit_segmentation at N candidates, s", "fit_total_seconds", "{:.2f}", "no slower"),
    ("  of which features, s", "features_seconds", "{:.2f}", ""),
    ("  of which fit (100,000 sample), s", "fit_seconds", "{:.2f}", ""),
    ("  of which assigning everyone, s", "predict_seconds", "{:.2f}", ""),
    ("choosing k 2-12 at N candidates, s", "auto_seconds_n", "{:.1f}", "~5.4 s + a few"),
    ("  k chosen at N (synthetic, 8 archetypes)", "auto_k_synthetic", "k={}", ""),
]


def table(results: dict[str, dict]) -> str:
    names = list(results)
    lines = [
        "| measure | target | " + " | ".join(names) + " |",
        "|---|---|" + "---:|" * len(names),
    ]
    for label, key, form, target in ROWS:
        cells = []
        for name in names:
            value = results[name].get(key)
            cells.append("–" if value is None else form.format(value))
        lines.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="the real candidates file")
    parser.add_argument("--only", nargs="+", help="configurations to measure (default: all)")
    parser.add_argument("--synthetic", type=int, default=100_000, help="0 skips")
    parser.add_argument("--candidates", type=int, default=0, help="fit time at N; 0 skips")
    parser.add_argument("--repeat", type=int, default=3, help="fit-time runs (median)")
    parser.add_argument("--no-auto", action="store_true", help="skip choosing k")
    parser.add_argument("--no-real", action="store_true", help="skip the real file")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    print(f"$ python bench/quality.py {shlex.join(sys.argv[1:])}")
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}", flush=True)
    chosen = {
        name: config
        for name, config in configurations().items()
        if config is not None and (not args.only or name in args.only)
    }
    results: dict[str, dict] = {name: {} for name in chosen}

    real = None if args.no_real else real_features(args.csv)
    if real is not None:
        print(
            f"real file: {real.rows_read:,} rows read, {real.rows_refused:,} refused by the row "
            f"parser, {len(real.features):,} candidates",
            flush=True,
        )
    for name, config in chosen.items() if real is not None else ():
        started = time.perf_counter()
        results[name] |= measure_real(real.features, config, choose=not args.no_auto)
        print(f"  {name}: real file measured in {time.perf_counter() - started:.1f} s", flush=True)
        print(f"    smallest share by k: {results[name]['smallest_by_k']}")
        print(f"    skill identities at k=8: {results[name]['identities']}")
        print(f"    blank salaries at k=8 (min, max, pool): {results[name]['blank_range_k8']}")
        if "auto_k" in results[name]:
            print(f"    choosing k: {results[name]['auto_reason']}")
            for score in results[name]["auto_scores"]:
                print(f"      {score}")

    if args.synthetic:
        features, archetypes = synthetic_features(args.synthetic, args.seed)
        for name, config in chosen.items():
            results[name] |= measure_synthetic(features, archetypes, config)
        print(f"synthetic: {args.synthetic:,} candidates, seed {args.seed}", flush=True)
        del features

    if args.candidates:
        features, _ = synthetic_features(args.candidates, args.seed)
        for name, config in chosen.items():
            results[name] |= measure_fit_time(features, config, args.repeat)
            if not args.no_auto:
                results[name] |= measure_choose_k_time(features, config, args.repeat)
            print(f"  {name}: fit time at {args.candidates:,} measured", flush=True)

    print()
    print(table(results))
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
