"""Every kind of act the audit trail records, in one list: the doors and the docs read it.

Kinds are stored as text without database choices, so adding one needs no migration. Each
kind's ``details`` keys are listed in docs/trust.md.
"""

from __future__ import annotations

from django.db import models


class AuditKind(models.TextChoices):
    # segmentation (recorded by segmentation.services.training / activation)
    TRAINING_STARTED = "training.started", "Training started"
    TRAINING_FINISHED = "training.finished", "Training finished"
    TRAINING_FAILED = "training.failed", "Training failed"
    RUN_ACTIVATED = "run.activated", "Run activated"
    # candidates (recorded by candidates.services)
    CANDIDATES_IMPORTED = "candidates.imported", "Candidates imported"
    CANDIDATES_EXPORTED = "candidates.exported", "Candidates exported"
    CANDIDATE_ERASED = "candidate.erased", "Candidate erased"
    # campaigns (created / status changed: campaigns.services.campaign_save; the others are
    # for the sending and export services to record)
    CAMPAIGN_CREATED = "campaign.created", "Campaign created"
    CAMPAIGN_STATUS_CHANGED = "campaign.status_changed", "Campaign status changed"
    CAMPAIGN_SCHEDULED = "campaign.scheduled", "Campaign scheduled"
    CAMPAIGN_SENT = "campaign.sent", "Campaign sent"
    CAMPAIGN_PAUSED = "campaign.paused", "Campaign paused"
    CAMPAIGN_ENDED = "campaign.ended", "Campaign ended"
    AUDIENCE_EXPORTED = "audience.exported", "Audience exported"
    # the trail itself
    AUDIT_PRUNED = "audit.pruned", "Audit entries pruned"
