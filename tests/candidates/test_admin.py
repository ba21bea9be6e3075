"""The candidate and skill admin: pages, filters, and the train/assign actions.

The actions start a background job; each test then runs it with ``segmentation_job_execute``,
the code the worker runs, in this process.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from candidates.models import Candidate, CandidateSkill
from segmentation.admin.candidates import ActiveSegmentFilter
from segmentation.jobs.execute import segmentation_job_execute
from segmentation.ml.pipeline import DEFAULT_CLUSTERS
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.admin_messages import SEGMENTS_PAGE_LINK, job_queued, messages_of
from tests.assignments import assigned, runs_of_candidates, segment_of, segments_now, unassigned
from tests.factories import CandidateFactory, SkillFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:candidates_candidate_changelist")


def make_groups(per_group: int = 15) -> dict[str, list[Candidate]]:
    """Three groups a clustering cannot confuse: skills, place, experience and pay all differ."""
    groups: dict[str, list[Candidate]] = {"backend": [], "data": [], "frontend": []}
    for i in range(per_group):
        groups["backend"].append(
            CandidateFactory(
                location="Berlin",
                education_level="bachelor",
                years_experience=1.0 + (i % 2) * 0.5,
                desired_salary=40_000,
                primary_skill="Developer, back-end",
                skill_names=["Python", "Django"],
            )
        )
        groups["data"].append(
            CandidateFactory(
                location="Munich",
                education_level="master",
                years_experience=12.0 + i % 3,
                desired_salary=120_000,
                primary_skill="Data scientist",
                skill_names=["R", "Statistics"],
            )
        )
        groups["frontend"].append(
            CandidateFactory(
                location="Lisbon",
                education_level="",
                years_experience=6.0,
                desired_salary=60_000,
                primary_skill="Developer, front-end",
                skill_names=["JavaScript", "CSS"],
            )
        )
    return groups


def listed_ids(client, query: str = "") -> set[int]:
    response = client.get(CHANGELIST + query)
    assert response.status_code == 200
    return {candidate.pk for candidate in response.context["cl"].result_list}


def post_action(client, action: str, candidates: list[Candidate]):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in candidates]},
        follow=True,
    )


@pytest.mark.parametrize("user_fixture", ["superuser", "staff_user"])
def test_candidate_and_skill_pages_render(client, request, user_fixture):
    make_groups(per_group=2)
    run = segmentation_train(n_clusters=2)
    segmentation_activate(run=run)
    client.force_login(request.getfixturevalue(user_fixture))
    candidate = Candidate.objects.first()
    skill = CandidateSkill.objects.filter(candidate_id=candidate.pk).first().skill
    for url in [
        CHANGELIST,
        CHANGELIST + "?q=Munich",
        reverse("admin:candidates_candidate_change", args=[candidate.pk]),
        reverse("admin:candidates_skill_changelist"),
        reverse("admin:candidates_skill_change", args=[skill.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_changelist_shows_segment_name_and_readable_salary(client, superuser):
    make_groups(per_group=2)
    segmentation_activate(run=segmentation_train(n_clusters=2))
    client.force_login(superuser)
    content = client.get(CHANGELIST).content.decode()
    assert Segment.objects.order_by("number").first().name in content
    assert "120,000" in content


def test_changelist_query_count_does_not_grow_with_rows(client, superuser):
    make_groups(per_group=1)
    segmentation_activate(run=segmentation_train(n_clusters=2))
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    make_groups(per_group=10)
    segmentation_activate(run=segmentation_train(n_clusters=2))
    with CaptureQueriesContext(connection) as many:
        client.get(CHANGELIST)
    assert len(many) == len(few)


def test_staff_without_permission_sees_no_segmentation_actions(client, staff_user, trainer):
    make_groups(per_group=2)
    client.force_login(staff_user)
    content = client.get(CHANGELIST).content.decode()
    assert "train_segmentation" not in content
    assert "activate_newest_run" not in content
    client.force_login(trainer)
    content = client.get(CHANGELIST).content.decode()
    assert "Train segmentation model (all candidates" in content
    assert "activate_newest_run" in content


def test_staff_without_permission_cannot_run_train_or_assign(client, staff_user):
    candidates = make_groups(per_group=4)["backend"]
    segmentation_train(n_clusters=2)
    client.force_login(staff_user)
    post_action(client, "train_segmentation", candidates[:1])
    post_action(client, "activate_newest_run", candidates[:1])
    assert not SegmentationJob.objects.exists()


def test_train_action_starts_a_job_that_trains_on_all_candidates(client, trainer):
    groups = make_groups()
    client.force_login(trainer)
    response = post_action(client, "train_segmentation", groups["backend"][:1])

    job, text = job_queued(response, "train")
    assert text == (
        f"Training with k={DEFAULT_CLUSTERS} started in the background (job {job.pk}): "
        f"follow it on the {SEGMENTS_PAGE_LINK}. "
        "The new run will not be active until someone activates it, after reading how "
        "candidates would move."
    )
    assert job.created_by == trainer
    assert job.parameters["config"]["n_clusters"] == DEFAULT_CLUSTERS
    # Training here is the first of two steps, as it always was: assigning is the second.
    assert job.parameters["activate"] is False
    assert not SegmentationRun.objects.exists()

    segmentation_job_execute(job_id=job.pk)

    run = SegmentationRun.objects.get()
    assert run.status == SegmentationRun.Status.TRAINED
    assert not run.is_active
    assert run.n_candidates == 45
    assert run.segments.count() == run.n_clusters == DEFAULT_CLUSTERS
    assert sum(run.segments.values_list("size", flat=True)) == 45
    assert run.created_by == trainer
    assert not assigned().exists()
    job.refresh_from_db()
    assert (job.status, job.result["run"]) == ("succeeded", run.pk)


def test_assign_action_starts_a_job_that_assigns_the_newest_run(client, trainer):
    groups = make_groups()
    segmentation_train(n_clusters=2)
    newest = segmentation_train(n_clusters=3)
    client.force_login(trainer)
    response = post_action(client, "activate_newest_run", groups["data"][:1])

    job, text = job_queued(response, "activate")
    assert text.startswith(f"Activating run {newest.pk} started in the background (job {job.pk})")
    assert (job.run, job.created_by) == (newest, trainer)
    assert not assigned().exists()

    segmentation_job_execute(job_id=job.pk)

    newest.refresh_from_db()
    assert newest.is_active
    assert not unassigned().exists()  # every candidate has a segment of the newest run
    # The three groups are far apart: each lands whole in a segment of its own.
    for members in groups.values():
        now = segments_now()
        segments = [now[m.pk] for m in members]
        assert len(set(segments)) == 1
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert job.result["total"] == 45
    assert sorted(job.result["counts"].values()) == [15, 15, 15]


def test_train_then_assign_in_two_jobs_activates_the_new_run(client, trainer):
    candidates = make_groups(per_group=3)["backend"]
    client.force_login(trainer)
    trained, _ = job_queued(post_action(client, "train_segmentation", candidates[:1]), "train")
    segmentation_job_execute(job_id=trained.pk)
    assigned, _ = job_queued(post_action(client, "activate_newest_run", candidates[:1]), "activate")
    segmentation_job_execute(job_id=assigned.pk)

    run = SegmentationRun.objects.get()
    assert run.is_active
    assert runs_of_candidates() == {run.pk}


def test_second_action_is_refused_while_a_job_is_queued(client, trainer):
    candidates = make_groups(per_group=3)["backend"]
    segmentation_train(n_clusters=2)
    client.force_login(trainer)
    first, _ = job_queued(post_action(client, "train_segmentation", candidates[:1]), "train")

    for action in ["activate_newest_run", "train_segmentation"]:
        [(level, text)] = messages_of(post_action(client, action, candidates[:1]))
        assert level == "error"
        assert text.startswith(
            f"Only one segmentation job runs at a time and job {first.pk} "
            f"(train with k={DEFAULT_CLUSTERS}, started by trainer at "
        )
        assert text.endswith(") is queued. Wait for it to finish, then try again.")
    assert list(SegmentationJob.objects.all()) == [first]
    assert DBTaskResult.objects.count() == 1


def test_assign_action_without_trained_model_is_an_error_message(client, trainer):
    candidates = make_groups(per_group=2)["backend"]
    client.force_login(trainer)
    response = post_action(client, "activate_newest_run", candidates[:1])

    assert response.status_code == 200
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert "no trained segmentation model" in text
    assert not SegmentationJob.objects.exists()


def test_train_action_with_more_segments_than_candidates_is_an_error_message(client, trainer):
    candidates = [CandidateFactory(), CandidateFactory(), CandidateFactory()]
    client.force_login(trainer)
    response = post_action(client, "train_segmentation", candidates[:1])

    [(level, text)] = messages_of(response)
    assert level == "error"
    assert f"Cannot make {DEFAULT_CLUSTERS} segments from 3 candidate(s)" in text
    assert not SegmentationJob.objects.exists()


def test_segment_filter_offers_only_active_run_and_filters(client, superuser):
    groups = make_groups()
    active = segmentation_train(n_clusters=3)
    segmentation_activate(run=active)
    other = segmentation_train(n_clusters=2)
    latecomer = CandidateFactory(location="Oslo")  # arrived after the assignment
    client.force_login(superuser)

    response = client.get(CHANGELIST)
    [spec] = [s for s in response.context["cl"].filter_specs if isinstance(s, ActiveSegmentFilter)]
    offered = {value for value, _ in spec.lookup_choices}
    assert offered == {str(pk) for pk in active.segments.values_list("pk", flat=True)} | {"none"}
    assert not offered & {str(pk) for pk in other.segments.values_list("pk", flat=True)}

    data_segment = segment_of(groups["data"][0].pk)
    assert listed_ids(client, f"?segment={data_segment.pk}") == {c.pk for c in groups["data"]}
    assert listed_ids(client, "?segment=none") == {latecomer.pk}


def test_skill_education_years_and_location_filters(client, superuser):
    groups = make_groups(per_group=3)
    unknown_years = CandidateFactory(years_experience=None, location="Oslo", skill_names=["Go"])
    ten_years = CandidateFactory(years_experience=10.0, skill_names=["Python"])
    two_years = CandidateFactory(years_experience=2.0)
    client.force_login(superuser)

    def ids(*members: Candidate) -> set[int]:
        return {c.pk for c in members}

    python = SkillFactory(name="Python")
    assert listed_ids(client, f"?skill={python.pk}") == ids(*groups["backend"], ten_years)
    assert listed_ids(client, "?education=master") == ids(*groups["data"])
    assert listed_ids(client, "?education=blank") == ids(*groups["frontend"])
    # Lower bounds are included, upper bounds are not.
    assert listed_ids(client, "?years=0-2") == ids(*groups["backend"])
    assert listed_ids(client, "?years=2-5") == ids(two_years)
    assert listed_ids(client, "?years=5-10") == ids(*groups["frontend"])
    assert listed_ids(client, "?years=10%2B") == ids(*groups["data"], ten_years)
    assert listed_ids(client, "?years=blank") == ids(unknown_years)
    assert listed_ids(client, "?location=Oslo") == ids(unknown_years)
    assert listed_ids(client, f"?location=Munich&skill={python.pk}") == set()


def test_location_filter_is_a_dropdown_of_every_location(client, superuser):
    for i in range(60):
        CandidateFactory(location=f"City {i:02d}")
    client.force_login(superuser)
    content = client.get(CHANGELIST).content.decode()
    assert "<select" in content
    assert '<option value="?location=City+59"' in content


def test_unknown_filter_value_does_not_crash(client, superuser):
    make_groups(per_group=1)
    client.force_login(superuser)
    for query in ["?segment=abc", "?skill=abc", "?years=3-4", "?education=astronaut"]:
        assert client.get(CHANGELIST + query).status_code in {200, 302}, query


def test_search_finds_by_external_id_and_email(client, superuser):
    wanted = CandidateFactory(external_id="crm-7781", email="ada@example.org")
    CandidateFactory()
    client.force_login(superuser)
    assert listed_ids(client, "?q=crm-7781") == {wanted.pk}
    assert listed_ids(client, "?q=ada@example") == {wanted.pk}


def test_skills_are_edited_inline_and_segment_cannot_be_set_by_hand(client, superuser):
    make_groups(per_group=2)
    candidate = CandidateFactory(skill_names=["Python"])
    segmentation_activate(run=segmentation_train(n_clusters=2))
    candidate.refresh_from_db()
    rust = SkillFactory(name="Rust")
    current = segment_of(candidate)
    other_segment = SegmentationRun.objects.get().segments.exclude(pk=current.pk).get()
    client.force_login(superuser)
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    form = client.get(url).context["adminform"].form
    existing = CandidateSkill.objects.get(candidate=candidate)
    data = {
        **{name: form.initial.get(name) or "" for name in form.fields},
        "segment": other_segment.pk,
        "skills-TOTAL_FORMS": "2",
        "skills-INITIAL_FORMS": "1",
        "skills-0-id": existing.pk,
        "skills-0-candidate": candidate.pk,
        "skills-0-skill": existing.skill_id,
        "skills-1-candidate": candidate.pk,
        "skills-1-skill": rust.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302

    segment_before = segment_of(candidate).pk
    candidate.refresh_from_db()
    assert set(candidate.skills.values_list("name", flat=True)) == {"Python", "Rust"}
    assert segment_of(candidate).pk == segment_before
