"""A campaign's lifecycle: draft → scheduled → active → paused → ended, by buttons and by date."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from campaigns.lifecycle import (
    TRANSITIONS,
    Step,
    TransitionError,
    status_on_save,
    step_due,
    steps_offered,
    transition,
)
from campaigns.models import Campaign
from campaigns.status_changes import campaign_step, campaigns_tick
from candidates.models import Candidate
from tests.campaigns.test_views import (  # noqa: F401 (fixture)
    CREATE,
    campaign_data,
    make_run,
    recruiter,
)
from tests.factories import CampaignFactory, CandidateFactory, JobOpeningFactory
from tests.worker import ROOT, other_process_env

DAY = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 6, 15)


def _campaign(status: str, *, start=TODAY, end=None) -> Campaign:
    return CampaignFactory(status=status, start_date=start, end_date=end)


# The table


@pytest.mark.parametrize(
    ("status", "step", "start", "after"),
    [
        ("draft", Step.ACTIVATE, TODAY, "active"),
        ("draft", Step.ACTIVATE, TODAY + DAY, "scheduled"),
        ("scheduled", Step.UNSCHEDULE, TODAY + DAY, "draft"),
        ("scheduled", Step.START, TODAY, "active"),
        ("scheduled", Step.END, TODAY + DAY, "ended"),
        ("active", Step.PAUSE, TODAY, "paused"),
        ("active", Step.END, TODAY, "ended"),
        ("paused", Step.RESUME, TODAY - DAY, "active"),
        ("paused", Step.END, TODAY, "ended"),
    ],
)
def test_allowed_steps_lead_where_the_table_says(status, step, start, after):
    assert transition(status=status, step=step, start_date=start, end_date=None, today=TODAY) == (
        after
    )


@pytest.mark.parametrize(
    ("status", "step", "message"),
    [
        ("draft", Step.PAUSE, "Draft campaigns cannot pause; they can activate."),
        ("active", Step.ACTIVATE, "Active campaigns cannot activate; they can pause, end."),
        ("ended", Step.RESUME, "Ended campaigns cannot resume: they have ended for good."),
        ("paused", Step.PAUSE, "Paused campaigns cannot pause; they can resume, end."),
        ("scheduled", Step.START, "The campaign starts on 2026-06-16, not before."),
    ],
)
def test_forbidden_steps_are_refused_with_a_sentence(status, step, message):
    with pytest.raises(TransitionError) as refused:
        transition(status=status, step=step, start_date=TODAY + DAY, end_date=None, today=TODAY)
    assert str(refused.value) == message


def test_every_pair_outside_the_table_is_refused():
    for status in Campaign.Status.values:
        for step in Step:
            if (status, step) in TRANSITIONS:
                continue
            with pytest.raises(TransitionError):
                transition(status=status, step=step, start_date=TODAY, end_date=None, today=TODAY)


def test_activating_or_resuming_after_the_end_date_is_refused():
    for status, step in (("draft", Step.ACTIVATE), ("paused", Step.RESUME)):
        with pytest.raises(TransitionError, match=r"end date \(2026-06-14\) has passed"):
            transition(
                status=status,
                step=step,
                start_date=TODAY - 9 * DAY,
                end_date=TODAY - DAY,
                today=TODAY,
            )


def test_the_calendar_starts_on_the_start_date_and_ends_the_day_after_the_end_date():
    def due(status, start, end):
        return step_due(status=status, start_date=start, end_date=end, today=TODAY)

    assert due("scheduled", TODAY + DAY, None) is None
    assert due("scheduled", TODAY, None) is Step.START
    assert due("active", TODAY - DAY, TODAY) is None  # the end date is its last day
    assert due("active", TODAY - 9 * DAY, TODAY - DAY) is Step.END
    assert due("paused", TODAY - 9 * DAY, TODAY - DAY) is Step.END
    assert due("scheduled", TODAY - 9 * DAY, TODAY - DAY) is Step.END
    assert due("draft", TODAY - 9 * DAY, TODAY - DAY) is None
    assert due("ended", TODAY - 9 * DAY, TODAY - DAY) is None


def test_buttons_per_status_and_saved_status():
    assert [s for s, _ in steps_offered("draft")] == [Step.ACTIVATE]
    assert [s for s, _ in steps_offered("active")] == [Step.PAUSE, Step.END]
    assert [s for s, _ in steps_offered("scheduled")] == [Step.UNSCHEDULE, Step.END]
    assert steps_offered("ended") == []
    assert all(
        step is not Step.START for s in Campaign.Status.values for step, _ in steps_offered(s)
    )
    assert status_on_save(status="active", start_date=TODAY + DAY, today=TODAY) == "scheduled"
    assert status_on_save(status="scheduled", start_date=TODAY, today=TODAY) == "active"
    assert status_on_save(status="paused", start_date=TODAY + DAY, today=TODAY) == "paused"


# The service and the calendar's check


@pytest.fixture
def runner(django_user_model):
    """A Recruiter-like user: may view and change campaigns."""
    user = django_user_model.objects.create_user("runner", password="pw-runner-123!")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="campaigns", codename__in=["view_campaign", "change_campaign"]
        )
    )
    return user


@pytest.mark.django_db
def test_the_service_checks_the_permission_and_changes_nothing_when_refused(runner, staff_user):
    campaign = _campaign("draft")
    with pytest.raises(PermissionDenied):
        campaign_step(campaign_id=campaign.pk, step=Step.ACTIVATE, user=staff_user, today=TODAY)
    with pytest.raises(TransitionError):
        campaign_step(campaign_id=campaign.pk, step=Step.PAUSE, user=runner, today=TODAY)
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    stepped = campaign_step(
        campaign_id=campaign.pk, step=Step.ACTIVATE, user=runner, today=TODAY - DAY
    )
    assert stepped.status == "scheduled"
    # The audit trail records who scheduled it; the calendar's start has nobody's name.
    campaigns_tick(today=TODAY)
    entries = list(AuditEntry.objects.order_by("pk").values_list("kind", "username", "details"))
    assert entries == [
        ("campaign.scheduled", "runner", {"from": "draft", "to": "scheduled", "step": "activate"}),
        ("campaign.status_changed", "", {"from": "scheduled", "to": "active", "step": "start"}),
    ]


@pytest.mark.django_db
def test_the_tick_starts_and_ends_what_is_due_and_nothing_else():
    starts = _campaign("scheduled", start=TODAY)
    later = _campaign("scheduled", start=TODAY + DAY)
    over = _campaign("active", start=TODAY - 9 * DAY, end=TODAY - DAY)
    paused_over = _campaign("paused", start=TODAY - 9 * DAY, end=TODAY - DAY)
    last_day = _campaign("active", start=TODAY - 9 * DAY, end=TODAY)
    draft = _campaign("draft", start=TODAY - 9 * DAY, end=TODAY - DAY)

    tick = campaigns_tick(today=TODAY)

    assert tick.started == [starts.pk]
    assert sorted(tick.ended) == sorted([over.pk, paused_over.pk])
    status = dict(Campaign.objects.values_list("pk", "status"))
    assert status == {
        starts.pk: "active",
        later.pk: "scheduled",
        over.pk: "ended",
        paused_over.pk: "ended",
        last_day.pk: "active",
        draft.pk: "draft",
    }
    again = campaigns_tick(today=TODAY)
    assert (again.started, again.ended) == ([], [])


@pytest.mark.django_db
def test_the_command_reports_what_it_did():
    campaign = _campaign("scheduled", start=TODAY)
    out = StringIO()
    call_command("campaigns_tick", "--today", TODAY.isoformat(), stdout=out)
    assert f"Started campaign(s) {campaign.pk}." in out.getvalue()
    campaign.refresh_from_db()
    assert campaign.status == "active"


# The page


@pytest.mark.django_db
def test_buttons_show_only_with_the_change_permission(client, runner, staff_user):
    campaign = _campaign("draft")
    page = reverse("campaign", args=[campaign.pk])
    client.force_login(staff_user)
    content = client.get(page).content.decode()
    assert "A draft: it reaches nobody until it is activated." in content
    assert 'id="campaign-step-activate"' not in content
    client.force_login(runner)
    content = client.get(page).content.decode()
    assert 'id="campaign-step-activate"' in content
    assert 'id="campaign-step-pause"' not in content


@pytest.mark.django_db
def test_a_button_takes_its_step_and_says_so(client, runner):
    tomorrow = timezone.localdate() + DAY
    campaign = _campaign("draft", start=tomorrow)
    url = reverse("campaign-step", args=[campaign.pk])
    client.force_login(runner)

    response = client.post(url, {"step": "activate"}, follow=True)
    content = response.content.decode()
    assert f"is scheduled: it starts on {tomorrow:%Y-%m-%d}." in content
    assert '<span class="badge scheduled">Scheduled</span>' in content
    assert 'id="campaign-step-unschedule"' in content

    response = client.post(url, {"step": "pause"}, follow=True)
    assert "Scheduled campaigns cannot pause; they can unschedule, end." in (
        response.content.decode()
    )
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"


@pytest.mark.django_db
def test_a_step_without_the_permission_is_forbidden_and_changes_nothing(client, staff_user):
    campaign = _campaign("active")
    client.force_login(staff_user)
    response = client.post(reverse("campaign-step", args=[campaign.pk]), {"step": "end"})
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "active"


@pytest.mark.django_db
def test_steps_need_post_csrf_and_a_known_step(runner):
    from django.test import Client

    campaign = _campaign("active")
    url = reverse("campaign-step", args=[campaign.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(runner)
    assert strict.get(url).status_code == 405
    assert strict.post(url, {"step": "end"}).status_code == 403  # no CSRF token
    client = Client()
    client.force_login(runner)
    assert client.post(url, {"step": "start"}).status_code == 302  # the calendar's step: refused
    assert client.post(url, {"step": "explode"}).status_code == 400
    assert client.post(reverse("campaign-step", args=[999999]), {"step": "end"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == "active"


# The new-campaign form


@pytest.mark.django_db
def test_the_form_offers_draft_or_active_and_a_later_start_is_scheduled(client, recruiter):  # noqa: F811
    segments = make_run(active=True, sizes=[2])
    job = JobOpeningFactory()
    client.force_login(recruiter)
    form = client.get(CREATE).content.decode()
    assert '<option value="draft"' in form and '<option value="active"' in form
    assert '<option value="paused"' not in form and '<option value="ended"' not in form

    later = timezone.localdate() + 10 * DAY
    client.post(CREATE, campaign_data(job, segments, start_date=later, end_date=""))
    assert Campaign.objects.get().status == "scheduled"

    response = client.post(
        CREATE, campaign_data(job, segments, start_date="2020-01-01", end_date="2020-02-01")
    )
    assert "This end date has passed: an active campaign would end at once." in (
        response.content.decode()
    )
    assert Campaign.objects.count() == 1


# The calendar's check as deployed: its own process, on the committed database


@pytest.mark.django_db(transaction=True)
def test_the_running_check_starts_and_ends_campaigns_in_another_process(tmp_path):
    today = timezone.localdate()
    starts = _campaign("scheduled", start=today)
    over = _campaign("active", start=today - 9 * DAY, end=today - DAY)
    log = (tmp_path / "tick.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "campaigns_tick", "--every", "0.2"],
        cwd=ROOT,
        env=other_process_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            status = dict(Campaign.objects.values_list("pk", "status"))
            if status == {starts.pk: "active", over.pk: "ended"}:
                break
            time.sleep(0.1)
        assert dict(Campaign.objects.values_list("pk", "status")) == {
            starts.pk: "active",
            over.pk: "ended",
        }, (tmp_path / "tick.log").read_text()
        # Still running, and a campaign scheduled now for today starts at its next check.
        later = _campaign("scheduled", start=today)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Campaign.objects.get(pk=later.pk).status != "active":
            time.sleep(0.1)
        assert Campaign.objects.get(pk=later.pk).status == "active"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert process.returncode == 0, (tmp_path / "tick.log").read_text()
    assert f"Started campaign(s) {starts.pk}." in (tmp_path / "tick.log").read_text()


@pytest.mark.django_db(transaction=True)
def test_the_running_check_erases_candidates_past_retention_once_a_day(tmp_path):
    old, recent = CandidateFactory(), CandidateFactory()
    Candidate.objects.filter(pk=old.pk).update(updated_at=timezone.now() - 40 * DAY)
    log = tmp_path / "tick.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "campaigns_tick", "--every", "0.2"],
            cwd=ROOT,
            env=other_process_env(ADFLUX_CANDIDATE_RETENTION_DAYS="30"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and Candidate.objects.filter(pk=old.pk).exists():
                time.sleep(0.1)
            time.sleep(1)  # several more checks: the chores do not run again the same day
        finally:
            process.terminate()
            process.wait(timeout=30)
    text = log.read_text()
    assert list(Candidate.objects.values_list("pk", flat=True)) == [recent.pk], text
    assert text.count("Erased 1 candidate(s) unchanged for more than 30 days") == 1, text
    assert text.count("Erased") == 1 and "prune" in text.lower(), text
