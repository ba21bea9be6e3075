"""What an admin user reads after starting a job."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from segmentation.models import SegmentationJob
from segmentation.presenters.jobs import job_k_text


def job_started_message(job: SegmentationJob) -> SafeString:
    """What an admin user reads after starting a job, with a link to where it can be followed."""
    if job.kind == SegmentationJob.Kind.TRAIN:
        what = f"Training with {job_k_text(job.parameters)}"
        if job.parameters.get("activate"):
            then = (
                "When it finishes, every candidate gets a segment from the new run, "
                "which becomes the active one."
            )
        else:
            then = (
                "The new run will not be active until someone activates it, after reading "
                "how candidates would move."
            )
    else:
        what = f"Activating run {job.run_id}"
        then = "Candidates keep their current segments until it finishes."
    link = format_html('<a href="{}">Segments page</a>', reverse("segments"))
    return format_html(
        "{} started in the background (job {}): follow it on the {}. {}", what, job.pk, link, then
    )
