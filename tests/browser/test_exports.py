"""Downloads from the pages: a segment's candidates and the filtered candidate list."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from segmentation.models import Segment, SegmentationRun
from tests.assignments import place
from tests.browser.conftest import log_in
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db(transaction=True)


def rows_of(download) -> list[dict[str, str]]:
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_segment_and_a_filtered_list_download_as_csv(page, screens, recruiter):
    run = SegmentationRun.objects.create(status="trained", is_active=True, n_clusters=2)
    porto = Segment.objects.create(run=run, number=0, name="Porto designers")
    other = Segment.objects.create(run=run, number=1, name="Everyone else")
    place(CandidateFactory.create_batch(7, location="Porto", years_experience=4), porto)
    place(CandidateFactory.create_batch(5, location="Oslo", years_experience=9), other)

    log_in(page, "recruiter", "pw-recruit-123!")
    page.goto(f"/segments/{porto.pk}/")
    with page.expect_download() as segment_download:
        page.click("#segment-export")
    screens.take("segment")
    assert segment_download.value.suggested_filename == f"segment-{porto.pk}.csv"
    rows = rows_of(segment_download.value)
    assert len(rows) == 7
    assert {(row["location"], row["segment_name"]) for row in rows} == {
        ("Porto", "Porto designers")
    }

    page.goto("/candidates/")
    page.fill("#id_min_years", "5")
    page.click("#candidate-filters button[type=submit]")
    with page.expect_download() as list_download:
        page.click("#candidates-export")
    assert [row["location"] for row in rows_of(list_download.value)] == ["Oslo"] * 5
