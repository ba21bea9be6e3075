"""New and edited candidates get their segment from the active model when they are saved."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidates.models import Candidate, Skill
from segmentation.models import Segment
from segmentation.services.activation import segmentation_activate
from segmentation.services.assignment import candidate_segments_assign
from segmentation.services.training import segmentation_train
from tests.assignments import assigned, segment_of, unassigned
from tests.ml.conftest import GROUPS, make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db


def _segment_of_group(ids: list[int], truth, group: int) -> Segment:
    member = ids[list(truth).index(group)]
    return segment_of(member)


def _like_group(group: int, prefix: str) -> list[int]:
    records, _ = make_profiles(1, seed=123)
    return store_profiles([records[group]], prefix=prefix)


def test_a_new_candidate_joins_the_segment_of_people_like_them(grouped_candidates):
    ids, truth = grouped_candidates
    segmentation_activate(run=segmentation_train(n_clusters=3))
    backend = _segment_of_group(ids, truth, 1)
    size_before = backend.size
    [new_id] = _like_group(1, "new")
    assert candidate_segments_assign(candidate_ids=[new_id]) == 1
    assert segment_of(new_id) == backend
    backend.refresh_from_db()
    assert backend.size == size_before + 1


def test_without_an_active_run_nothing_is_assigned(grouped_candidates):
    ids, _ = grouped_candidates
    segmentation_train(n_clusters=3)  # trained, never applied
    assert candidate_segments_assign(candidate_ids=ids[:5]) == 0
    assert not assigned().exists()


def test_the_cached_model_follows_the_active_run(grouped_candidates):
    ids, _ = grouped_candidates
    first = segmentation_train(n_clusters=3)
    segmentation_activate(run=first)
    [a] = _like_group(0, "a")
    candidate_segments_assign(candidate_ids=[a])
    assert segment_of(a).run == first
    second = segmentation_train(n_clusters=2)
    segmentation_activate(run=second)
    [b] = _like_group(0, "b")
    candidate_segments_assign(candidate_ids=[b])
    assert segment_of(b).run == second


def _admin_form_data(client, url: str, **values) -> dict:
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"skills-TOTAL_FORMS": "0", "skills-INITIAL_FORMS": "0"})
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_adding_a_candidate_in_the_admin_gives_it_a_segment(client, superuser, grouped_candidates):
    ids, truth = grouped_candidates
    segmentation_activate(run=segmentation_train(n_clusters=3))
    years, salary, location, education, primary, pool = GROUPS[2]
    client.force_login(superuser)
    url = reverse("admin:candidates_candidate_add")
    data = _admin_form_data(
        client,
        url,
        name="Dana Scientist",
        email="dana@example.org",
        location=location,
        education_level=education,
        years_experience=str(years),
        desired_salary=str(salary),
        primary_skill=primary,
        **{
            "skills-TOTAL_FORMS": "2",
            "skills-0-skill": Skill.objects.get(name=pool[0]).pk,
            "skills-1-skill": Skill.objects.get(name=pool[1]).pk,
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    dana = Candidate.objects.get(email="dana@example.org")
    assert segment_of(dana) == _segment_of_group(ids, truth, 2)


def test_editing_a_candidate_in_the_admin_moves_them(client, superuser, grouped_candidates):
    ids, truth = grouped_candidates
    segmentation_activate(run=segmentation_train(n_clusters=3))
    front_end = _segment_of_group(ids, truth, 0)
    back_end = _segment_of_group(ids, truth, 1)
    mover = Candidate.objects.get(pk=ids[list(truth).index(0)])
    sizes = (front_end.size, back_end.size)
    years, salary, location, education, primary, pool = GROUPS[1]
    client.force_login(superuser)
    url = reverse("admin:candidates_candidate_change", args=[mover.pk])
    data = _admin_form_data(
        client,
        url,
        location=location,
        education_level=education,
        years_experience=str(years),
        desired_salary=str(salary),
        primary_skill=primary,
    )
    data.update({"skills-TOTAL_FORMS": "1", "skills-0-skill": Skill.objects.get(name=pool[0]).pk})
    assert client.post(url, data).status_code == 302
    assert segment_of(mover) == back_end
    front_end.refresh_from_db()
    back_end.refresh_from_db()
    assert (front_end.size, back_end.size) == (sizes[0] - 1, sizes[1] + 1)


HEADER = "external_id,name,email,location,education_level,years_experience,desired_salary,"
HEADER += "primary_skill,skills\n"


def test_imported_candidates_get_segments(tmp_path, grouped_candidates):
    segmentation_activate(run=segmentation_train(n_clusters=3))
    years, salary, location, education, primary, pool = GROUPS[1]
    path = tmp_path / "new.csv"
    path.write_text(
        HEADER + f"imp-1,New One,new1@example.org,{location},{education},{years},{salary},"
        f'"{primary}",{";".join(pool)}\n'
    )
    call_command("import_candidates", str(path), stdout=StringIO(), stderr=StringIO())
    new = segment_of(Candidate.objects.get(external_id="imp-1"))
    assert new is not None and new.run.is_active


def test_a_broken_model_does_not_stop_an_import(tmp_path, grouped_candidates):
    run = segmentation_train(n_clusters=3)
    segmentation_activate(run=run)
    # A fresh process (the fixture empties the cache) must verify the file before using it.
    Path(run.artifact_path).write_bytes(b"not a model")
    path = tmp_path / "new.csv"
    path.write_text(HEADER + "imp-2,New Two,new2@example.org,Oslo,master,3,50000,Dev,Go\n")
    err = StringIO()
    call_command("import_candidates", str(path), stdout=StringIO(), stderr=err)
    assert unassigned().filter(external_id="imp-2").exists()
    assert "not given segments" in err.getvalue() and "checksum" in err.getvalue()
