"""The import pages: upload a CSV file, follow its import, download the rejected rows.

They live in the candidates app because they need nothing of segmentation: the worker's import
gives the new candidates their segments through the ``candidates_written`` signal.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_GET, require_http_methods

from candidates.forms import CandidateImportForm
from candidates.import_jobs.start import (
    IMPORT_PERMISSION,
    candidate_import_start,
    candidate_imports_recover_stale,
)
from candidates.models import CandidateImport

RECENT_IMPORTS = 10


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def candidate_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a posted file (streamed to a temporary file by the upload handler that
    settings.FILE_UPLOAD_HANDLERS names) is queued for import."""
    form = CandidateImportForm()
    if request.method == "POST":
        form = CandidateImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = candidate_import_start(
                upload=form.cleaned_data["file"],
                user=request.user,
                encoding=form.cleaned_data["encoding"],
            )
            return redirect("candidate-import-detail", pk=job.pk)
    candidate_imports_recover_stale()
    return render(
        request,
        "candidates/import_form.html",
        {
            "section": "candidates",
            "form": form,
            "imports": CandidateImport.objects.select_related("created_by")[:RECENT_IMPORTS],
        },
    )


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def candidate_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate_imports_recover_stale()
    job = get_object_or_404(CandidateImport.objects.select_related("created_by"), pk=pk)
    return render(request, "candidates/import_detail.html", {"section": "candidates", "job": job})


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def candidate_import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """An import's state, in the shape the job poller (job-status.js) reads."""
    candidate_imports_recover_stale()
    job = get_object_or_404(CandidateImport, pk=pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "in_progress": job.in_progress,
            "stage": f"Read {filesizeformat(job.bytes_read)} of {filesizeformat(job.file_size)}",
            "progress": round(job.progress, 3),
            "error": job.error,
        }
    )


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def candidate_import_rejected(request: HttpRequest, pk: int) -> FileResponse:
    """The rejected rows with line, column and error: the file ``import_candidates
    --errors-csv`` writes."""
    job = get_object_or_404(CandidateImport, pk=pk)
    if not job.errors_path:
        raise Http404("This import rejected no row.")
    try:
        stream = open(job.errors_path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404("The rejected rows of this import are no longer kept.") from None
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"{stem}-rejected.csv",
        content_type="text/csv; charset=utf-8",
    )
