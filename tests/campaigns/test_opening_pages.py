"""Job openings created and edited on the app's pages, by a Recruiter who is not staff."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import Campaign, JobOpening
from tests.factories import JobOpeningFactory, SkillFactory
from tests.roles import role_group

pytestmark = pytest.mark.django_db

NEW = reverse("job-opening-create")


@pytest.fixture
def recruiter(django_user_model):
    user = django_user_model.objects.create_user("rita", "rita@example.org", "pw-rita-123!")
    user.groups.add(role_group("Recruiter"))
    assert not user.is_staff
    return user


def form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Platform engineer",
        "location": "Lisbon",
        "skills": "python; Docker",
        "min_years_experience": "4",
        "is_open": "on",
        "description": "Keep the lights on.",
        **overrides,
    }


def test_a_recruiter_creates_an_opening_and_closes_it_later(client, recruiter):
    python, docker = SkillFactory(name="Python"), SkillFactory(name="Docker")
    client.force_login(recruiter)
    listing = client.get(reverse("job-openings")).content.decode()
    assert f'href="{NEW}"' in listing and "/admin/" not in listing

    response = client.post(NEW, form())
    opening = JobOpening.objects.get()
    assert response.status_code == 302 and response.url == reverse("job-opening", args=[opening.pk])
    assert (opening.title, opening.location, opening.min_years_experience, opening.is_open) == (
        "Platform engineer",
        "Lisbon",
        4.0,
        True,
    )
    assert set(opening.required_skills.all()) == {python, docker}
    detail = client.get(response.url).content.decode()
    assert reverse("job-opening-edit", args=[opening.pk]) in detail and "/admin/" not in detail

    edit = reverse("job-opening-edit", args=[opening.pk])
    assert 'value="Docker; Python"' in client.get(edit).content.decode()
    client.post(edit, form(skills="Docker", min_years_experience="", is_open=""))
    opening.refresh_from_db()
    assert not opening.is_open and opening.min_years_experience is None
    assert list(opening.required_skills.all()) == [docker]
    listed = f'href="{reverse("job-opening", args=[opening.pk])}"'
    assert listed not in client.get(reverse("job-openings")).content.decode()
    closed = client.get(reverse("job-openings"), {"show": "closed"}).content.decode()
    assert listed in closed


def test_unknown_skills_and_bad_years_are_named_under_their_fields(client, recruiter):
    SkillFactory(name="Python")
    client.force_login(recruiter)
    page = client.post(NEW, form(skills="Python; Pyhton; Cobol", min_years_experience="99"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "No candidate lists “Pyhton”, “Cobol”: check the spelling, or leave it out." in html
    assert "Ensure this value is less than or equal to 80" in html
    assert not JobOpening.objects.exists()


def test_without_the_permissions_the_opening_forms_are_forbidden(client, django_user_model):
    opening = JobOpeningFactory()
    viewer = django_user_model.objects.create_user("v", "v@example.org", "pw-v-123!")
    viewer.user_permissions.add(Permission.objects.get(codename="view_jobopening"))
    client.force_login(viewer)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form()).status_code == 403
    edit = reverse("job-opening-edit", args=[opening.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form(title="Changed")).status_code == 403
    opening.refresh_from_db()
    assert opening.title != "Changed" and JobOpening.objects.count() == 1
    assert NEW not in client.get(reverse("job-openings")).content.decode()
    assert edit not in client.get(reverse("job-opening", args=[opening.pk])).content.decode()


def test_the_new_campaign_page_sends_a_recruiter_to_the_opening_form(client, recruiter):
    client.force_login(recruiter)
    html = client.get(reverse("campaign-create")).content.decode()
    assert f'href="{NEW}"' in html and "/admin/" not in html


def test_the_demo_ships_three_openings_and_a_campaign_once(planted):
    out = io.StringIO()
    call_command("demo_campaigns", stdout=out)
    assert out.getvalue() == "Added 3 demo job openings and 1 campaign.\n"
    assert JobOpening.objects.filter(is_open=True).count() == 3
    campaign = Campaign.objects.get()
    assert campaign.job_opening.title == "Senior back-end engineer"
    assert campaign.target_segments.exists()

    call_command("demo_campaigns", stdout=out)
    assert JobOpening.objects.count() == 3 and Campaign.objects.count() == 1
