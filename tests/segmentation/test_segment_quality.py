"""Segment quality through the doors: what training stores, and what the pages show of it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.urls import reverse

from segmentation.ml.naming import FALLBACK_NAME
from segmentation.ml.stages import QUALITY, train_stages
from segmentation.models import Segment
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.ml.conftest import GROUPS, make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


def _three_groups_and_a_mixed_one() -> list[dict]:
    """make_profiles' three groups, every salary of the Lisbon group blank, then 60 veterans
    whose location, education, role and skills are drawn from all three at random: only their
    seniority sets them apart, which is a band of the pool, not a group a recruiter targets."""
    records, truth = make_profiles(60, seed=5)
    for record, group in zip(records, truth, strict=True):
        if group == 0:
            record["desired_salary"] = None
    rng = np.random.default_rng(3)
    skills = sorted({skill for group in GROUPS for skill in group[5]})
    for _ in range(60):
        records.append(
            {
                "years_experience": float(rng.normal(30.0, 1.0)),
                "desired_salary": float(round(rng.normal(200_000, 5_000))),
                "location": str(rng.choice(["Lisbon", "Berlin", "Toronto"])),
                "education_level": str(rng.choice(["bachelor", "master", "doctorate"])),
                "primary_skill": str(
                    rng.choice(["Developer, front-end", "Developer, back-end", "Data scientist"])
                ),
                "skills": [str(skill) for skill in rng.choice(skills, size=3, replace=False)],
            }
        )
    return records


@pytest.fixture
def quality_run(db):
    store_profiles(_three_groups_and_a_mixed_one())
    seen: list[str] = []
    run = segmentation_train(n_clusters=4, on_stage=seen.append)
    assert seen == train_stages(choose_k=False) and QUALITY in seen
    segmentation_activate(run=run)
    return run


def _segments(run) -> list[Segment]:
    return list(run.segments.order_by("number"))


def test_training_stores_each_segments_quality_and_the_runs(quality_run):
    segments = _segments(quality_run)
    entries = [segment.profile["quality"] for segment in segments]
    for entry in entries:
        assert set(entry) >= {
            "stability",
            "stable",
            "blank_salary_share",
            "pool_blank_salary_share",
            "traits",
            "mixed",
        }
        assert 0.0 <= entry["stability"] <= 1.0
        assert entry["pool_blank_salary_share"] == 0.25  # the Lisbon group's 60 of 240
    # The Lisbon group (every salary blank) is one segment; its share says so.
    assert max(entry["blank_salary_share"] for entry in entries) == 1.0
    quality = quality_run.quality
    assert quality["mixed_segments"] == sum(entry["mixed"] for entry in entries) == 1
    assert quality["min_segment_stability"] == min(entry["stability"] for entry in entries)
    assert 0.0 <= quality["agreement_across_resamples"] <= 1.0
    assert "quality" in quality_run.timings


def test_a_mixed_segment_is_named_mixed_profiles(quality_run):
    segments = _segments(quality_run)
    mixed = [segment for segment in segments if segment.profile["quality"]["mixed"]]
    assert len(mixed) == 1 and mixed[0].name.startswith(f"{FALLBACK_NAME} · ")
    assert not any(
        segment.name.startswith(FALLBACK_NAME) for segment in segments if segment not in mixed
    )


def test_the_segments_table_shows_stability_blank_salary_and_the_mixed_badge(
    client, staff_user, quality_run
):
    client.force_login(staff_user)
    page = client.get(reverse("segments")).content.decode()
    table = re.search(r'<table id="segments-table">.*?</table>', page, re.S)[0]
    assert "<th" in table and ">Stability</th>" in table and ">Blank salary</th>" in table
    for segment in _segments(quality_run):
        entry = segment.profile["quality"]
        row = re.search(rf'href="/segments/{segment.pk}/".*?</tr>', table, re.S)[0]
        assert f">{entry['stability']:.2f}</td>" in row
        blank = f"{entry['blank_salary_share']:.0%} (all {entry['pool_blank_salary_share']:.0%})"
        assert f">{blank}</td>" in row
        assert ('<span class="badge mixed"' in row) is entry["mixed"]


def test_the_segment_page_shows_its_quality(client, staff_user, quality_run):
    client.force_login(staff_user)
    for segment in _segments(quality_run):
        entry = segment.profile["quality"]
        page = client.get(reverse("segment", args=[segment.pk])).content.decode()
        stability = re.search(r'<dd id="segment-stability">(.*?)</dd>', page)[1]
        assert stability.startswith(f"{entry['stability']:.2f}")
        assert ("unstable" in stability) is not entry["stable"]
        blank = re.search(r'<dd id="segment-blank-salary">(.*?)</dd>', page)[1]
        assert blank == (
            f"{entry['blank_salary_share']:.0%} (all {entry['pool_blank_salary_share']:.0%})"
        )
        assert ('id="segment-mixed"' in page) is entry["mixed"]


def test_a_run_from_before_quality_shows_no_quality_columns(client, staff_user, quality_run):
    for segment in _segments(quality_run):
        segment.profile.pop("quality")
        segment.save(update_fields=["profile"])
    client.force_login(staff_user)
    page = client.get(reverse("segments")).content.decode()
    assert ">Stability</th>" not in page and 'class="badge mixed"' not in page
    segment = _segments(quality_run)[0]
    page = client.get(reverse("segment", args=[segment.pk])).content.decode()
    assert 'id="segment-stability"' not in page
