"""Which door an act came through: a page, the command line or the background worker.

The doors say it once (the web middleware, the worker's task) and every entry recorded
meanwhile carries it, so services need no extra parameter. Anything else (``manage.py``, a
shell) is the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.http import HttpRequest, HttpResponse


class AuditVia(models.TextChoices):
    WEB = "web", "Web (pages or admin)"
    COMMAND = "command", "Command line"
    WORKER = "worker", "Background worker"


_current: ContextVar[str] = ContextVar("audit_via", default=AuditVia.COMMAND)


def audit_via_current() -> str:
    return _current.get()


@contextmanager
def audit_via(via: AuditVia) -> Iterator[None]:
    """Entries recorded inside the block came through ``via``."""
    token = _current.set(via)
    try:
        yield
    finally:
        _current.reset(token)


class AuditViaWebMiddleware:
    """Acts done while answering a request came through the web."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_via(AuditVia.WEB):
            return self.get_response(request)
