"""How long the pages take at the server with many candidates (issue: ≤ 200 ms at 1M).

Makes a fresh SQLite database (or uses DATABASE_URL as it is with --reuse), generates
candidates, trains and applies a model, adds a few campaigns, then requests each page through
Django's full stack in-process (middleware, session, view, template; no network) and prints the
median and 95th percentile of the time to the response, after one warm-up request each.

    .venv/bin/python bench/pages.py --candidates 1000000 --repeat 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


BENCH_OPENINGS = (
    ("Bench: Python back-end", ("Python", "PostgreSQL"), "Germany", 5),
    ("Bench: mobile", ("Kotlin", "Swift", "Flutter"), "India", 3),
    ("Bench: JVM and Go", ("Java", "Spring Boot", "Go", "PostgreSQL"), "Canada", 8),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="use DATABASE_URL as it is, and its data if any"
    )
    parser.add_argument(
        "--production",
        action="store_true",
        help="production settings (DEBUG off, a secret key, collected static files): the "
        "server time a deployed AdFlux spends; without it, DEBUG is on (slower templates)",
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="adflux-bench-pages.")
    if not args.reuse:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/db.sqlite3"
    if args.production:
        os.environ.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="bench-" + os.urandom(24).hex(),
            DJANGO_ALLOWED_HOSTS="localhost",
            DJANGO_STATIC_ROOT=f"{workdir}/static",
        )
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("ADFLUX_MODEL_DIR", f"{workdir}/models")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from campaigns.models import Campaign, JobOpening
    from candidates.models import Candidate, Skill
    from candidates.services.generation import candidates_generate
    from segmentation.ml.pipeline import ClusteringConfig
    from segmentation.selectors.runs import run_active
    from segmentation.services.activation import segmentation_activate
    from segmentation.services.training import segmentation_config_default, segmentation_train

    call_command("migrate", verbosity=0)
    if args.production:
        call_command("collectstatic", interactive=False, verbosity=0)
    if not Candidate.objects.exists():
        started = time.perf_counter()
        candidates_generate(count=args.candidates, seed=1)
        print(f"generated {args.candidates:,} candidates in {time.perf_counter() - started:.1f} s")
    run = run_active()
    if run is None:
        started = time.perf_counter()
        config: ClusteringConfig = segmentation_config_default(n_clusters=args.clusters)
        run = segmentation_train(config=config)
        segmentation_activate(run=run)
        print(f"trained and assigned in {time.perf_counter() - started:.1f} s")
    segments = list(run.segments.order_by("-size"))
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    opening, _ = JobOpening.objects.get_or_create(title="Bench opening")
    for i in range(20 - Campaign.objects.count()):
        campaign = Campaign.objects.create(
            name=f"Bench campaign {i}", job_opening=opening, start_date="2026-01-01"
        )
        campaign.target_segments.set(segments[: 1 + i % len(segments)])
    # Openings whose required skills ~1%, ~10% and ~10% of candidates hold (synthetic data).
    openings = {}
    for title, skills, location, years in BENCH_OPENINGS:
        openings[title], _ = JobOpening.objects.get_or_create(
            title=title, defaults={"location": location, "min_years_experience": years}
        )
        openings[title].required_skills.set(Skill.objects.filter(name__in=skills))
    mobile = openings["Bench: mobile"].pk
    candidate_id = Candidate.objects.order_by("-id").values_list("id", flat=True).first()
    n_candidates = Candidate.objects.count()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    biggest, second = segments[0].pk, segments[1].pk
    every = "&".join(f"segments={segment.pk}" for segment in segments)
    pages = {
        "segmentation page": "/segments/",
        "segment detail (largest)": f"/segments/{biggest}/",
        "audience preview (2 segments)": (
            f"/campaigns/audience-preview/?segments={biggest}&segments={second}"
        ),
        "audience preview (all segments)": f"/campaigns/audience-preview/?{every}",
        "campaign form": "/campaigns/new/",
        "campaign list": "/campaigns/",
        "candidate list": "/candidates/",
        "candidate list, segment filter": f"/candidates/?segment={biggest}",
        "candidate list, skill + years": "/candidates/?skill=Python&min_years=5&max_years=10",
        "candidate list, location + education": (
            "/candidates/?location=Germany&education_level=master"
        ),
        # Fewer than 10,000 matches over more than a page: the one list counted exactly.
        "candidate list, skill + years (few)": "/candidates/?skill=Python&min_years=2&max_years=10",
        "candidate detail": f"/candidates/{candidate_id}/",
        "job openings": "/campaigns/openings/",
        **{
            f"job opening ({title.removeprefix('Bench: ')})": f"/campaigns/openings/{opening.pk}/"
            for title, opening in openings.items()
        },
        "suggested segments (mobile)": f"/campaigns/openings/{mobile}/suggested-segments/",
        "campaign form, opening chosen": f"/campaigns/new/?job_opening={mobile}",
    }
    print(
        f"{n_candidates:,} candidates, {len(segments)} segments, {connection.vendor}, "
        f"{'production settings' if args.production else 'DEBUG on'}, "
        f"{args.repeat} requests per page after one warm-up"
    )
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'status':>7}")
    worst = 0.0
    for name, url in pages.items():
        # As behind the TLS proxy production expects (it redirects plain HTTP to HTTPS).
        response = client.get(url, secure=True)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        median = statistics.median(times)
        worst = max(worst, median)
        print(f"{name:40} {median:10.1f} {p95:8.1f} {response.status_code:>7}")
    print(f"slowest median: {worst:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
