"""Requests no page can answer, refused before any view or query sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RefuseNulBytesMiddleware:
    """A NUL character in the address or a form is refused with a 400 that says so.

    PostgreSQL cannot store or compare text holding NUL: any filter or search given one (the
    admin's ``?location=%00``, its autocomplete) raised a DataError and a 500 there, while
    SQLite answered. No AdFlux field can hold NUL, so the request is refused on both databases.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for where, values in (("address", request.GET), ("form", request.POST)):
            for key, value in values.lists():
                if "\x00" in key or any("\x00" in item for item in value):
                    return HttpResponseBadRequest(
                        f"The {where} holds a NUL character (in “{key.replace(chr(0), '')}”), "
                        "which no field can contain. Remove it and try again.",
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)
