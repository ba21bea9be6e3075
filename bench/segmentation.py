"""Segmentation end to end, as a user runs it: train_segments then predict_segments.

    python bench/segmentation.py --candidates 1000000 --db sqlite
    python bench/segmentation.py --candidates 1000000 --db postgres [--postgres-url URL]

Creates a throwaway database (an SQLite file under /tmp; on PostgreSQL a fresh database
``adflux_bench`` on the server at --postgres-url or ADFLUX_BENCH_POSTGRES_URL, else on a
throwaway server started with scripts/pg-throwaway), migrates it, generates the candidates with
``generate_candidates``, then runs ``train_segments`` and ``predict_segments`` --repeat times as
child processes, measuring each one's wall time and peak memory and reading its stage timings
from its --json output. Prints medians per stage, the end-to-end time and the verdict against
the targets. Then, on a second fresh database with --baseline-candidates, the seed's approach
against AdFlux's services in one process (bench/seed_baseline.py), and the ratio.

Standard library only: run it with any Python 3.11; the project's .venv runs the children.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    GIB,
    BenchError,
    fresh_database,
    machine,
    manage,
    median,
    postgres_server,
    run_child,
)
from segmentation.ml import stages  # noqa: E402

TARGET_SECONDS = {"sqlite": 30.0, "postgres": 45.0}
TARGET_PEAK_BYTES = 2 * GIB
TARGET_RATIO = 20.0
# The project's own stage names: segmentation/ml/stages.py imports nothing, so this script
# still runs with the standard library alone.
TRAIN_STAGES = list(stages.TRAIN_STAGES)
PREDICT_STAGES = list(stages.ACTIVATE_STAGES)
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def say(text: str = "") -> None:
    print(text, flush=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def bench_commands(database, *, candidates: int, seed: int, args) -> dict:
    say(f"Generating {candidates:,} candidates (seed {seed}) ...")
    generated = database.prepare(candidates=candidates, seed=seed)
    say(f"  generate_candidates: {generated.seconds:.1f} s")
    train_args = ["--clusters", str(args.clusters), "--json", *shlex.split(args.train_args)]
    repeats = []
    for number in range(1, args.repeat + 1):
        train = manage(database.env(), "train_segments", *train_args)
        predict = manage(database.env(), "predict_segments", "--json")
        repeats.append({"train": train, "predict": predict})
        say(
            f"  run {number}: train_segments {train.seconds:.2f} s "
            f"({train.peak_rss_bytes / GIB:.2f} GiB), predict_segments {predict.seconds:.2f} s "
            f"({predict.peak_rss_bytes / GIB:.2f} GiB), end to end "
            f"{train.seconds + predict.seconds:.2f} s"
        )
    return {"generate_seconds": generated.seconds, "repeats": repeats}


def report_commands(results: dict, *, vendor: str, candidates: int, args) -> dict:
    repeats = results["repeats"]
    train_json = [r["train"].json() for r in repeats]
    predict_json = [r["predict"].json() for r in repeats]
    rows: list[tuple[str, str, float]] = []
    for stage in TRAIN_STAGES:
        rows.append(
            ("train_segments", stage, median([t["timings"].get(stage, 0.0) for t in train_json]))
        )
    train_walls = [r["train"].seconds for r in repeats]
    train_rest = [
        wall - sum(t["timings"].values()) for wall, t in zip(train_walls, train_json, strict=True)
    ]
    rows.append(("train_segments", "start-up, run records (the rest)", median(train_rest)))
    for stage in PREDICT_STAGES:
        rows.append(
            (
                "predict_segments",
                stage,
                median([p["timings"].get(stage, 0.0) for p in predict_json]),
            )
        )
    predict_walls = [r["predict"].seconds for r in repeats]
    predict_rest = [
        wall - sum(p["timings"].values())
        for wall, p in zip(predict_walls, predict_json, strict=True)
    ]
    rows.append(("predict_segments", "start-up, activation (the rest)", median(predict_rest)))
    end_to_end = median([t + p for t, p in zip(train_walls, predict_walls, strict=True)])
    train_peak = max(r["train"].peak_rss_bytes for r in repeats)
    predict_peak = max(r["predict"].peak_rss_bytes for r in repeats)
    slowest = max(rows, key=lambda row: row[2])

    say()
    say(
        f"### {candidates:,} candidates on {NAMES[vendor]}: train_segments + predict_segments "
        f"(k={args.clusters}, median of {len(repeats)} runs)"
    )
    say()
    say("| command | stage | seconds |")
    say("|---|---|---:|")
    for command, stage, seconds in rows:
        say(f"| {command} | {stage} | {seconds:.2f} |")
    for command, walls in (("train_segments", train_walls), ("predict_segments", predict_walls)):
        say(f"| **{command}** | **total (process wall time)** | **{median(walls):.2f}** |")
    say(f"| **both** | **end to end** | **{end_to_end:.2f}** |")
    say()
    say(
        f"Peak memory (max RSS over the runs): train_segments {train_peak / GIB:.2f} GiB, "
        f"predict_segments {predict_peak / GIB:.2f} GiB."
    )
    say(f"Slowest stage: {slowest[0]} {slowest[1]} ({slowest[2]:.2f} s).")
    say(f"Configuration: {json.dumps(train_json[-1]['parameters'])}")
    per_run = [t + p for t, p in zip(train_walls, predict_walls, strict=True)]
    say(f"End to end per run: {', '.join(f'{seconds:.2f}' for seconds in per_run)} s.")
    target = TARGET_SECONDS[vendor]
    peak = max(train_peak, predict_peak)
    say(
        f"Verdict: end to end {end_to_end:.1f} s (target <= {target:.0f} s): "
        f"{_verdict(end_to_end <= target)}; peak memory {peak / GIB:.2f} GiB "
        f"(target <= 2 GiB): {_verdict(peak <= TARGET_PEAK_BYTES)}."
    )
    return {
        "stages": [{"command": c, "stage": s, "seconds": v} for c, s, v in rows],
        "train_seconds": train_walls,
        "predict_seconds": predict_walls,
        "end_to_end_median": end_to_end,
        "train_peak_bytes": train_peak,
        "predict_peak_bytes": predict_peak,
        "train_json": train_json,
        "predict_json": predict_json,
        "generate_seconds": results["generate_seconds"],
    }


def bench_baseline(database, *, candidates: int, seed: int, args) -> dict:
    say()
    say(f"Baseline: generating {candidates:,} candidates (seed {seed}) on a fresh database ...")
    database.prepare(candidates=candidates, seed=seed)
    say("  running AdFlux's services, then the seed's approach, in one process ...")
    child = run_child(
        ["bench/seed_baseline.py", "--clusters", str(args.clusters), "--repeat", str(args.repeat)],
        database.env(),
    )
    figures = child.json()
    seed_stages = figures["seed"]["stages"]
    ours = figures["ours"]
    ours_total = median([run["total"] for run in ours])
    ratio = figures["seed"]["total"] / ours_total
    say()
    say(
        f"### Baseline at {candidates:,} candidates on {NAMES[database.vendor]}: the seed's "
        f"approach against AdFlux (k={args.clusters}, same data, one process)"
    )
    say()
    say("| side | stage | seconds |")
    say("|---|---|---:|")
    labels = {
        "read": "read (model instances, skills.all() per candidate, a dict each)",
        "features": "features (DataFrame, fillna(median), ColumnTransformer)",
        "fit": "fit (KMeans n_init=10, dense)",
        "write": "write (get() + save() per candidate, autocommit)",
    }
    for stage, seconds in seed_stages.items():
        say(f"| seed | {labels.get(stage, stage)} | {seconds:.2f} |")
    say(f"| **seed** | **total** | **{figures['seed']['total']:.2f}** |")
    say(f"| AdFlux | segmentation_train | {median([r['train'] for r in ours]):.2f} |")
    say(f"| AdFlux | segmentation_activate | {median([r['assign'] for r in ours]):.2f} |")
    say(f"| **AdFlux** | **total (median of {len(ours)})** | **{ours_total:.2f}** |")
    say()
    say(f"Seed's approach: {figures['note']} (the seed has no imputation).")
    say(
        f"Agreement of the two partitions: adjusted Rand index "
        f"{figures['adjusted_rand_index']:.4f} (1 = the same partition)."
    )
    say(
        f"Ratio: {figures['seed']['total']:.1f} s / {ours_total:.2f} s = {ratio:.1f}x "
        f"(target >= {TARGET_RATIO:.0f}x): {_verdict(ratio >= TARGET_RATIO)}."
    )
    figures["ratio"] = ratio
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline-candidates", type=int, default=100_000, help="0 skips the baseline."
    )
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1, help="generate_candidates --seed.")
    parser.add_argument("--postgres-url", help="A server to create adflux_bench on.")
    parser.add_argument(
        "--postgres-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="A setting for the throwaway server (repeatable); default: PostgreSQL's own.",
    )
    parser.add_argument(
        "--train-args", default="", help='Extra train_segments flags, e.g. "--seed-exact".'
    )
    parser.add_argument("--json-out", help="Also write every figure to this JSON file.")
    args = parser.parse_args()
    if args.candidates < 0 or args.baseline_candidates < 0 or args.repeat < 1:
        parser.error("counts must not be negative and --repeat must be at least 1")

    info = machine()
    say(f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}")
    say(f"Software: {info['software']}")
    say(f"Command: {' '.join(shlex.quote(a) for a in sys.argv)}")
    output: dict = {"machine": info, "argv": sys.argv}
    try:
        with ExitStack() as stack:
            server = None
            if args.db == "postgres":
                server = stack.enter_context(
                    postgres_server(args.postgres_url, args.postgres_setting)
                )
                say(f"Database: {server[1]}")
            if args.candidates:
                with fresh_database(args.db, name="adflux_bench", postgres=server) as database:
                    results = bench_commands(
                        database, candidates=args.candidates, seed=args.seed, args=args
                    )
                    output["commands"] = report_commands(
                        results, vendor=args.db, candidates=args.candidates, args=args
                    )
            if args.baseline_candidates:
                with fresh_database(
                    args.db, name="adflux_bench_baseline", postgres=server
                ) as database:
                    output["baseline"] = bench_baseline(
                        database, candidates=args.baseline_candidates, seed=args.seed, args=args
                    )
    except BenchError as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(output, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
