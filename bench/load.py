"""The app under load while a training runs: a real WSGI server, 20 concurrent clients, 60 s.

Makes a fresh SQLite database in a temporary folder (or uses DATABASE_URL as it is with
--reuse), generates candidates, trains and activates a model, then serves AdFlux with gunicorn
on 127.0.0.1 under the production settings (DEBUG off, collected static files) and starts a
background worker. For the whole window the worker keeps training (a new job as soon as one
ends) while the clients request the segmentation page, the candidate list (everyone's or one
segment's first page), candidate pages and the audience preview as a logged-in recruiter.
Prints requests, errors and latency percentiles per page, and the trainings that finished
during the window.

    .venv/bin/python bench/load.py --candidates 200000 --clients 20 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import PYTHON, _free_port, machine  # noqa: E402

KINDS = ("segmentation page", "candidate list", "candidate page", "audience preview")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn worker processes (README: 2 per core)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--reuse", action="store_true", help="use DATABASE_URL as it is")
    parser.add_argument(
        "--no-training", action="store_true", help="the same load with the worker idle, to compare"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="adflux-bench-load."))
    env = dict(os.environ)
    if not args.reuse:
        env["DATABASE_URL"] = f"sqlite:///{workdir}/db.sqlite3"
    env.update(
        ADFLUX_MODEL_DIR=str(workdir / "models"),
        DJANGO_SETTINGS_MODULE="adflux.settings",
        PYTHONUNBUFFERED="1",
    )
    demo = {**env, "DJANGO_DEBUG": "1"}
    production = {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
    }

    def manage(environment: dict[str, str], *command: str) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=environment, text=True,
            capture_output=True,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    manage(demo, "migrate", "--no-input", "-v0")
    setup = f"""
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from candidates.models import Candidate
from candidates.services.generation import candidates_generate
from segmentation.selectors.runs import run_active
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
if not Candidate.objects.exists():
    candidates_generate(count={args.candidates}, seed=3)
if run_active() is None:
    segmentation_activate(run=segmentation_train(n_clusters=5))
user, _ = get_user_model().objects.get_or_create(username="load-recruiter")
user.groups.add(Group.objects.get(name="Recruiter"))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
ids = list(Candidate.objects.order_by("?").values_list("id", flat=True)[:2000])
segments = list(run_active().segments.values_list("id", flat=True))
print(json.dumps({{"session": session.session_key, "ids": ids, "segments": segments}}))
"""
    started = time.perf_counter()
    # With the production settings: the session is signed with the server's secret key.
    facts = json.loads(manage(production, "shell", "-v", "0", "-c", setup).strip().splitlines()[-1])
    print(f"set up {args.candidates:,} candidates in {time.perf_counter() - started:.1f} s")
    manage(production, "collectstatic", "--no-input", "-v0")

    port = _free_port()
    server = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "adflux.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--threads", str(args.threads),
            "--worker-class", "gthread", "--log-level", "warning",
        ],
        cwd=ROOT, env=production,
    )  # fmt: skip
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=ROOT, env=production, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    headers = {
        "Cookie": f"sessionid={facts['session']}",
        # As behind a TLS-terminating proxy: production settings redirect plain HTTP to HTTPS.
        "X-Forwarded-Proto": "https",
    }
    try:
        for _ in range(100):
            try:
                ready = urllib.request.Request(f"{base}/accounts/login/", headers=headers)
                urllib.request.urlopen(ready)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        window_start = time.time()
        workers = gunicorn_workers(server.pid)
        cpu_before, steal_before = sum(map(cpu_seconds, workers)), stolen_seconds()
        results = run_load(base, headers, facts, args, production)
        results["server"] = {
            "cpu": sum(map(cpu_seconds, workers)) - cpu_before,
            "stolen": stolen_seconds() - steal_before,
        }
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
    # Jobs that ended in the window only: with --reuse the database holds earlier ones.
    jobs_done = manage(
        demo, "shell", "-v", "0", "-c",
        "import datetime; from segmentation.models import SegmentationJob as J; "
        f"ended = J.objects.filter(finished_at__gte=datetime.datetime.fromtimestamp({window_start}"
        ", datetime.UTC)); print(ended.filter(status='succeeded').count(), "
        "ended.filter(status='failed').count())",
    ).split()  # fmt: skip
    report(results, args, jobs_done)
    return 1 if any(r["errors"] for r in results.values()) else 0


def gunicorn_workers(master: int) -> list[int]:
    """The worker processes gunicorn forked (all threads of each count in its CPU time)."""
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stolen_seconds() -> float:
    """CPU time the hypervisor gave to other machines so far (the "steal" of /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def run_load(
    base: str, headers: dict[str, str], facts: dict, args, env: dict[str, str]
) -> dict[str, dict]:
    stop_at = time.monotonic() + args.seconds
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    stale: list[int] = []  # previews naming segments of a run that was just replaced
    segments = {"ids": list(facts["segments"])}
    lock = threading.Lock()
    trainings = start_trainings(env, stop_at if not args.no_training else 0.0)

    def one_client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            kind = rng.choice(KINDS)
            if kind == "segmentation page":
                path = "/segments/"
            elif kind == "candidate list":
                # The first page, of everyone or of one segment (the list's commonest uses).
                choice = rng.choice([None, *segments["ids"]])
                path = "/candidates/" + ("" if choice is None else f"?segment={choice}")
            elif kind == "candidate page":
                path = f"/candidates/{rng.choice(facts['ids'])}/"
            else:
                ids = segments["ids"]
                chosen = rng.sample(ids, rng.randint(1, len(ids)))
                path = "/campaigns/audience-preview/?" + "&".join(f"segments={s}" for s in chosen)
            request = urllib.request.Request(base + path, headers=headers)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    status = response.status
                    if not response.geturl().endswith(path):  # redirected: to the login page
                        status = f"redirected to {response.geturl()}"
            except urllib.error.HTTPError as exc:
                status = exc.code
                body = exc.read().decode(errors="replace")
                if status == 400 and "not in the active segmentation" in body:
                    # A training activated a new run: the form would now offer its segments.
                    segments["ids"] = current_segment_ids(base, headers)
                    with lock:
                        stale.append(1)
                    continue
            except Exception as exc:  # a refused or dropped connection is an error too
                status = f"{type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    latencies[kind].append(elapsed)
                else:
                    errors[kind].append(str(status))

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    trainings.join()
    results = {kind: {"latencies": latencies[kind], "errors": errors[kind]} for kind in KINDS}
    results["audience preview"]["stale"] = len(stale)
    return results


def current_segment_ids(base: str, headers: dict[str, str]) -> list[int]:
    """The active run's segments, as the segmentation page's table lists them."""
    request = urllib.request.Request(base + "/segments/", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    table = page[page.index('id="segments-table"') :]
    table = table[: table.index("</table>")]
    return [int(n) for n in re.findall(r'href="/segments/(\d+)/"', table)]


def start_trainings(env: dict[str, str], stop_at: float) -> threading.Thread:
    """Keep the worker training for the whole window: a new job whenever none is in progress."""

    def loop() -> None:
        while time.monotonic() < stop_at:
            subprocess.run(
                [PYTHON, "manage.py", "shell", "-v", "0", "-c", QUEUE_TRAINING],
                cwd=ROOT, env=env, capture_output=True,
            )  # fmt: skip
            time.sleep(1)

    thread = threading.Thread(target=loop)
    thread.start()
    return thread


QUEUE_TRAINING = """
from segmentation.jobs.start import JobConflictError, segmentation_job_start
from segmentation.models import SegmentationJob
from segmentation.services.training import segmentation_config_default
try:
    segmentation_job_start(
        kind=SegmentationJob.Kind.TRAIN, config=segmentation_config_default(n_clusters=6),
        activate=True,
    )
except JobConflictError:
    pass
"""


def report(results: dict[str, dict], args, jobs_done: list[str]) -> None:
    print(
        f"{args.clients} clients for {args.seconds:g} s against gunicorn "
        f"({args.workers} workers x {args.threads} threads), "
        + ("no training" if args.no_training else "a training running throughout")
    )
    print(f"machine: {machine()}")
    print(f"{'page':20} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    total = 0
    server = results.pop("server")
    for kind, result in results.items():
        values = result["latencies"]
        total += len(values) + len(result["errors"])
        if values:
            p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
        else:
            p50 = p95 = p99 = float("nan")
        print(
            f"{kind:20} {len(values) + len(result['errors']):9d} {len(result['errors']):7d} "
            f"{p50:8.1f} {p95:8.1f} {p99:8.1f}"
        )
        if result["errors"]:
            print(f"  errors: {sorted(set(result['errors']))[:5]}")
        if result.get("stale"):
            print(
                f"  {result['stale']} previews named segments of a run replaced meanwhile "
                "(answered 400, as they should); the client re-read the segments and went on"
            )
    everything = [v for r in results.values() for v in r["latencies"]]
    if everything:
        print(
            f"all pages: {total} requests ({total / args.seconds:.0f}/s), "
            f"p95 {percentile(everything, 0.95):.1f} ms, "
            f"median {statistics.median(everything):.1f} ms"
        )
    if total:
        # CPU a request, steadier than requests a second when other machines share the host.
        print(
            f"server CPU: {server['cpu']:.1f} s in the gunicorn workers, "
            f"{server['cpu'] * 1000 / total:.1f} ms a request; "
            f"{server['stolen']:.1f} s stolen by the hypervisor"
        )
    print(f"trainings during the window: {jobs_done[0]} succeeded, {jobs_done[1]} failed")


if __name__ == "__main__":
    raise SystemExit(main())
