"""Jobs in words: one line about a job, and how a training gets its k."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from segmentation.ml.stages import stage_label
from segmentation.models import SegmentationJob

Status = SegmentationJob.Status
Kind = SegmentationJob.Kind


def job_describe(job: SegmentationJob) -> str:
    """One line about a job, for refusals and status messages."""
    who = f" by {job.created_by}" if job.created_by else ""
    when = date_format(timezone.localtime(job.created_at), "DATETIME_FORMAT")
    what = job.get_kind_display().lower()
    if job.kind == Kind.TRAIN and job.parameters.get("config"):
        what += f" with {job_k_text(job.parameters)}"
    state = job.get_status_display().lower()
    if job.status == Status.RUNNING and job.stage:
        where = job_stage_text(job)
        state += f" ({where[:1].lower()}{where[1:]})"
    return f"job {job.pk} ({what}, started{who} at {when}) is {state}"


def job_stage_text(job: SegmentationJob) -> str:
    """Where a job is, in words: "Finding segments, step 3 of 10", or "Waiting for the worker…"."""
    if job.status == Status.QUEUED:
        return "Waiting for the worker…"
    if not job.stage:
        return "Starting…"
    step = min(job.stages_done + 1, job.stages_total)
    where = f", step {step} of {job.stages_total}" if job.stages_total else ""
    return f"{stage_label(job.stage)}{where}"


def job_k_text(parameters: dict[str, Any]) -> str:
    """How a training job gets its k: "k=5", or "k chosen automatically (2–12)"."""
    k_range = parameters.get("k_range")
    if k_range:
        return f"k chosen automatically ({k_range[0]}–{k_range[1]})"
    return f"k={(parameters.get('config') or {}).get('n_clusters')}"
