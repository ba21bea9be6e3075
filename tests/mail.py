"""The tests' mail server: tests/smtp_server.py in its own process, and what it received."""

from __future__ import annotations

import email
import email.policy
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on a free local port that keeps each message as a file."""

    def __init__(self, folder: Path, *, refuse: tuple[str, ...] = ()) -> None:
        self.folder = folder
        self.port = free_port()
        refused = [argument for address in refuse for argument in ("--refuse", address)]
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "smtp_server.py"), str(folder), str(self.port)]
            + refused,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.process.kill()
            raise AssertionError(
                f"The SMTP server did not start: {line}{self.process.stdout.read()}"
            )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=10"

    def settings(self) -> dict[str, object]:
        """Django's email settings for this server (what EMAIL_URL=smtp://... sets)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }

    def received(self) -> list[Message]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def count(self) -> int:
        return len(list(self.folder.glob("*.eml")))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wait_until(condition: Callable[[], object], *, what: str, timeout: float = 60) -> None:
    """Poll until ``condition()`` is truthy (a safety net for a hung process, not a speed test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"Timed out after {timeout:g} s waiting for {what}")
