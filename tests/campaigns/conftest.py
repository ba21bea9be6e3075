"""Candidates in three planted groups, trained into three segments, and openings that fit them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from campaigns.models import JobOpening
from candidates.models import Candidate, Skill
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.models import Segment
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segments_now
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles

FRONT_END, BACK_END, DATA = 0, 1, 2  # the groups of tests.ml.conftest.GROUPS, in order
PER_GROUP = 30


@dataclass
class Planted:
    """The candidates of each group, the segment that holds most of each, by group."""

    ids: list[int]
    truth: np.ndarray
    segments: dict[int, Segment]

    def group(self, group: int) -> list[Candidate]:
        ids = [pk for pk, label in zip(self.ids, self.truth, strict=True) if label == group]
        return list(Candidate.objects.filter(pk__in=ids).order_by("pk"))


def store_and_segment(per_group: int = PER_GROUP, *, seed: int = 5) -> Planted:
    """Front-end developers in Lisbon (2 years), back-end in Berlin (12), data in Toronto (7).

    Each holds three of their group's four skills: front-end JavaScript, React, CSS, HTML;
    back-end Python, PostgreSQL, Django, Redis; data R, Python, Pandas, Spark.
    """
    records, truth = make_profiles(per_group, seed=seed)
    ids = store_profiles(records)
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 3}))
    segmentation_activate(run=run)
    segments = {}
    for group in (FRONT_END, BACK_END, DATA):
        members = [pk for pk, label in zip(ids, truth, strict=True) if label == group]
        now = segments_now()
        segment_ids = [now[pk] for pk in members]
        segments[group] = Segment.objects.get(pk=max(set(segment_ids), key=list(segment_ids).count))
    assert len({segment.pk for segment in segments.values()}) == 3, "the groups should separate"
    return Planted(ids=ids, truth=truth, segments=segments)


@pytest.fixture
def planted(db) -> Planted:
    return store_and_segment()


def opening_create(
    title: str,
    skills: list[str],
    *,
    location: str = "",
    min_years: float | None = None,
    is_open: bool = True,
    description: str = "",
) -> JobOpening:
    opening = JobOpening.objects.create(
        title=title,
        location=location,
        min_years_experience=min_years,
        is_open=is_open,
        description=description,
    )
    opening.required_skills.set(
        [
            Skill.objects.filter(name__iexact=name).first() or Skill.objects.create(name=name)
            for name in skills
        ]
    )
    return opening


@pytest.fixture
def backend_opening(planted) -> JobOpening:
    return opening_create(
        "Senior back-end engineer", ["Python", "PostgreSQL"], location="Berlin", min_years=5
    )
