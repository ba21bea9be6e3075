"""What a retrain adds at a million candidates: matching to the active run, the migration summary.

    python bench/retraining.py --candidates 1000000 [--repeat 3]

On a throwaway SQLite database: generate the candidates, train (k=5) and activate a first run
(train_segments --activate), then --repeat times train a second run against it (k=6) and read
its "match" stage: loading the active run's model, Hungarian matching of the centres, reading
every candidate's current segment from the cursor, one bincount over (old, new) codes, and the
active campaigns. Then activate the last one with predict_segments, which also carries campaign
targets to the twins inside its write transaction, and report that command's stages.

Standard library only: run it with any Python 3.11; the project's .venv runs the children.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import fresh_database, machine, manage, median  # noqa: E402


def say(text: str = "") -> None:
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    say(f"Machine: {machine()}")
    with fresh_database("sqlite", name="retraining") as database:
        say(f"Generating {args.candidates:,} candidates ...")
        generated = database.prepare(candidates=args.candidates, seed=args.seed)
        say(f"  generate_candidates: {generated.seconds:.1f} s")
        first = manage(database.env(), "train_segments", "--clusters", "5", "--activate", "--json")
        say(f"  first run trained and activated: {first.seconds:.1f} s")
        matches, totals, moving = [], [], []
        for number in range(1, args.repeat + 1):
            train = manage(database.env(), "train_segments", "--clusters", "6", "--json").json()
            matches.append(train["timings"]["match"])
            totals.append(sum(train["timings"].values()))
            summary = train["migration_summary"]
            moving.append(summary["moving"])
            say(
                f"  retrain {number}: match {train['timings']['match']:.3f} s of "
                f"{totals[-1]:.2f} s in stages; {summary['moving']:,} of "
                f"{summary['candidates']:,} would change segment; "
                f"{len(summary['flows'])} flows"
            )
        activate = manage(database.env(), "predict_segments", "--json").json()
    say()
    say(f"### Retraining at {args.candidates:,} candidates (SQLite, k=5 -> k=6)")
    say()
    say("| step | seconds |")
    say("|---|---:|")
    say(f"| train_segments: match stage (median of {args.repeat}) | {median(matches):.3f} |")
    say(f"| train_segments: all stages (median) | {median(totals):.2f} |")
    for stage, seconds in activate["timings"].items():
        say(f"| predict_segments (activation): {stage} | {seconds:.2f} |")
    say()
    say(f"Match stage per run: {', '.join(f'{s:.3f}' for s in matches)} s.")


if __name__ == "__main__":
    main()
