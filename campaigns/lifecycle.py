"""A campaign's lifecycle as one table: which step leads from which status to which.

``draft → scheduled → active → paused → ended``. Pure rules (no database): the service in
``campaigns/status_changes.py`` applies them, the pages show the steps ``steps_offered`` gives,
and the worker's check (``campaigns_tick``) asks ``step_due`` what the calendar asks for.
Only an active campaign sends: every channel checks ``status == "active"``.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from campaigns.models import Campaign

Status = Campaign.Status


class Step(StrEnum):
    """What a person (or the calendar) does to a campaign: one word per operation."""

    ACTIVATE = "activate"  # draft → active, or scheduled when it starts later
    PAUSE = "pause"  # active → paused
    RESUME = "resume"  # paused → active, or scheduled when it starts later
    UNSCHEDULE = "unschedule"  # scheduled → draft
    END = "end"  # scheduled, active or paused → ended, for good
    START = "start"  # scheduled → active on its start date: the calendar's step, never a button


# (status now, step) → status after. A pair not listed is forbidden. ``active`` here means
# "active, unless the start date is still to come" (``_on_the_calendar``).
TRANSITIONS: dict[tuple[str, Step], str] = {
    (Status.DRAFT, Step.ACTIVATE): Status.ACTIVE,
    (Status.SCHEDULED, Step.UNSCHEDULE): Status.DRAFT,
    (Status.SCHEDULED, Step.START): Status.ACTIVE,
    (Status.SCHEDULED, Step.END): Status.ENDED,
    (Status.ACTIVE, Step.PAUSE): Status.PAUSED,
    (Status.ACTIVE, Step.END): Status.ENDED,
    (Status.PAUSED, Step.RESUME): Status.ACTIVE,
    (Status.PAUSED, Step.END): Status.ENDED,
}
# Steps a person takes with a button; START is the calendar's alone.
BUTTON_STEPS: tuple[Step, ...] = (
    Step.ACTIVATE,
    Step.RESUME,
    Step.PAUSE,
    Step.UNSCHEDULE,
    Step.END,
)
BUTTON_LABELS: dict[Step, str] = {
    Step.ACTIVATE: "Activate",
    Step.RESUME: "Resume",
    Step.PAUSE: "Pause",
    Step.UNSCHEDULE: "Back to draft",
    Step.END: "End campaign",
}
# Statuses a new campaign may be saved with: the rest are reached by steps.
CREATION_STATUSES: tuple[str, ...] = (Status.DRAFT, Status.ACTIVE)


class TransitionError(Exception):
    """A step the lifecycle forbids, with a sentence saying why."""


def transition(
    *,
    status: str,
    step: Step,
    start_date: datetime.date,
    end_date: datetime.date | None,
    today: datetime.date,
) -> str:
    """The status ``step`` leads to from ``status`` on ``today``, or TransitionError."""
    target = TRANSITIONS.get((status, step))
    if target is None:
        allowed = [s.value for s in BUTTON_STEPS if (status, s) in TRANSITIONS]
        raise TransitionError(
            f"{Status(status).label} campaigns cannot {step.value}"
            + (f"; they can {', '.join(allowed)}." if allowed else ": they have ended for good.")
        )
    if step is Step.START and start_date > today:
        raise TransitionError(f"The campaign starts on {start_date:%Y-%m-%d}, not before.")
    if target == Status.ACTIVE:
        if end_date is not None and end_date < today:
            raise TransitionError(
                f"The campaign's end date ({end_date:%Y-%m-%d}) has passed: "
                "change it before you " + step.value + " the campaign, or end it."
            )
        return _on_the_calendar(start_date, today)
    return target


def status_on_save(*, status: str, start_date: datetime.date, today: datetime.date) -> str:
    """The status a campaign saved as ``status`` really has: active starts on its date."""
    if status in (Status.ACTIVE, Status.SCHEDULED):
        return _on_the_calendar(start_date, today)
    return status


def step_due(
    *,
    status: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
    today: datetime.date,
) -> Step | None:
    """The step the calendar takes on ``today``: end after the end date, start on the start."""
    running = status in (Status.SCHEDULED, Status.ACTIVE, Status.PAUSED)
    if running and end_date is not None and end_date < today:
        return Step.END
    if status == Status.SCHEDULED and start_date <= today:
        return Step.START
    return None


def steps_offered(status: str) -> list[tuple[Step, str]]:
    """The buttons a campaign in ``status`` shows, with their labels."""
    return [(step, BUTTON_LABELS[step]) for step in BUTTON_STEPS if (status, step) in TRANSITIONS]


def _on_the_calendar(start_date: datetime.date, today: datetime.date) -> str:
    return Status.SCHEDULED if start_date > today else Status.ACTIVE
