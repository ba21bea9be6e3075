"""Running an uploaded file's import to its end: progress, counts, and the rejected rows."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone

from candidates.csv_format import CandidateCsvError
from candidates.models import Candidate, CandidateImport
from candidates.services.csv_import import ImportReport, candidates_import_csv
from candidates.signals import candidates_written

logger = logging.getLogger(__name__)

Status = CandidateImport.Status
# Shown on the import's page; the errors file holds every rejected row.
ERRORS_SHOWN = 20


def candidate_import_execute(*, import_id: int) -> CandidateImport:
    """Import a queued upload; a task delivered twice imports once."""
    now = timezone.now()
    claimed = CandidateImport.objects.filter(pk=import_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, updated_at=now
    )
    job = CandidateImport.objects.get(pk=import_id)
    if not claimed:
        logger.warning("Import %s is %s, not queued: not run again.", import_id, job.status)
        return job
    path = Path(job.file_path)
    errors_csv = path.with_name(f"{path.stem}-rejected.csv")
    segment_problems: list[str] = []

    def give_segments(candidate_ids: list[int]) -> None:
        # As the command does: a model that cannot be used must not stop an import.
        if not segment_problems:
            responses = candidates_written.send(sender=Candidate, candidate_ids=candidate_ids)
            segment_problems.extend(problem for _, problem in responses if problem)

    def progress(done: int, size: int) -> None:
        CandidateImport.objects.filter(pk=job.pk).update(
            bytes_read=done, file_size=size, updated_at=timezone.now()
        )

    try:
        report = candidates_import_csv(
            path=path,
            encoding=job.encoding or None,
            errors_csv=errors_csv,
            on_batch_written=give_segments,
            on_progress=progress,
            user=job.created_by,
        )
    except CandidateCsvError as exc:
        # The message names the stored file; the person knows the file by its own name.
        _finish(job, Status.FAILED, error=str(exc).replace(str(path), job.file_name))
    except BaseException as exc:
        logger.exception("Import %s failed", job.pk)
        _finish(job, Status.FAILED, error=f"The import stopped on an unexpected error: {exc!r}.")
        raise
    else:
        _finish(job, Status.SUCCEEDED, report=report, errors_csv=errors_csv)
        job.segment_problem = segment_problems[0] if segment_problems else ""
        job.save(update_fields=["segment_problem"])
    finally:
        path.unlink(missing_ok=True)
        if job.status != Status.SUCCEEDED or not job.rejected:
            errors_csv.unlink(missing_ok=True)
    return job


def _finish(
    job: CandidateImport,
    status: str,
    *,
    error: str = "",
    report: ImportReport | None = None,
    errors_csv: Path | None = None,
) -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.file_path = ""
    if report is not None:
        job.created, job.updated = report.created, report.updated
        job.unchanged, job.rejected = report.unchanged, report.rejected
        job.bytes_read = job.file_size
        job.ignored_columns = report.ignored_columns
        job.errors_shown = [str(error) for error in report.errors[:ERRORS_SHOWN]]
        job.errors_path = str(errors_csv) if errors_csv is not None and report.rejected else ""
    job.save()
