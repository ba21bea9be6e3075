"""The demo's job openings and campaign, so every page of ``make run`` has something to show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from campaigns.models import Campaign, JobOpening
from campaigns.opening_services import job_opening_save
from campaigns.recommendations import segment_suggestions
from campaigns.services import campaign_create
from candidates.selectors import skill_get_by_name


@dataclass(frozen=True)
class DemoOpening:
    title: str
    location: str
    min_years: float | None
    skills: tuple[str, ...]
    description: str


# Skills of the synthetic candidates' archetypes (candidates/synthetic.py).
DEMO_OPENINGS: tuple[DemoOpening, ...] = (
    DemoOpening(
        "Senior back-end engineer", "Berlin", 5, ("Django", "Go", "RabbitMQ"),
        "Build and run the services behind our job marketplace.",
    ),
    DemoOpening(
        "Front-end developer", "", 2, ("TypeScript", "React", "HTML/CSS"),
        "Remote-friendly: shape the pages recruiters use every day.",
    ),
    DemoOpening(
        "Data scientist", "London", 3, ("pandas", "scikit-learn", "Jupyter"),
        "Model which candidates fit which openings.",
    ),
)  # fmt: skip


@transaction.atomic
def demo_campaigns_create(*, start_date: datetime.date) -> tuple[int, int]:
    """Create the demo openings and one campaign unless any opening exists; (openings, campaigns).

    The campaign advertises the first opening to the segments suggested for it, so it needs an
    active segmentation; without one only the openings are created.
    """
    if JobOpening.objects.exists():
        return 0, 0
    openings = []
    for demo in DEMO_OPENINGS:
        skills = [skill for name in demo.skills if (skill := skill_get_by_name(name=name))]
        openings.append(
            job_opening_save(
                opening=JobOpening(),
                required_skills=skills,
                user=None,
                title=demo.title,
                description=demo.description,
                location=demo.location,
                min_years_experience=demo.min_years,
                is_open=True,
            )
        )
    suggestions = segment_suggestions(opening=openings[0])
    if not suggestions.suggested:
        return len(openings), 0
    campaign_create(
        name=f"{openings[0].title} · spring drive",
        job_opening=openings[0],
        target_segments=[entry.segment for entry in suggestions.suggested],
        status=Campaign.Status.ACTIVE,
        start_date=start_date,
        user=None,
    )
    return len(openings), 1
