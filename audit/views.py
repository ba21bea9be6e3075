"""The audit page and its CSV download, for those who may read the trail (data admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.csv_export import CHUNK, audit_csv_rows
from audit.forms import AuditFilterForm
from audit.selectors import AuditFilters, audit_entries, audit_usernames
from common.csv_responses import csv_download

VIEW_PERMISSION = "audit.view_auditentry"
PAGE_SIZE = 50


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilters | None]:
    form = AuditFilterForm(request.GET or None, usernames=audit_usernames())
    if not request.GET:
        return form, AuditFilters()
    return form, form.filters() if form.is_valid() else None


@require_GET
@permission_required(VIEW_PERMISSION, raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = None
    if filters is not None:
        page = Paginator(audit_entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {"section": "audit", "form": form, "page": page, "query": query.urlencode()},
        status=200 if filters is not None else 400,
    )


@require_GET
@permission_required(VIEW_PERMISSION, raise_exception=True)
def audit_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    if filters is None:
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(
            f"The filters are not valid: {errors}", status=400, content_type="text/plain"
        )
    entries = audit_entries(filters).iterator(chunk_size=CHUNK)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return csv_download(audit_csv_rows(entries), filename=f"audit-{stamp}.csv")
