"""Retraining keeps segments' identity; activation is a separate step that needs its permission.

Matching, names and campaign targets that follow twins, the migration summary against a direct
count, and every door to activation (page button, runs admin, candidate admin, job, command)
with and without ``segmentation.activate_segmentation``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign
from candidates.models import Candidate
from segmentation.jobs.execute import segmentation_job_execute
from segmentation.jobs.start import segmentation_job_start
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
from segmentation.models import Segment, SegmentationJob, SegmentationRun
from segmentation.selectors.features import candidate_features_load
from segmentation.services.activation import ActivationPermissionError, segmentation_activate
from segmentation.services.runs import segment_rename
from segmentation.services.training import segmentation_train
from tests.admin_messages import messages_of
from tests.assignments import members, reached_by, runs_of_candidates, segments_now
from tests.factories import CampaignFactory, CandidateFactory

Kind = SegmentationJob.Kind
RUNS = reverse("admin:segmentation_segmentationrun_changelist")
CANDIDATES = reverse("admin:candidates_candidate_changelist")


def _config(k: int = 3, seed: int = 1) -> ClusteringConfig:
    # The seed's encoding (ClusteringConfig's own fields), not the services' recommended default:
    # these tests are about matching, twins and flows across retrains, and their planted groups
    # and renumbering seed were chosen for it; under quantile scaling the same seeds can number
    # and split the groups differently (docs/quality.md).
    return ClusteringConfig(n_clusters=k, n_init=1, random_state=seed)


def _renumbering_seed(k: int = 3) -> int:
    """A random_state whose K-means numbers the same groups differently from seed 1."""
    features = candidate_features_load()
    reference = fit_segmentation(features, _config(k, 1)).labels
    for seed in range(2, 60):
        labels = fit_segmentation(features, _config(k, seed)).labels
        if labels.tolist() != reference.tolist():
            return seed
    raise AssertionError("no seed renumbers the segments")


def _assignments() -> dict[int, int | None]:
    return segments_now()


@pytest.fixture
def active_run(grouped_candidates) -> SegmentationRun:
    run = segmentation_train(config=_config())
    segmentation_activate(run=run)
    run.refresh_from_db()
    return run


@pytest.fixture
def no_activate(django_user_model):
    """Staff who may view everything and train, but not activate."""
    user = django_user_model.objects.create_user(
        "builder", "builder@example.org", "pw-builder-123!", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_")
        | Permission.objects.filter(codename="train_segmentation")
    )
    return user


# Identity across a retrain -----------------------------------------------------------------


def test_a_retrain_with_another_seed_maps_every_segment_to_its_twin(active_run):
    before = _assignments()
    retrained = segmentation_train(config=_config(seed=_renumbering_seed()))

    old = {s.pk: s for s in active_run.segments.all()}
    new = list(retrained.segments.order_by("number"))
    # The seed renumbered the groups, so a match by number would be wrong.
    assert any(s.number != old[s.matched_from_id].number for s in new)
    for segment in new:
        twin = old[segment.matched_from_id]
        assert segment.profile == twin.profile
    assert sorted(s.matched_from_id for s in new) == sorted(old)

    segmentation_activate(run=retrained)

    # Everyone is in the twin of the segment they were in.
    twin_of = {s.matched_from_id: s.pk for s in new}
    assert _assignments() == {c: twin_of[s] for c, s in before.items()}
    assert retrained.previous_run_id == active_run.pk
    assert retrained.migration_summary["moving"] == 0


def test_custom_names_carry_over_to_twins_and_automatic_names_stay_automatic(active_run):
    renamed, untouched = active_run.segments.order_by("number")[:2]
    segment_rename(segment=renamed, name="Berlin backend seniors")

    retrained = segmentation_train(config=_config(seed=_renumbering_seed()))

    twin = retrained.segments.get(matched_from=renamed)
    assert (twin.name, twin.name_is_custom) == ("Berlin backend seniors", True)
    other = retrained.segments.get(matched_from=untouched)
    assert other.name != "Berlin backend seniors" and not other.name_is_custom


def test_training_changes_no_candidate_until_activation(active_run):
    before = _assignments()
    sizes = dict(Segment.objects.values_list("pk", "size"))
    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    campaign.target_segments.set(active_run.segments.all()[:1])

    retrained = segmentation_train(config=_config(k=4, seed=3))

    assert _assignments() == before
    assert dict(Segment.objects.filter(run=active_run).values_list("pk", "size")) == sizes
    assert SegmentationRun.objects.get(is_active=True) == active_run
    assert set(campaign.target_segments.all()) == set(active_run.segments.all()[:1])
    assert not retrained.is_active


# The migration summary ---------------------------------------------------------------------


def test_migration_summary_counts_every_candidate_as_a_direct_count_does(active_run):
    # Two newcomers nobody has assigned yet (no admin save, no import): "no segment yet".
    CandidateFactory(location="Berlin", years_experience=12.0, desired_salary=120_000)
    CandidateFactory(location="Lisbon", years_experience=2.0, desired_salary=40_000)
    before = _assignments()

    retrained = segmentation_train(config=_config(k=4, seed=3))
    summary = retrained.migration_summary

    assert summary["previous_run"] == active_run.pk
    assert summary["candidates"] == Candidate.objects.count() == 92
    assert sum(count for _, _, count in summary["flows"]) == 92
    segmentation_activate(run=retrained)
    after = _assignments()
    direct = Counter((before[c], after[c]) for c in before)
    assert {(old, new): count for old, new, count in summary["flows"]} == direct
    assert sum(n for (old, _), n in direct.items() if old is None) == 2
    twins = dict(retrained.segments.values_list("pk", "matched_from_id"))
    assert summary["moving"] == sum(n for (old, new), n in direct.items() if twins[new] != old)
    for old in summary["old_segments"]:
        assert old["candidates"] == sum(1 for s in before.values() if s == old["id"])


def test_summary_says_how_much_of_each_active_campaign_stays_leaves_and_joins(active_run):
    targeted = active_run.segments.order_by("number").first()
    spring = CampaignFactory(name="Spring", status=Campaign.Status.ACTIVE)
    spring.target_segments.set([targeted])
    CampaignFactory(name="Draft", status=Campaign.Status.DRAFT).target_segments.set([targeted])
    before = _assignments()

    retrained = segmentation_train(config=_config(k=4, seed=3))
    [entry] = retrained.migration_summary["campaigns"]  # only active campaigns

    segmentation_activate(run=retrained)
    after = _assignments()
    twin_ids = set(retrained.segments.filter(matched_from=targeted).values_list("pk", flat=True))
    audience = {c for c, s in before.items() if s == targeted.pk}
    reached = {c for c, s in after.items() if s in twin_ids}
    assert (entry["name"], entry["segments"]) == ("Spring", [targeted.pk])
    assert entry["audience"] == len(audience) == targeted.size
    assert entry["staying"] == len(audience & reached)
    assert entry["leaving"] == len(audience - reached)
    assert entry["joining"] == len(reached - audience)


# Activation --------------------------------------------------------------------------------


def test_activation_adds_each_targeted_segment_s_twin_to_its_campaigns(active_run):
    first, second, third = active_run.segments.order_by("number")
    live = CampaignFactory(status=Campaign.Status.ACTIVE)
    live.target_segments.set([first, second])
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    draft.target_segments.set([third])
    ended = CampaignFactory(status=Campaign.Status.ENDED)
    ended.target_segments.set([first])

    retrained = segmentation_train(config=_config(seed=_renumbering_seed()))
    twin = {s.matched_from_id: s for s in retrained.segments.all()}
    segmentation_activate(run=retrained)

    assert set(live.target_segments.all()) == {first, second, twin[first.pk], twin[second.pk]}
    assert set(draft.target_segments.all()) == {third, twin[third.pk]}
    # An ended campaign's targets are a record of what it reached.
    assert set(ended.target_segments.all()) == {first}
    # The campaign reaches the same people as before.
    live_now = reached_by(live.target_segments.all()).count()
    assert live_now == first.size + second.size


def test_reactivating_the_previous_run_restores_its_assignments_and_follows_campaigns(
    active_run,
):
    before = _assignments()
    retrained = segmentation_train(config=_config(k=4, seed=3))
    segmentation_activate(run=retrained)
    assert _assignments() != before
    # A campaign created while the new run was active aims only at its segments.
    newer = CampaignFactory(status=Campaign.Status.ACTIVE)
    newcomer_segment = retrained.segments.exclude(matched_from=None).first()
    newer.target_segments.set([newcomer_segment])

    segmentation_activate(run=active_run)

    assert _assignments() == before
    active_run.refresh_from_db()
    assert active_run.is_active
    assert newcomer_segment.matched_from in newer.target_segments.all()


def test_a_run_trained_against_another_run_is_matched_when_activated(active_run):
    second = segmentation_train(config=_config(seed=_renumbering_seed()))
    third = segmentation_train(config=_config(seed=1))
    segmentation_activate(run=third)
    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    target = third.segments.order_by("number").first()
    campaign.target_segments.set([target])
    held = set(members(target).values_list("pk", flat=True))

    # Neither run was trained against the other: their twins are matched at activation.
    segmentation_activate(run=second)

    reached = reached_by(campaign.target_segments.all())
    assert set(reached.values_list("pk", flat=True)) == held


# Doors -------------------------------------------------------------------------------------


@pytest.fixture
def pending(active_run) -> SegmentationRun:
    return segmentation_train(config=_config(k=4, seed=3))


def test_the_page_shows_a_trained_run_s_summary_and_activates_it(client, trainer, pending):
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert f"Run {pending.pk} is trained, not active" in page
    assert 'id="migration-table"' in page
    moving = pending.migration_summary["moving"]
    assert re.search(rf"<strong>{moving}</strong> of 90 candidates would change segment", page)
    assert f"Activate run {pending.pk}</button>" in page

    confirm_url = reverse("segmentation-run-activate", args=[pending.pk])
    # The button asks first, with the same number of candidates that would move.
    confirm = client.get(confirm_url).content.decode()
    assert f'<strong id="activate-moving">{moving}</strong> of 90 candidates' in confirm
    assert not SegmentationJob.objects.exists()
    active = SegmentationRun.objects.get(is_active=True)
    response = client.post(confirm_url, {"active_run": active.pk}, follow=True)
    job = SegmentationJob.objects.get()
    assert (job.kind, job.run, job.created_by) == (Kind.ACTIVATE, pending, trainer)
    assert f"Activating run {pending.pk} in the background (job {job.pk})" in (
        response.content.decode()
    )
    # While the job is queued, nothing is offered twice.
    assert "is trained, not active" not in response.content.decode()

    segmentation_job_execute(job_id=job.pk)
    pending.refresh_from_db()
    assert pending.is_active
    assert runs_of_candidates() == {pending.pk}
    assert "is trained, not active" not in client.get(reverse("segments")).content.decode()


def test_the_page_s_history_offers_to_reactivate_the_previous_run(client, trainer, pending):
    segmentation_activate(run=pending)
    previous = pending.previous_run
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    url = reverse("segmentation-run-activate", args=[previous.pk])
    assert f'action="{url}"' in page
    assert f'action="{reverse("segmentation-run-activate", args=[pending.pk])}"' not in page


def test_the_page_button_needs_the_permission(client, no_activate, pending):
    client.force_login(no_activate)
    page = client.get(reverse("segments")).content.decode()
    assert f"Run {pending.pk} is trained, not active" in page  # the summary is for everyone
    assert 'id="activate-form"' not in page and "run-activate" not in page
    response = client.post(reverse("segmentation-run-activate", args=[pending.pk]))
    assert response.status_code == 403
    assert not SegmentationJob.objects.exists()


def test_the_page_button_needs_a_csrf_token(trainer, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    response = client.post(reverse("segmentation-run-activate", args=[pending.pk]))
    assert response.status_code == 403
    assert not SegmentationJob.objects.exists()


def test_the_page_button_only_asks_until_confirmed(client, trainer, pending):
    client.force_login(trainer)
    response = client.get(reverse("segmentation-run-activate", args=[pending.pk]))
    assert response.status_code == 200
    assert f"Activate run {pending.pk}?" in response.content.decode()
    # A bare post (the old one-click button) asks too.
    client.post(reverse("segmentation-run-activate", args=[pending.pk]))
    assert not SegmentationJob.objects.exists()


def test_retraining_from_the_page_only_trains(client, trainer, active_run):
    client.force_login(trainer)
    client.post(reverse("segments-retrain"), {"n_clusters": 4})
    job = SegmentationJob.objects.get()
    assert job.parameters["activate"] is False
    segmentation_job_execute(job_id=job.pk)
    assert SegmentationRun.objects.get(is_active=True) == active_run


def test_the_runs_admin_action_activates_with_the_permission(client, trainer, pending):
    client.force_login(trainer)
    assert "Activate the selected run (assign every candidate)" in client.get(RUNS).content.decode()
    response = client.post(
        RUNS, {"action": "activate_selected_run", "_selected_action": [pending.pk]}, follow=True
    )
    [(level, text)] = messages_of(response)
    assert level == "success" and text.startswith(f"Activating run {pending.pk} started")
    segmentation_job_execute(job_id=SegmentationJob.objects.get().pk)
    pending.refresh_from_db()
    assert pending.is_active


def test_the_runs_admin_action_is_refused_without_the_permission(client, no_activate, pending):
    client.force_login(no_activate)
    assert "activate_selected_run" not in client.get(RUNS).content.decode()
    client.post(RUNS, {"action": "activate_selected_run", "_selected_action": [pending.pk]})
    assert not SegmentationJob.objects.exists()


def test_the_runs_admin_action_needs_a_csrf_token(trainer, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainer)
    response = client.post(
        RUNS, {"action": "activate_selected_run", "_selected_action": [pending.pk]}
    )
    assert response.status_code == 403
    assert not SegmentationJob.objects.exists()


def test_the_candidate_admin_assign_action_is_activation_and_needs_its_permission(
    client, no_activate, trainer, pending
):
    first = Candidate.objects.order_by("pk").first().pk
    client.force_login(no_activate)
    assert "activate_newest_run" not in client.get(CANDIDATES).content.decode()
    client.post(CANDIDATES, {"action": "activate_newest_run", "_selected_action": [first]})
    assert not SegmentationJob.objects.exists()

    client.force_login(trainer)
    content = client.get(CANDIDATES).content.decode()
    assert "Activate the newest trained run (every candidate gets its segment)" in content
    client.post(CANDIDATES, {"action": "activate_newest_run", "_selected_action": [first]})
    assert SegmentationJob.objects.get().run == pending


def test_the_admin_train_form_activates_only_for_those_who_may(client, no_activate, trainer):
    from tests.segmentation.test_admin import TRAIN, make_groups

    make_groups(per_group=3)
    client.force_login(no_activate)
    assert '<input type="checkbox" name="activate" disabled' in client.get(TRAIN).content.decode()
    # A disabled box keeps its initial value (unticked), whatever the request says.
    client.post(TRAIN, {"n_clusters": 2, "activate": "on"})
    job = SegmentationJob.objects.get()
    assert job.parameters["activate"] is False
    segmentation_job_execute(job_id=job.pk)
    assert not SegmentationRun.objects.filter(is_active=True).exists()

    client.force_login(trainer)
    client.post(TRAIN, {"n_clusters": 2, "activate": "on"})
    job = SegmentationJob.objects.get(in_progress=True)
    assert job.parameters["activate"] is True


def test_a_job_that_activates_is_refused_at_the_start_without_the_permission(no_activate, pending):
    with pytest.raises(ActivationPermissionError, match="may not activate"):
        segmentation_job_start(kind=Kind.ACTIVATE, user=no_activate, run=pending)
    with pytest.raises(ActivationPermissionError):
        segmentation_job_start(kind=Kind.TRAIN, user=no_activate, config=_config(), activate=True)
    assert not SegmentationJob.objects.exists()
    # Training alone is theirs to start.
    assert segmentation_job_start(kind=Kind.TRAIN, user=no_activate, config=_config())


def test_the_task_refuses_a_job_whose_author_lost_the_permission(trainer, pending):
    before = _assignments()
    job = segmentation_job_start(kind=Kind.ACTIVATE, user=trainer, run=pending)
    trainer.user_permissions.remove(Permission.objects.get(codename="activate_segmentation"))

    with pytest.raises(ActivationPermissionError):
        segmentation_job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "may not activate a segmentation run" in job.error
    pending.refresh_from_db()
    assert not pending.is_active
    assert _assignments() == before


def test_train_command_only_trains_unless_told_to_activate(active_run, capsys):
    call_command("train_segments", "--clusters", "4")
    trained = SegmentationRun.objects.order_by("-pk").first()
    out = capsys.readouterr().out
    assert not trained.is_active
    assert f"Compared with run {active_run.pk}: " in out and "would change segment." in out
    assert f"predict_segments --run {trained.pk}" in out

    call_command("train_segments", "--clusters", "3", "--activate")
    activated = SegmentationRun.objects.order_by("-pk").first()
    out = capsys.readouterr().out
    assert activated.is_active
    assert f"Trained run {activated.pk} and activated it" in out
    assert runs_of_candidates() == {activated.pk}


def test_a_first_run_has_no_summary_and_is_offered_for_activation(client, trainer, db):
    from tests.ml.conftest import make_profiles
    from tests.segmentation.conftest import store_profiles

    store_profiles(make_profiles(10)[0])
    run = segmentation_train(config=_config())
    assert run.previous_run is None and run.migration_summary == {}
    assert not Segment.objects.exclude(matched_from=None).exists()
    client.force_login(trainer)
    page = client.get(reverse("segments")).content.decode()
    assert "No run was active when it was trained" in page
    assert f"Activate run {run.pk}</button>" in page


def test_flows_are_counted_for_candidates_in_id_order_whatever_the_label_order(active_run):
    # Labels are given in features.ids order; the summary must not assume ids are 1..n.
    Candidate.objects.filter(pk=min(_assignments())).delete()
    retrained = segmentation_train(config=_config(seed=_renumbering_seed()))
    assert retrained.migration_summary["candidates"] == 89
    assert retrained.migration_summary["moving"] == 0
    # Only the cells someone moves through are kept.
    assert all(count > 0 for _, _, count in retrained.migration_summary["flows"])


def test_the_run_s_admin_page_shows_its_twins_and_migration_summary(client, superuser, pending):
    client.force_login(superuser)
    page = client.get(
        reverse("admin:segmentation_segmentationrun_change", args=[pending.pk])
    ).content.decode()
    summary = pending.migration_summary
    assert (
        f"{summary['moving']:,} of 90 candidates would change segment "
        f"(from run {summary['previous_run']})" in page
    )
    twin = pending.segments.exclude(matched_from=None).first()
    segment_page = client.get(
        reverse("admin:segmentation_segment_change", args=[twin.pk])
    ).content.decode()
    assert reverse("admin:segmentation_segment_change", args=[twin.matched_from_id]) in segment_page
