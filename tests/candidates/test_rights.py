"""Candidates' rights: erasure on request, everything held about a person, and retention."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from candidates.csv_format import COLUMNS
from candidates.models import Candidate, CandidateSkill, SuppressedEmail
from candidates.services.csv_import import candidates_import_csv
from candidates.signals import candidate_erasing
from segmentation.models import Segment
from tests.assignments import members
from tests.campaigns.test_views import make_run
from tests.factories import CandidateFactory, SkillFactory
from tests.roles import role_group

pytestmark = pytest.mark.django_db


def person_in_a_segment(email: str = "Ann.Lee@Example.org") -> tuple[Candidate, Segment]:
    [segment] = make_run(active=True, sizes=[3])
    ann = Candidate.objects.order_by("pk").first()
    ann.email = email
    ann.save()
    for name in ("Python", "Django"):
        CandidateSkill.objects.create(candidate=ann, skill=SkillFactory(name=name))
    return ann, segment


def test_erase_command_removes_the_person_and_keeps_only_a_hash_of_the_email(tmp_path):
    ann, segment = person_in_a_segment()
    out = StringIO()

    call_command("erase_candidate", "--email", " ann.lee@EXAMPLE.org", stdout=out)

    assert not Candidate.objects.filter(pk=ann.pk).exists()
    assert not CandidateSkill.objects.filter(candidate_id=ann.pk).exists()
    segment.refresh_from_db()
    assert segment.size == members(segment).count() == 2
    entry = SuppressedEmail.objects.get()
    assert entry.reason == SuppressedEmail.Reason.ERASED
    assert "ann" not in entry.email_hash.lower()
    assert "Erased 1 candidate profile(s), 1 segment assignments, 2 skills listed" in out.getvalue()
    logged = AuditEntry.objects.get(kind="candidate.erased")
    assert logged.details["email_hash"] == entry.email_hash
    assert "ann" not in json.dumps(logged.details).lower()

    # The person cannot come back through an import.
    path = tmp_path / "back.csv"
    path.write_text(f"{','.join(COLUMNS)}\nx,Ann Lee,ann.lee@example.org,,,,,,\n")
    report = candidates_import_csv(path=path)
    assert report.created == 0
    assert "erased at their request" in report.errors[0].reason


def test_an_erasure_that_fails_midway_changes_nothing():
    ann, segment = person_in_a_segment()

    def broken(**_):
        raise RuntimeError("the messages table is unreachable")

    candidate_erasing.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            call_command("erase_candidate", "--email", ann.email, stdout=StringIO())
    finally:
        candidate_erasing.disconnect(dispatch_uid="test-broken")

    assert Candidate.objects.filter(pk=ann.pk).exists()
    assert CandidateSkill.objects.filter(candidate_id=ann.pk).count() == 2
    assert not SuppressedEmail.objects.exists()
    segment.refresh_from_db()
    assert segment.size == 3


def test_erase_refuses_something_that_is_not_an_email():
    with pytest.raises(CommandError, match="'nobody' is not an email address"):
        call_command("erase_candidate", "--email", "nobody")


def test_candidate_data_lists_everything_held_about_the_person(tmp_path):
    ann, segment = person_in_a_segment()
    output = tmp_path / "ann.json"

    call_command(
        "candidate_data", "--email", "ANN.LEE@example.org", "--output", output, stdout=StringIO()
    )

    data = json.loads(output.read_text())
    [profile] = data["profiles"]
    assert profile["name"] == ann.name and profile["email"] == "Ann.Lee@Example.org"
    assert profile["skills"] == ["Django", "Python"]
    assert profile["contact_allowed"] is True
    assert data["suppressed"] is False
    [held] = data["segments"]
    assert (held["segment_name"], held["active_run"]) == (segment.name, True)


def test_candidate_data_of_an_unknown_email_says_nothing_is_held():
    out = StringIO()
    call_command("candidate_data", "--email", "ghost@example.org", stdout=out)
    data = json.loads(out.getvalue())
    assert data["profiles"] == [] and data["segments"] == []


def test_retention_erases_only_candidates_unchanged_for_longer(settings):
    old, recent = CandidateFactory(), CandidateFactory()
    Candidate.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=31)
    )
    out = StringIO()

    settings.ADFLUX_CANDIDATE_RETENTION_DAYS = None
    call_command("apply_retention", stdout=out)
    assert "not set: candidates are kept" in out.getvalue()
    assert Candidate.objects.count() == 2

    settings.ADFLUX_CANDIDATE_RETENTION_DAYS = 30
    call_command("apply_retention", stdout=out)
    assert list(Candidate.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "Erased 1 candidate(s) unchanged for more than 30 days" in out.getvalue()
    assert SuppressedEmail.objects.filter(reason="erased").count() == 1


def test_only_a_data_admin_may_erase_from_the_admin(client, django_user_model):
    ann, _ = person_in_a_segment()
    url = reverse("admin:candidates_candidate_changelist")
    post = {"action": "erase_selected", "_selected_action": [ann.pk]}
    recruiter = django_user_model.objects.create_user(
        "rec", password="pw-rec-12345!", is_staff=True
    )
    recruiter.groups.add(role_group("Recruiter"))
    client.force_login(recruiter)
    assert "erase_selected" not in client.get(url).content.decode()
    client.post(url, post)
    assert Candidate.objects.filter(pk=ann.pk).exists()

    admin = django_user_model.objects.create_user("data", password="pw-data-12345!", is_staff=True)
    admin.groups.add(role_group("Data admin"))
    client.force_login(admin)
    assert "Erase selected candidates at their request" in client.get(url).content.decode()
    response = client.post(url, post, follow=True)
    assert "Erased 1 candidate(s)" in response.content.decode()
    assert not Candidate.objects.filter(pk=ann.pk).exists()
    assert Group.objects.get(name="Data admin").permissions.filter(codename="erase_candidate")
