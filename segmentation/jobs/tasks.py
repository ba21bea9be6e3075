"""Background tasks: thin doors from the task queue to the job service."""

from __future__ import annotations

from django_tasks import task

from audit.via import AuditVia, audit_via
from segmentation.jobs.execute import segmentation_job_execute


@task()
def segmentation_job_task(job_id: int) -> str:
    """Run one segmentation job in the worker (``manage.py db_worker``)."""
    with audit_via(AuditVia.WORKER):
        job = segmentation_job_execute(job_id=job_id)
    return job.status
