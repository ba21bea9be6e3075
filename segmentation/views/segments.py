"""The segmentation pages: the active model with charts, one segment, and training jobs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from segmentation.forms.segments import ActivationConfirmForm, RetrainForm, SegmentRenameForm
from segmentation.jobs.start import (
    CANCEL_PERMISSION,
    segmentation_job_cancel,
    segmentation_job_start,
)
from segmentation.ml.errors import SegmentationError
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.permissions import ACTIVATE_PERMISSION
from segmentation.presenters.jobs import job_describe, job_k_text, job_stage_text
from segmentation.presenters.k_scores import k_scores_chart
from segmentation.presenters.migration import run_pending_display
from segmentation.presenters.profiles import (
    overview_charts_cached,
    profile_comparison,
    segment_chart,
    segment_quality_shown,
    segment_rows,
)
from segmentation.selectors.candidates import PAGE_SIZE, CandidateFilters, candidate_list_page
from segmentation.selectors.runs import (
    job_current,
    jobs_recent,
    run_active_without_large_columns,
    runs_recent,
    segments_of_run,
    unusual_candidates_summary,
)
from segmentation.services.runs import segment_rename


@require_GET
@permission_required("segmentation.view_segment", raise_exception=True)
def segmentation_overview(request: HttpRequest) -> HttpResponse:
    run = run_active_without_large_columns()
    segments = segments_of_run(run) if run else []
    total = sum(segment.size for segment in segments)
    job = job_current()
    return render(
        request,
        "segmentation/overview.html",
        {
            "section": "segments",
            "run": run,
            "total": total,
            "rows": segment_rows(segments, total),
            "charts": overview_charts_cached(run, segments) if run else None,
            "k_chart": k_scores_chart(run) if run else None,
            "unusual": unusual_candidates_summary(run=run, segments=segments) if run else None,
            "job": job,
            "job_stage": job_stage_text(job) if job else "",
            "jobs": jobs_recent(),
            "runs": runs_recent(),
            "retrain_form": RetrainForm(),
            "can_train": request.user.has_perm("segmentation.train_segmentation"),
            # A trained run waiting for a person to read its summary and activate it.
            "pending": run_pending_display(job_in_progress=bool(job and job.in_progress)),
            "can_activate": request.user.has_perm(ACTIVATE_PERMISSION),
        },
    )


@require_POST
@permission_required("segmentation.train_segmentation", raise_exception=True)
def retrain(request: HttpRequest) -> HttpResponse:
    form = RetrainForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Training not started: {error}")
        return redirect("segments")
    try:
        job = segmentation_job_start(
            kind=SegmentationJob.Kind.TRAIN,
            user=request.user,
            activate=False,
            **form.training_request(),
        )
    except SegmentationError as exc:
        messages.error(request, f"Training not started: {exc}")
    else:
        messages.success(
            request,
            f"Training with {job_k_text(job.parameters)} started in the background "
            f"(job {job.pk}). "
            "This page shows its progress; when it finishes, it shows how candidates would move "
            "and the new run waits for someone to activate it.",
        )
    return redirect("segments")


@require_GET
@permission_required("segmentation.view_segment", raise_exception=True)
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """A job's state for the page that started it (polled while the job is in progress)."""
    job = get_object_or_404(SegmentationJob.objects.select_related("created_by"), pk=pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "in_progress": job.in_progress,
            "stage": job.stage,
            "stage_text": job_stage_text(job),
            "progress": round(job.progress, 3),
            "summary": job_describe(job),
            "error": job.error,
        }
    )


@require_POST
@permission_required(CANCEL_PERMISSION, raise_exception=True)
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a queued job, or ask a running one to stop at its next stage."""
    job = get_object_or_404(SegmentationJob, pk=pk)
    try:
        said = segmentation_job_cancel(job=job, user=request.user)
    except SegmentationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, said)
    return redirect("segments")


@require_http_methods(["GET", "POST"])
@permission_required("segmentation.view_segment", raise_exception=True)
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("run"), pk=pk)
    can_rename = request.user.has_perm("segmentation.change_segment")
    rename_form = SegmentRenameForm(initial={"name": segment.name})
    if request.method == "POST":
        if not can_rename:
            return HttpResponse("You may not rename segments.", status=403)
        rename_form = SegmentRenameForm(request.POST)
        if rename_form.is_valid():
            old = segment.name
            segment_rename(segment=segment, name=rename_form.cleaned_data["name"])
            messages.success(request, f"Renamed “{old}” to “{segment.name}”.")
            return HttpResponseRedirect(reverse("segment", args=[segment.pk]))
    try:
        after = int(request.GET["after"]) if "after" in request.GET else None
    except ValueError:
        after = None
    # The candidate list's own keyset page, narrowed to this segment.
    page = candidate_list_page(filters=CandidateFilters(segment_id=segment.pk), after=after)
    pool = segment.run.pool_profile or {}
    return render(
        request,
        "segmentation/segment_detail.html",
        {
            "section": "segments",
            "segment": segment,
            "run": segment.run,
            "comparison": profile_comparison(segment.profile, pool),
            "quality": segment_quality_shown(segment.profile),
            "chart": segment_chart(segment, pool),
            "candidates": page.candidates,
            "next_after": page.next_after,
            "page_size": PAGE_SIZE,
            "after": after,
            "campaigns": segment.campaigns.select_related("job_opening").order_by("name"),
            "rename_form": rename_form,
            "can_rename": can_rename,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(ACTIVATE_PERMISSION, raise_exception=True)
def run_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then activate a trained run in the background: every candidate gets a segment.

    The page shows how many candidates would change segment and, for each campaign aimed at a
    segment that ends without a twin, asks which new segments it should target (or none).
    """
    # Imported here: it loads the run's model (scikit-learn), which starting Django must not.
    from segmentation.services.activation_plan import activation_plan

    run = get_object_or_404(SegmentationRun.objects.without_large_columns(), pk=pk)
    plan = activation_plan(run=run)
    form = ActivationConfirmForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            job = segmentation_job_start(
                kind=SegmentationJob.Kind.ACTIVATE,
                user=request.user,
                run=run,
                retarget=form.retarget(),
                engine=form.chosen_engine(),
            )
        except SegmentationError as exc:
            messages.error(request, f"Run {run.pk} not activated: {exc}")
        else:
            messages.success(
                request,
                f"Activating run {run.pk} in the background (job {job.pk}). Candidates keep "
                "their segments until it finishes; this page shows its progress.",
            )
        return redirect("segments")
    return render(
        request,
        "segmentation/activate_confirm.html",
        {"section": "segments", "run": run, "plan": plan, "form": form},
    )
