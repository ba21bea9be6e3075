"""Reading what the admin told the user after a request, and the job an action started."""

from django.contrib.messages import get_messages
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from segmentation.models import SegmentationJob

SEGMENTS_PAGE_LINK = f'<a href="{reverse("segments")}">Segments page</a>'


def messages_of(response) -> list[tuple[str, str]]:
    """(level, text) of each message the request left for the user."""
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def job_queued(response, kind: str, *, only: bool = False) -> tuple[SegmentationJob, str]:
    """The job the request started, as the worker will find it, and what the user read.

    ``only``: it must be the only job there has been, not just the one in progress.
    """
    job = SegmentationJob.objects.get() if only else SegmentationJob.objects.get(in_progress=True)
    assert (job.kind, job.status, job.in_progress) == (kind, "queued", True)
    task = DBTaskResult.objects.ready().get(pk=job.task_id)
    assert (task.task_path, task.args_kwargs["args"]) == (
        "segmentation.jobs.tasks.segmentation_job_task",
        [job.pk],
    )
    [(level, text)] = messages_of(response)
    assert level == "success"
    assert f"started in the background (job {job.pk}): follow it on the " in text
    assert SEGMENTS_PAGE_LINK in text
    assert SEGMENTS_PAGE_LINK in response.content.decode()  # a link, not escaped text
    return job, text
