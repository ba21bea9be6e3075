"""Throwaway databases and measured child processes for the benchmark scripts.

Standard library only: the scripts run with any Python 3.11 and start the project's own
interpreter (``.venv/bin/python`` when it exists) for everything that needs Django, so each
``manage.py`` command is measured as a user runs it: its own process, its own start-up, its own
peak memory (``ru_maxrss`` from ``os.wait4``).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PYTHON if _VENV_PYTHON.exists() else Path(sys.executable))
GIB = 1024**3


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and shows its output."""


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_bytes: int
    stdout: str

    def json(self) -> dict:
        """The last line of output that is a JSON object (the commands' ``--json``)."""
        for line in reversed(self.stdout.splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        raise BenchError(f"No JSON line in the output:\n{self.stdout}")


def run_child(args: Sequence[str], env: dict[str, str]) -> ChildRun:
    """Run ``PYTHON args...`` in the project folder; wall time, peak RSS and stdout."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors
        )
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-4000:]
            raise BenchError(
                f"{' '.join(args)} exited with {process.returncode}:\n"
                f"{output.decode(errors='replace')[-2000:]}\n{tail}"
            )
    # Linux reports ru_maxrss in KiB.
    return ChildRun(seconds, usage.ru_maxrss * 1024, output.decode())


def manage(env: dict[str, str], *args: str) -> ChildRun:
    return run_child(["manage.py", *args], env)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    versions = subprocess.run(
        [
            PYTHON,
            "-c",
            "import platform, django, numpy, scipy, sklearn, pandas; "
            "print(f'Python {platform.python_version()}, Django {django.get_version()}, "
            "NumPy {numpy.__version__}, SciPy {scipy.__version__}, "
            "scikit-learn {sklearn.__version__}, pandas {pandas.__version__}')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "software": versions,
    }


@dataclass
class Database:
    """A fresh, empty database for one benchmark step, and the environment to reach it."""

    vendor: str
    url: str
    workdir: Path
    description: str

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_DEBUG="1",
            DATABASE_URL=self.url,
            ADFLUX_MODEL_DIR=str(self.workdir / "models"),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def prepare(self, *, candidates: int, seed: int) -> ChildRun:
        """Migrate, then generate the candidates; the generation's run."""
        manage(self.env(), "migrate", "--no-input", "-v0")
        return manage(
            self.env(), "generate_candidates", "--count", str(candidates), "--seed", str(seed),
            "-v0",
        )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate_postgres_database(server_url: str, name: str, *, drop_only: bool = False) -> None:
    script = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
        "    c.execute(f'DROP DATABASE IF EXISTS \"{sys.argv[2]}\" WITH (FORCE)')\n"
        "    if sys.argv[3] == 'create':\n"
        "        c.execute(f'CREATE DATABASE \"{sys.argv[2]}\"')\n"
    )
    subprocess.run(
        [PYTHON, "-c", script, server_url, name, "drop" if drop_only else "create"],
        check=True,
        capture_output=True,
    )


@contextmanager
def postgres_server(url: str | None, settings: Sequence[str] = ()) -> Iterator[tuple[str, str]]:
    """A PostgreSQL server URL (its maintenance database) and a description of it.

    Uses ``url`` (or ADFLUX_BENCH_POSTGRES_URL) when given; otherwise starts a throwaway server
    with scripts/pg-throwaway and stops it afterwards. ``settings`` are ``name=value`` server
    settings for a throwaway server; none means PostgreSQL's defaults (durable: fsync on).
    """
    url = url or os.environ.get("ADFLUX_BENCH_POSTGRES_URL") or None
    if url:
        yield url, "PostgreSQL at the given URL"
        return
    workdir = Path(tempfile.mkdtemp(prefix="adflux-bench-pg."))
    options: list[str] = []
    for setting in settings:
        options += ["-c", setting]
    script = str(ROOT / "scripts" / "pg-throwaway")
    started = subprocess.run(
        [script, "start", str(workdir), str(_free_port()), *options],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise BenchError(
            "Could not start a throwaway PostgreSQL server (give --postgres-url or set "
            f"ADFLUX_BENCH_POSTGRES_URL instead):\n{started.stderr}"
        )
    try:
        server = started.stdout.strip()
        version = subprocess.run(
            [PYTHON, "-c", "import sys, psycopg; c = psycopg.connect(sys.argv[1]); "
             "print(c.execute('SHOW server_version').fetchone()[0])", server],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        shown = ", ".join(settings) if settings else "default settings (fsync on)"
        yield server, f"throwaway PostgreSQL {version} server, {shown}"
    finally:
        subprocess.run([script, "stop", str(workdir)], check=False)


@contextmanager
def fresh_database(
    vendor: str, *, name: str, postgres: tuple[str, str] | None = None, keep: bool = False
) -> Iterator[Database]:
    """A new empty database: an SQLite file under /tmp, or ``name`` created on the PostgreSQL
    server ``postgres`` (its URL and description, from ``postgres_server``) and dropped after,
    unless ``keep`` (PostgreSQL: left on the server for another script to use).
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"adflux-bench-{name}."))
    try:
        if vendor == "sqlite":
            yield Database(
                vendor, f"sqlite:///{workdir / 'db.sqlite3'}", workdir, "SQLite file in /tmp"
            )
        elif vendor == "postgres":
            if postgres is None:
                raise BenchError("A PostgreSQL database needs a server (postgres_server).")
            server, description = postgres
            _recreate_postgres_database(server, name)
            try:
                yield Database(vendor, _with_database(server, name), workdir, description)
            finally:
                if not keep:
                    _recreate_postgres_database(server, name, drop_only=True)
        else:
            raise BenchError(f"Unknown database {vendor!r}: sqlite or postgres.")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
