"""A campaign's audience leaves out who may not be contacted, and every place shows one number."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from campaigns.selectors import campaign_get, campaign_list
from candidates.csv_format import COLUMNS
from candidates.models import Candidate, SuppressedEmail
from candidates.services.csv_import import candidates_import_csv
from candidates.services.suppression import email_suppress
from segmentation.selectors.assignments import audience_batches, candidates_in_segments
from tests.campaigns.test_views import make_run, recruiter  # noqa: F401 (fixture)
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def test_every_place_counts_the_same_audience_without_the_uncontactable(client, recruiter):  # noqa: F811
    first, second = make_run(active=True, sizes=[6, 5])
    campaign = CampaignFactory(name="Reach", status="active")
    campaign.target_segments.set([first, second])
    people = list(Candidate.objects.order_by("pk"))
    people[0].contact_allowed = False
    people[0].save()
    email_suppress(people[7].email.upper())  # another spelling of the same address

    count, sample = candidates_in_segments(segment_ids=[first.pk, second.pk], limit=20)
    batches = list(audience_batches(segment_ids=[first.pk, second.pk], batch_size=4))
    reached = [c.pk for batch in batches for c in batch]

    assert count == 9
    assert (
        [c.pk for c in sample]
        == reached
        == [c.pk for c in people if c.pk not in (people[0].pk, people[7].pk)]
    )
    assert [len(batch) for batch in batches] == [4, 4, 1]
    assert campaign_list().get(pk=campaign.pk).audience == 9
    assert campaign_get(pk=campaign.pk).audience == 9
    client.force_login(recruiter)
    page = client.get(reverse("campaign", args=[campaign.pk])).content.decode()
    assert '<dd id="campaign-audience">9</dd>' in page
    preview = client.get(reverse("campaign-audience-preview"), {"segments": [first.pk, second.pk]})
    assert 'data-count="9"' in preview.content.decode()


def test_suppressing_an_email_clears_consent_whatever_its_case_and_only_once(db):
    [segment] = make_run(active=True, sizes=[2])
    ann = Candidate.objects.order_by("pk").first()
    ann.email = "Ann.Lee@Example.org"
    ann.save()

    assert email_suppress("  ann.lee@example.ORG ") == 1
    assert email_suppress("ann.lee@example.org") == 0
    ann.refresh_from_db()
    assert ann.contact_allowed is False
    assert SuppressedEmail.objects.count() == 1
    # The list keeps no address, only a keyed hash.
    assert "ann" not in SuppressedEmail.objects.get().email_hash

    # Saving the candidate again (as the admin does) cannot give consent back.
    ann.contact_allowed = True
    ann.save()
    ann.refresh_from_db()
    assert ann.contact_allowed is False
    assert candidates_in_segments(segment_ids=[segment.pk], limit=5)[0] == 1


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_reads_the_optional_contact_allowed_column(tmp_path):
    text = (
        f"{HEADER},contact_allowed\n"
        "a1,Ann,ann@example.org,,,,,,,no\n"
        "a2,Bob,bob@example.org,,,,,,,YES\n"
        "a3,Cy,cy@example.org,,,,,,,\n"
        "a4,Di,di@example.org,,,,,,,maybe\n"
    )
    report = candidates_import_csv(path=write(tmp_path, text))

    consent = dict(Candidate.objects.values_list("external_id", "contact_allowed"))
    assert consent == {"a1": False, "a2": True, "a3": True}
    [error] = report.errors
    assert (error.line, error.column) == (5, "contact_allowed")
    assert "must be one of true, false, yes, no, 1, 0" in error.reason

    # A file without the column leaves consent as it is.
    candidates_import_csv(path=write(tmp_path, f"{HEADER}\na1,Ann,ann@example.org,,,,,,\n"))
    assert Candidate.objects.get(external_id="a1").contact_allowed is False


def test_a_reimport_cannot_bring_a_suppressed_email_back_and_an_erased_one_is_refused(tmp_path):
    email_suppress("ann@example.org")
    email_suppress("eve@example.org", reason=SuppressedEmail.Reason.ERASED)
    text = (
        f"{HEADER},contact_allowed\n"
        "a1,Ann,ANN@example.org,,,,,,,true\n"
        "e1,Eve,eve@example.org,,,,,,,true\n"
    )
    report = candidates_import_csv(path=write(tmp_path, text))

    assert Candidate.objects.get(external_id="a1").contact_allowed is False
    assert not Candidate.objects.filter(external_id="e1").exists()
    [error] = report.errors
    assert (error.line, error.column) == (3, "email")
    assert "erased at their request" in error.reason
    assert report.created == 1
