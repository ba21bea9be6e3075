"""Starting an import from an uploaded file: stored on disk, recorded, queued for the worker.

The upload page's door calls ``candidate_import_start``; the worker runs ``execute.py``. Imports
are not segmentation jobs (that app sits above this one, and its "one job at a time" rule is for
training and activation): they are rows of their own, queued on the same django-tasks database
queue, so the same ``manage.py db_worker`` runs them.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from candidates.models import CandidateImport

IMPORT_PERMISSION = "candidates.add_candidate"
Status = CandidateImport.Status


def candidate_import_start(
    *, upload: UploadedFile, user: AbstractBaseUser, encoding: str = ""
) -> CandidateImport:
    """Copy the upload to the upload folder chunk by chunk, record it and queue its import."""
    if not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied(f"{user} may not import candidates (needs 'Can add candidate').")
    candidate_imports_recover_stale()
    folder = Path(settings.ADFLUX_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"import-{uuid.uuid4().hex}.csv"
    size = 0
    try:
        # Chunk by chunk: the upload handler already streamed the body to a temporary file, and
        # this copy never holds more than a chunk either.
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
                size += len(chunk)
        # The job row and its task row in one transaction: the queue is this database, so the
        # worker never sees a task without its import, and no import is left without a task.
        from candidates.import_jobs.tasks import candidate_import_task

        with transaction.atomic():
            job = CandidateImport.objects.create(
                file_name=Path(upload.name or "upload.csv").name[:255],
                file_path=str(path.resolve()),
                file_size=size,
                encoding=encoding,
                created_by=user if user.is_authenticated else None,
            )
            job.task_id = str(candidate_import_task.enqueue(job.pk).id)
            job.save(update_fields=["task_id", "updated_at"])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def candidate_imports_recover_stale() -> int:
    """Fail imports no worker started, or whose worker stopped; returns how many.

    A running import stamps its row after every batch (5,000 rows, a second or two); one silent
    for longer than ``ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS`` lost its worker. Its finished batches
    stay stored: each committed on its own.
    """
    timeout = settings.ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS
    cutoff = timezone.now() - timedelta(seconds=timeout)
    now = timezone.now()
    never_started = CandidateImport.objects.filter(status=Status.QUEUED, created_at__lt=cutoff)
    failed = never_started.update(
        status=Status.FAILED,
        finished_at=now,
        updated_at=now,
        error=f"No worker started it within {timeout:g} s: is the background worker "
        "(manage.py db_worker) running? Nothing was imported; upload the file again.",
    )
    silent = CandidateImport.objects.filter(status=Status.RUNNING, updated_at__lt=cutoff)
    failed += silent.update(
        status=Status.FAILED,
        finished_at=now,
        updated_at=now,
        error=f"Its worker stopped: no progress for {timeout:g} s. The rows of the batches it "
        "had finished are stored; upload the file again to import the rest (stored rows come "
        "out unchanged).",
    )
    return failed
