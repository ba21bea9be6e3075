"""Activating a run: the deliberate step after training, and who may take it.

Training only records a run with its migration summary (segmentation/retraining.py); a person
who holds ``segmentation.activate_segmentation`` (the Data admin group) reads the summary and
activates. Every door that activates (the page's button, the runs admin action, the candidate
admin's "Assign segments", a training job told to activate) is refused without it, at the door
and again here when the job runs, in case the permission was withdrawn meanwhile. The
management commands pass no user: whoever runs manage.py already holds the database.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from segmentation.ml.errors import SegmentationInputError
from segmentation.models import SegmentationRun
from segmentation.services import AssignmentResult, StageListener, segmentation_assign

ACTIVATE_PERMISSION = "segmentation.activate_segmentation"


class ActivationPermissionError(SegmentationInputError):
    """The person asking may not change which run is active."""


def activation_permission_check(user: AbstractBaseUser | AnonymousUser | None) -> None:
    """Refuse a user without the activate permission; ``None`` is the command line."""
    if user is not None and not user.has_perm(ACTIVATE_PERMISSION):
        raise ActivationPermissionError(
            f"{user or 'An anonymous user'} may not activate a segmentation run: that needs the "
            "permission 'Can activate a segmentation run' (the Data admin group has it)."
        )


def segmentation_activate(
    *,
    run: SegmentationRun,
    user: AbstractBaseUser | None = None,
    on_stage: StageListener | None = None,
) -> AssignmentResult:
    """Make ``run`` the active one: every candidate's segment and campaign targets follow.

    In one transaction (``segmentation_assign``): every candidate gets a segment from ``run``,
    campaigns aimed at the replaced run's segments also aim at their twins in ``run``, and the
    active run switches. Re-activating an earlier run gives back its assignments, since its
    model predicts what it predicted before.
    """
    activation_permission_check(user)
    return segmentation_assign(run=run, user=user, on_stage=on_stage)
