"""A real background worker for tests: ``manage.py db_worker`` in its own process.

It opens the test database the tests created (they must commit their data: use
``transactional_db``) and writes models to the test's model folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def other_process_env(**extra: str) -> dict[str, str]:
    """The environment for another process on this test's database and model folder.

    The test must have committed what that process should see (``transactional_db``).
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_DEBUG": "1",
        "ADFLUX_TEST_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
        "ADFLUX_MODEL_DIR": str(settings.ADFLUX_MODEL_DIR),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class Worker:
    def __init__(self, log_path: Path, *, heartbeat: float, timeout: float) -> None:
        self.log_path = log_path
        env = other_process_env(
            ADFLUX_JOB_HEARTBEAT_SECONDS=str(heartbeat),
            ADFLUX_JOB_TIMEOUT_SECONDS=str(timeout),
            DJANGO_LOG_LEVEL="INFO",
        )
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to clean up, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, worker: Worker) -> None:
    """Poll until ``condition()`` is truthy; fail with the worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.process.poll() is not None:
            raise AssertionError(f"The worker exited before {what}:\n{worker.log()}")
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout:g} s waiting for {what}:\n{worker.log()}")
