"""Activation as a switch: today's code against a baseline checkout, side by side in one run.

    python bench/activation.py --candidates 1000000 --db sqlite --baseline /tmp/adflux-baseline
    python bench/activation.py --candidates 1000000 --db postgres --baseline /tmp/adflux-baseline

--baseline is a checkout of the commit to compare with (without it, today's tree alone: for the
absolute targets such as activation <= 0.2 s) (e.g. ``git worktree add
/tmp/adflux-baseline 7da6226``; its .venv may be a link to this one's). For each tree, on a
fresh database of its own: generate the candidates, time ``train_segments --clusters 5
--activate`` end to end (a child process, start-up included), train a second run, then time
activating it and re-activating the first, each in-process around the activation service alone.
The candidates are left a few seconds between generation and training (--settle), as in
production. Also the start-up of a manage.py command that needs no database (``manage.py
help``). Prints one table with both trees and the ratios. Machines here differ up to 2x:
only the ratio in one run means anything.

Standard library only; the project's .venv runs the children.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    PYTHON,
    ROOT,
    BenchError,
    fresh_database,
    machine,
    median,
    postgres_server,
)

# Times the activation service alone, in one process, in whichever tree it runs.
DRIVER = r"""
import json, sys, time
import django
django.setup()
from segmentation.models import SegmentationRun
try:
    from segmentation.services.activation import segmentation_activate as activate
except ImportError:  # the code before the rooms
    from segmentation.activation import segmentation_activate as activate
run = SegmentationRun.objects.get(pk=int(sys.argv[1]))
started = time.perf_counter()
activate(run=run)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def child(tree: Path, env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, *args], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(
            f"{' '.join(args)} in {tree} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    return seconds, done.stdout


def measure(tree: Path, url: str, candidates: int, models: Path, settle: float) -> dict[str, float]:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": url,
        "ADFLUX_MODEL_DIR": str(models),
        "PYTHONPATH": str(tree),
        "DJANGO_SETTINGS_MODULE": "adflux.settings",
    }
    child(tree, env, "manage.py", "migrate", "--no-input", "-v0")
    child(tree, env, "manage.py", "generate_candidates", "--count", str(candidates), "--seed", "42")
    # A training's rows count as current for candidates changed a few seconds before it read
    # them (services/locks.py); right after a bulk import the activation would compute those
    # again. Production trains minutes or days after an import, so the benchmark waits.
    time.sleep(settle)
    figures: dict[str, float] = {}
    seconds, out = child(
        tree, env, "manage.py", "train_segments", "--clusters", "5", "--activate", "--json"
    )
    figures["train_segments --activate (s)"] = seconds
    first = json.loads(out.strip().splitlines()[-1])["run"]
    _, out = child(tree, env, "manage.py", "train_segments", "--clusters", "6", "--json")
    second = json.loads(out.strip().splitlines()[-1])["run"]
    for label, run in (
        ("activate a trained run (s)", second),
        ("re-activate the previous (s)", first),
    ):
        _, out = child(tree, env, "-c", DRIVER, str(run))
        figures[label] = json.loads(out.strip().splitlines()[-1])["seconds"]
    figures["manage.py help start-up (s)"] = median(
        [child(tree, env, "manage.py", "help")[0] for _ in range(3)]
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--baseline", type=Path, help="checkout to compare with (omitted: today's tree alone)"
    )
    parser.add_argument("--postgres-url", default=os.environ.get("ADFLUX_BENCH_POSTGRES_URL"))
    parser.add_argument(
        "--settle", type=float, default=6.0, help="seconds between generating and training"
    )
    args = parser.parse_args()
    print(f"# bench/activation.py --candidates {args.candidates:,} --db {args.db}")
    print(f"# {machine()}")
    results: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        server = (
            stack.enter_context(postgres_server(args.postgres_url))
            if args.db == "postgres"
            else None
        )
        trees = [("now", ROOT)]
        if args.baseline is not None:
            trees.insert(0, ("baseline", args.baseline.resolve()))
        for label, tree in trees:
            database = stack.enter_context(
                fresh_database(args.db, name=f"adflux_bench_{label}", postgres=server)
            )
            models = database.workdir / "models"
            results[label] = measure(tree, database.url, args.candidates, models, args.settle)
            print(f"# {label} done: {results[label]}", flush=True)
    print()
    if "baseline" not in results:
        print("| measure | now |")
        print("|---|---:|")
        for key, value in results["now"].items():
            print(f"| {key} | {value:.3f} |")
        return
    print("| measure | baseline | now | now / baseline |")
    print("|---|---:|---:|---:|")
    for key in results["now"]:
        before, after = results["baseline"][key], results["now"][key]
        print(f"| {key} | {before:.3f} | {after:.3f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
