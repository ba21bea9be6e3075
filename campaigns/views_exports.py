"""The campaign page's audience downloads: one streamed CSV per ad platform."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from campaigns.audience_files import (
    AudienceExportRefused,
    audience_csv_chunks,
    audience_export_prepare,
)
from campaigns.audience_formats import Platform
from campaigns.models import Campaign


@require_GET
@permission_required("campaigns.view_campaign", raise_exception=True)
def audience_download(request: HttpRequest, pk: int, platform: str) -> HttpResponse:
    """The audience as ``platform``'s customer list; the service checks ``export_audience``."""
    try:
        chosen = Platform(platform)
    except ValueError as exc:
        raise Http404("No such ad platform.") from exc
    try:
        export = audience_export_prepare(campaign_id=pk, platform=chosen, user=request.user)
    except Campaign.DoesNotExist as exc:
        raise Http404("No campaign with that id.") from exc
    except AudienceExportRefused as exc:
        messages.error(request, str(exc))
        return redirect("campaign", pk=pk)
    response = StreamingHttpResponse(
        audience_csv_chunks(export), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"  # personal data, even hashed
    return response
