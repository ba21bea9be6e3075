"""The job opening pages, segment suggestions on the campaign form, openings on candidate pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from campaigns.models import Campaign
from tests.campaigns.conftest import BACK_END, FRONT_END, opening_create
from tests.factories import CampaignFactory, JobOpeningFactory

pytestmark = pytest.mark.django_db

OPENINGS = reverse("job-openings")
CREATE = reverse("campaign-create")


def opening_url(opening) -> str:
    return reverse("job-opening", args=[opening.pk])


def suggestions_url(opening) -> str:
    return reverse("job-opening-suggested-segments", args=[opening.pk])


@pytest.fixture
def recruiter(django_user_model):
    user = django_user_model.objects.create_user("recruiter", password="pw-recruiter-123!")
    user.groups.add(Group.objects.get(name="Recruiter"))
    return user


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


def user_with(django_user_model, *codenames: str):
    user = django_user_model.objects.create_user("limited", password="pw-limited-123!")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def checked_segments(html: str) -> set[int]:
    return {
        int(value)
        for value in re.findall(
            r'<input type="checkbox" name="target_segments" value="(\d+)"[^>]*checked', html
        )
    }


# Who may see what


@pytest.mark.parametrize("name", ["job-openings", "job-opening", "job-opening-suggested-segments"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    url = reverse(name) if name == "job-openings" else reverse(name, args=[1])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_without_view_permission_the_opening_pages_are_refused(client, django_user_model):
    opening = JobOpeningFactory()
    client.force_login(user_with(django_user_model, "view_campaign", "view_candidate"))

    assert client.get(OPENINGS).status_code == 403
    assert client.get(opening_url(opening)).status_code == 403
    assert "Openings</a>" not in client.get(reverse("campaigns")).content.decode()


def test_suggestions_need_the_right_to_create_campaigns(client, django_user_model, backend_opening):
    client.force_login(user_with(django_user_model, "view_jobopening", "view_campaign"))

    assert client.get(opening_url(backend_opening)).status_code == 200
    assert client.get(suggestions_url(backend_opening)).status_code == 403


def test_an_unknown_opening_is_not_found(recruiter_client):
    assert recruiter_client.get(reverse("job-opening", args=[999])).status_code == 404
    assert (
        recruiter_client.get(reverse("job-opening-suggested-segments", args=[999])).status_code
        == 404
    )


# The list


def test_the_list_shows_open_openings_with_their_skills_and_campaigns(recruiter_client):
    backend = opening_create(
        "Back-end engineer", ["Python", "PostgreSQL"], location="Berlin", min_years=5
    )
    CampaignFactory.create_batch(2, job_opening=backend)
    opening_create("Old role", ["Python"], is_open=False)

    html = recruiter_client.get(OPENINGS).content.decode()

    row = html[html.index("Back-end engineer") :].split("</tr>")[0]
    assert f'href="{opening_url(backend)}"' in html
    assert "<td>Berlin</td>" in row and "PostgreSQL, Python" in row
    assert '<td class="num">5</td>' in row and '<td class="num">2</td>' in row
    assert "Old role" not in html
    assert f'<a href="{OPENINGS}" aria-current="page">Openings</a>' in html


def test_the_list_says_when_no_opening_is_open(recruiter_client):
    opening_create("Old role", ["Python"], is_open=False)
    assert "No job opening is open." in recruiter_client.get(OPENINGS).content.decode()


# One opening


def test_the_page_ranks_the_back_end_segment_and_its_developers_first(
    recruiter_client, planted, backend_opening
):
    campaign = CampaignFactory(name="Berlin push", job_opening=backend_opening)

    response = recruiter_client.get(opening_url(backend_opening))

    html = response.content.decode()
    assert "Senior back-end engineer" in html and "5+ years" in html
    assert "Required skills:\n    PostgreSQL, Python" in html
    segments = html[html.index('id="segment-fits"') :].split("</table>")[0]
    first_row = segments.split("<tbody>")[1].split("</tr>")[0]
    back_end = planted.segments[BACK_END]
    assert reverse("segment", args=[back_end.pk]) in first_row
    assert "100% in Berlin" in first_row
    candidates = html[html.index('id="candidate-fits"') :].split("</table>")[0]
    names = re.findall(r'<a href="/candidates/\d+/">([^<]+)</a>', candidates)
    assert len(names) == 20
    assert set(names) <= {candidate.name for candidate in planted.group(BACK_END)}
    assert "2 of 2 skills (PostgreSQL, Python)" in candidates
    assert f'href="{reverse("campaign", args=[campaign.pk])}">Berlin push</a>' in html
    assert f'href="{CREATE}?job_opening={backend_opening.pk}"' in html


def test_a_viewer_without_candidate_rights_sees_segments_but_no_candidates(
    client, django_user_model, planted, backend_opening
):
    client.force_login(user_with(django_user_model, "view_jobopening"))

    html = client.get(opening_url(backend_opening)).content.decode()

    assert 'id="segment-fits"' in html
    assert planted.segments[BACK_END].name in html
    assert 'id="opening-candidates"' not in html
    assert "/candidates/" not in html.split("<main ")[1]
    assert 'id="opening-campaigns"' not in html  # nor campaigns
    assert "New campaign for this opening" not in html


def test_an_opening_without_required_skills_says_why_nothing_is_recommended(
    recruiter_client, planted
):
    opening = opening_create("Office manager", [], location="Berlin")

    html = recruiter_client.get(opening_url(opening)).content.decode()

    assert "This opening lists no required skills" in html
    assert 'id="segment-fits"' not in html and 'id="candidate-fits"' not in html
    assert "No campaign advertises this opening yet." in html


def test_without_a_segmentation_candidates_are_still_recommended(
    recruiter_client, planted, backend_opening
):
    from segmentation.models import SegmentationRun

    SegmentationRun.objects.update(is_active=False)

    html = recruiter_client.get(opening_url(backend_opening)).content.decode()

    assert "No segmentation is active yet" in html
    assert 'id="candidate-fits"' in html and "no segment fit" in html


def test_a_closed_opening_still_shows_but_offers_no_new_campaign(recruiter_client, planted):
    opening = opening_create("Filled role", ["Python"], is_open=False)

    html = recruiter_client.get(opening_url(opening)).content.decode()

    assert 'id="opening-closed"' in html
    assert "New campaign for this opening" not in html


def test_everything_the_recruiter_typed_is_escaped(recruiter_client, planted):
    opening = opening_create(
        "<script>alert('title')</script>",
        ["<img src=x onerror=alert(1)>", "Python"],
        location="<b>Berlin</b>",
        description="<i>Great</i> team",
    )
    html = recruiter_client.get(opening_url(opening)).content.decode()
    fragment = recruiter_client.get(suggestions_url(opening)).content.decode()
    listing = recruiter_client.get(OPENINGS).content.decode()

    for page in (html, fragment, listing):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b>Berlin" not in page
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;i&gt;Great&lt;/i&gt; team" in html
    assert "in &lt;b&gt;Berlin&lt;/b&gt;" in html


# Suggestions on the new-campaign form


def test_the_suggestion_fragment_names_the_back_end_segment_and_its_fit(
    recruiter_client, planted, backend_opening
):
    response = recruiter_client.get(suggestions_url(backend_opening))

    assert response.status_code == 200
    html = response.content.decode()
    back_end = planted.segments[BACK_END]
    assert f'data-segment-ids="{back_end.pk}"' in html
    assert f"<strong>{back_end.name}</strong> (fit 0." in html
    assert "Tick suggested segments" in html
    assert planted.segments[FRONT_END].name not in html


def test_the_fragment_says_when_nothing_can_be_suggested(recruiter_client, planted):
    bare = opening_create("Office manager", [])
    unknown_skill = opening_create("COBOL maintainer", ["COBOL"])

    assert (
        "lists no required skills" in recruiter_client.get(suggestions_url(bare)).content.decode()
    )
    html = recruiter_client.get(suggestions_url(unknown_skill)).content.decode()
    assert "No segment fits “COBOL maintainer” well: the best" in html
    assert "Tick suggested segments" not in html


def test_coming_from_an_opening_the_form_has_it_chosen_with_its_suggestions(
    recruiter_client, planted, backend_opening
):
    html = recruiter_client.get(CREATE, {"job_opening": backend_opening.pk}).content.decode()

    assert re.search(rf'<option value="{backend_opening.pk}" selected>', html)
    assert f'data-segment-ids="{planted.segments[BACK_END].pk}"' in html
    assert checked_segments(html) == set()  # suggested, not ticked


def test_without_javascript_the_tick_button_comes_back_with_the_segments_ticked(
    recruiter_client, planted, backend_opening
):
    front_end = planted.segments[FRONT_END]
    response = recruiter_client.post(
        CREATE,
        {
            "name": "Spring hiring",
            "job_opening": backend_opening.pk,
            "target_segments": [front_end.pk],
            "start_date": "2026-03-01",
            "budget": "0",
            "status": "draft",
            "tick_suggested": "1",
        },
    )

    html = response.content.decode()
    back_end = planted.segments[BACK_END]
    assert checked_segments(html) == {front_end.pk, back_end.pk}
    expected = front_end.size + back_end.size
    assert f'data-count="{expected}"' in html  # the audience preview follows
    assert 'value="Spring hiring"' in html
    assert not Campaign.objects.exists()


def test_preview_without_javascript_shows_the_suggestions_too(
    recruiter_client, planted, backend_opening
):
    response = recruiter_client.post(
        CREATE, {"name": "x", "job_opening": backend_opening.pk, "preview": "1"}
    )
    assert f'data-segment-ids="{planted.segments[BACK_END].pk}"' in response.content.decode()


def test_a_form_without_an_opening_chosen_suggests_nothing(
    recruiter_client, planted, backend_opening
):
    html = recruiter_client.get(CREATE, {"job_opening": "not-a-number"}).content.decode()
    assert 'id="segment-suggestions"' in html
    assert "Suggested for" not in html and "data-segment-ids" not in html
    assert "adflux/segment-suggestions.js" in html


# Openings on a candidate's page


def test_a_candidate_page_lists_the_open_openings_that_fit(
    recruiter_client, planted, backend_opening
):
    opening_create(
        "Closed back-end role", ["Python", "PostgreSQL"], location="Berlin", is_open=False
    )
    opening_create("Front-end developer", ["React"], location="Lisbon")
    candidate = planted.group(BACK_END)[0]

    html = recruiter_client.get(reverse("candidate", args=[candidate.pk])).content.decode()

    section = html[html.index('id="candidate-openings"') :].split("</section>")[0]
    assert f'href="{opening_url(backend_opening)}">Senior back-end engineer</a>' in section
    assert "Closed back-end role" not in section
    assert "Front-end developer" not in section
    assert "meets 5+; in Berlin" in section


def test_a_candidate_page_says_when_no_opening_fits(recruiter_client, planted):
    opening_create("COBOL maintainer", ["COBOL"])
    candidate = planted.group(FRONT_END)[0]

    html = recruiter_client.get(reverse("candidate", args=[candidate.pk])).content.decode()

    assert "No open job opening asks for a skill this candidate has." in html


def test_a_candidate_page_leaves_openings_out_for_who_may_not_see_them(
    client, django_user_model, planted, backend_opening
):
    client.force_login(user_with(django_user_model, "view_candidate"))
    candidate = planted.group(BACK_END)[0]

    html = client.get(reverse("candidate", args=[candidate.pk])).content.decode()

    assert candidate.name in html
    assert 'id="candidate-openings"' not in html
