"""Erasing a person removes what campaigns hold about them, and access lists it first."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Application, CampaignMessage
from candidates.models import Candidate
from tests.campaigns.test_views import make_run
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_erasure_deletes_messages_and_blanks_applications_but_keeps_their_counts():
    [segment] = make_run(active=True, sizes=[2])
    ann, bob = Candidate.objects.order_by("pk")
    campaign = CampaignFactory(name="Spring hiring")
    campaign.target_segments.set([segment])
    for person in (ann, bob):
        CampaignMessage.objects.create(
            campaign=campaign,
            candidate=person,
            segment=segment,
            status="sent",
            sent_at=timezone.now(),
        )
        Application.objects.create(
            job_opening=campaign.job_opening,
            campaign=campaign,
            candidate=person,
            segment=segment,
            name=person.name,
            email=person.email,
            message="I'd love to",
        )
    # Applied again later, typing the address in capitals, without the tracked link.
    Application.objects.create(
        job_opening=campaign.job_opening, name=ann.name, email=ann.email.upper(), message="Me again"
    )

    out = StringIO()
    call_command("candidate_data", "--email", ann.email, stdout=out)
    held = json.loads(out.getvalue())
    assert [m["campaign"] for m in held["campaign_messages"]] == ["Spring hiring"]
    assert [a["message"] for a in held["applications"]] == ["I'd love to", "Me again"]

    out = StringIO()
    call_command("erase_candidate", "--email", ann.email, stdout=out)

    assert "1 campaign messages" in out.getvalue() and "2 applications anonymised" in out.getvalue()
    assert list(CampaignMessage.objects.values_list("candidate_id", flat=True)) == [bob.pk]
    assert Application.objects.count() == 3  # still counted in the campaign's results
    erased = Application.objects.exclude(candidate=bob)
    assert {(a.name, a.email, a.message, a.candidate_id) for a in erased} == {
        ("(erased at their request)", "", "", None)
    }
    assert not Application.objects.filter(email__iexact=ann.email).exists()
    assert Application.objects.get(candidate=bob).email == bob.email
