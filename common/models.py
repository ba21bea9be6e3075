"""The one abstract base every AdFlux table shares."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/updated timestamps; abstract, so no table joins for it."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class JobProgress:
    """How far a background job (a training, an import, a send) is, for its progress bar.

    A mixin for models with a ``status`` of queued, running, succeeded or failed (and maybe
    cancelled): ``progress_fields`` names the (done, total) pair the job counts in: stages,
    bytes or messages.
    """

    progress_fields: tuple[str, str]

    @property
    def progress(self) -> float:
        """Share of the work done, 0 to 1 (1 once the job succeeded)."""
        if self.status == "succeeded":
            return 1.0
        done, total = (getattr(self, name) for name in self.progress_fields)
        return min(1.0, done / total) if total else 0.0


class QueuedOrRunning:
    """``in_progress`` for a job model that does not store it: queued or running."""

    @property
    def in_progress(self) -> bool:
        return self.status in ("queued", "running")
