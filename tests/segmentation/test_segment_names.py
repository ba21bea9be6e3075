"""Segments get descriptive names at training; a person's own name is marked as theirs."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from segmentation.models import Segment
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segment_of

pytestmark = pytest.mark.django_db


def _segment_of_group(ids: list[int], truth: np.ndarray, group: int) -> Segment:
    member = ids[int(np.flatnonzero(truth == group)[0])]
    return segment_of(member)


def test_training_names_each_segment_for_its_group(grouped_candidates):
    ids, truth = grouped_candidates
    segmentation_activate(run=segmentation_train(n_clusters=3))
    lisbon, berlin, toronto = (_segment_of_group(ids, truth, group) for group in range(3))
    assert berlin.name.startswith("Senior back-end developer · Berlin · Master’s degree")
    assert lisbon.name.startswith("Junior front-end developer · Lisbon · Bachelor’s degree")
    assert toronto.name.startswith("Data scientist · Toronto · Doctorate")
    assert not any(segment.name_is_custom for segment in (lisbon, berlin, toronto))


def test_the_segmentation_page_shows_the_names(client, staff_user, grouped_candidates):
    run = segmentation_train(n_clusters=3)
    segmentation_activate(run=run)
    client.force_login(staff_user)
    page = client.get(reverse("segments")).content.decode()
    for segment in run.segments.all():
        assert f">{segment.name}</a>" in page


def test_renaming_in_the_admin_marks_the_name_as_a_persons(client, superuser, grouped_candidates):
    run = segmentation_train(n_clusters=3)
    segment = run.segments.order_by("number").first()
    other = run.segments.order_by("number").last()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:segmentation_segment_change", args=[segment.pk]),
        {"name": "  Berlin backend crew  "},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.name_is_custom) == ("Berlin backend crew", True)

    # Saving without changing the name leaves the automatic name automatic.
    client.post(reverse("admin:segmentation_segment_change", args=[other.pk]), {"name": other.name})
    other.refresh_from_db()
    assert not other.name_is_custom


def test_renaming_on_the_segment_page_marks_the_name_as_a_persons(
    client, superuser, grouped_candidates
):
    segment = segmentation_train(n_clusters=3).segments.first()
    client.force_login(superuser)
    client.post(reverse("segment", args=[segment.pk]), {"name": "Data crowd"})
    segment.refresh_from_db()
    assert (segment.name, segment.name_is_custom) == ("Data crowd", True)
