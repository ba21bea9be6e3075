"""Background task: a thin door from the task queue to the import."""

from __future__ import annotations

from django_tasks import task

from candidates.import_jobs.execute import candidate_import_execute


@task()
def candidate_import_task(import_id: int) -> str:
    """Import one uploaded file in the worker (``manage.py db_worker``)."""
    return candidate_import_execute(import_id=import_id).status
