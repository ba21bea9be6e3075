"""The candidate list and detail pages, as a logged-in recruiter sees them."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from candidates.models import Candidate
from segmentation.models import Segment, SegmentationRun
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import segment_of
from tests.factories import CandidateFactory
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles

pytestmark = pytest.mark.django_db

LIST_URL = reverse("candidates")
INVALID_FILTERS = "Some filters are not valid"


def _profile(location: str, skill: str, size: int) -> dict:
    """A segment profile shaped as segmentation.ml.explain writes it."""
    return {
        "size": size,
        "share": 0.5,
        "years_experience": {"mean": 6.5, "median": 6.0, "known": size},
        "desired_salary": {"mean": 61000.0, "median": 60000.0, "known": size},
        "top_location": [[location, size, 1.0, 0.5]],
        "top_education_level": [["master", size, 1.0, 0.5]],
        "top_primary_skill": [["Data scientist", size, 1.0, 0.5]],
        "top_skills": [[skill, size, 1.0, 0.5]],
    }


def _run(*, active: bool, names: list[str]) -> list[Segment]:
    run = SegmentationRun.objects.create(
        status=SegmentationRun.Status.TRAINED,
        is_active=active,
        n_clusters=len(names),
        pool_profile=_profile("Berlin", "Python", 10) | {"share": 1.0},
    )
    return [
        Segment.objects.create(
            run=run, number=number, name=name, size=3, profile=_profile("Berlin", "Python", 3)
        )
        for number, name in enumerate(names)
    ]


@pytest.fixture
def segments() -> list[Segment]:
    """Two segments of the active run."""
    return _run(active=True, names=["Backend people", "Data people"])


@pytest.fixture
def viewer_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _names(response) -> list[str]:
    """Candidate names in the result table, in page order (as the HTML shows them)."""
    html = response.content.decode()
    table = re.search(r'<table id="candidate-table">.*?</table>', html, re.S)
    if table is None:
        return []
    return re.findall(r'<a href="/candidates/\d+/">(.*?)</a>', table.group(0))


def _next_link(response) -> str | None:
    match = re.search(r'<a href="([^"]*)" rel="next" id="next-page">', response.content.decode())
    return match.group(1).replace("&amp;", "&") if match else None


# Access


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    candidate = CandidateFactory()
    for url in (LIST_URL, reverse("candidate", args=[candidate.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_the_view_permission_is_refused(client, django_user_model):
    candidate = CandidateFactory(name="Ada Lovelace")
    user = django_user_model.objects.create_user("nobody", password="pw-nobody-123!")
    client.force_login(user)
    for url in (LIST_URL, reverse("candidate", args=[candidate.pk])):
        response = client.get(url)
        assert response.status_code == 403
        assert b"Ada Lovelace" not in response.content


def test_a_user_who_may_view_candidates_but_not_segments_sees_the_segment_unlinked(
    client, django_user_model, segments
):
    CandidateFactory(name="Ada", segment=segments[0])
    user = django_user_model.objects.create_user("recruiter", password="pw-recruiter-123!")
    user.user_permissions.add(Permission.objects.get(codename="view_candidate"))
    client.force_login(user)
    html = client.get(LIST_URL).content.decode()
    assert "Backend people" in html
    assert reverse("segment", args=[segments[0].pk]) not in html


# The list and its filters


def test_the_list_shows_each_candidates_columns_and_links(viewer_client, segments):
    candidate = CandidateFactory(
        name="Ada Lovelace",
        location="London",
        education_level="doctorate",
        years_experience=12.5,
        desired_salary=95000,
        primary_skill="Data scientist",
        segment=segments[1],
    )
    response = viewer_client.get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page">Candidates' in html
    row = re.search(r"<tr>\s*<td><a[^>]*>Ada Lovelace</a>.*?</tr>", html, re.S).group(0)
    assert f'href="{reverse("candidate", args=[candidate.pk])}"' in row
    for text in ("London", "Doctorate", "12.5", "95,000", "Data scientist", "Data people"):
        assert text in row
    assert f'href="{reverse("segment", args=[segments[1].pk])}"' in row


def test_filtering_by_segment_shows_its_members_and_its_size(viewer_client, segments):
    CandidateFactory(name="Backend Bo", segment=segments[0])
    CandidateFactory(name="Data Di", segment=segments[1])
    CandidateFactory(name="Nowhere Nu", segment=None)
    response = viewer_client.get(LIST_URL, {"segment": segments[1].pk})
    assert _names(response) == ["Data Di"]
    # The count comes from the segment's recorded size, not from counting rows.
    assert _summary(response).startswith("3 candidates match.")


def test_filtering_by_no_segment_shows_the_unassigned(viewer_client, segments):
    CandidateFactory(name="Backend Bo", segment=segments[0])
    CandidateFactory(name="Nowhere Nu", segment=None)
    assert _names(viewer_client.get(LIST_URL, {"segment": "none"})) == ["Nowhere Nu"]


def test_filtering_by_location_matches_the_whole_name_in_any_case(viewer_client):
    CandidateFactory(name="In Berlin", location="Berlin")
    CandidateFactory(name="In Bern", location="Bern")
    CandidateFactory(name="In Berlin Mitte", location="Berlin Mitte")
    assert _names(viewer_client.get(LIST_URL, {"location": " bERLIN "})) == ["In Berlin"]


def test_filtering_by_education_level(viewer_client):
    CandidateFactory(name="Master Mo", education_level="master")
    CandidateFactory(name="Bachelor Bea", education_level="bachelor")
    CandidateFactory(name="Unknown Una", education_level="")
    assert _names(viewer_client.get(LIST_URL, {"education_level": "master"})) == ["Master Mo"]


def test_filtering_by_skill_matches_the_skill_name_in_any_case(viewer_client):
    CandidateFactory(name="Pythonista", skill_names=["Python", "SQL"])
    CandidateFactory(name="Rubyist", skill_names=["Ruby"])
    CandidateFactory(name="No skills")
    assert _names(viewer_client.get(LIST_URL, {"skill": "PYTHON"})) == ["Pythonista"]


def test_filtering_by_a_common_skill_gives_the_same_answer(viewer_client, monkeypatch):
    # Skills with many holders are checked per candidate instead of listed: same result.
    monkeypatch.setattr("segmentation.selectors.candidates.SKILL_HOLDERS_LISTED_BELOW", 1)
    CandidateFactory(name="Pythonista", skill_names=["Python"])
    CandidateFactory(name="Rubyist", skill_names=["Ruby"])
    assert _names(viewer_client.get(LIST_URL, {"skill": "python"})) == ["Pythonista"]


def test_filtering_by_years_of_experience_includes_both_bounds(viewer_client):
    for years in (1.0, 3.0, 4.5, 6.0, 9.0):
        CandidateFactory(name=f"Years {years:g}", years_experience=years)
    CandidateFactory(name="Years unknown", years_experience=None)
    response = viewer_client.get(LIST_URL, {"min_years": "3", "max_years": "6"})
    assert _names(response) == ["Years 3", "Years 4.5", "Years 6"]
    assert _names(viewer_client.get(LIST_URL, {"min_years": "6"})) == ["Years 6", "Years 9"]
    assert _names(viewer_client.get(LIST_URL, {"max_years": "1"})) == ["Years 1"]


def test_filtering_by_email_finds_the_one_address_in_any_case(viewer_client):
    CandidateFactory(name="Ada", email="ada@example.org")
    CandidateFactory(name="Adam", email="adam@example.org")
    assert _names(viewer_client.get(LIST_URL, {"email": "ADA@Example.org"})) == ["Ada"]


def test_filters_combine(viewer_client, segments):
    CandidateFactory(name="Match", location="Berlin", segment=segments[0], skill_names=["Go"])
    CandidateFactory(name="Wrong place", location="Paris", segment=segments[0], skill_names=["Go"])
    CandidateFactory(name="Wrong skill", location="Berlin", segment=segments[0])
    CandidateFactory(name="Wrong segment", location="Berlin", segment=segments[1])
    response = viewer_client.get(
        LIST_URL, {"segment": segments[0].pk, "location": "berlin", "skill": "go"}
    )
    assert _names(response) == ["Match"]
    # Counted: the segment's size is not this list's count.
    assert _summary(response) == "1 candidate matches."


def test_no_match_says_so(viewer_client):
    CandidateFactory(location="Berlin")
    response = viewer_client.get(LIST_URL, {"location": "Atlantis"})
    assert _names(response) == []
    assert "No candidates match these filters." in response.content.decode()


def test_location_suggestions_are_the_commonest_locations_first(viewer_client):
    for location, count in (("Lisbon", 1), ("Berlin", 3), ("Paris", 2), ("", 4)):
        CandidateFactory.create_batch(count, location=location)
    html = viewer_client.get(LIST_URL).content.decode()
    assert 'list="location-suggestions"' in html
    datalist = re.search(r'<datalist id="location-suggestions">(.*?)</datalist>', html, re.S)
    assert re.findall(r'<option value="([^"]*)">', datalist.group(1)) == [
        "Berlin",
        "Paris",
        "Lisbon",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_years": "abc"}, "Enter a number."),
        ({"max_years": "-1"}, "greater than or equal to 0"),
        ({"min_years": "7", "max_years": "3"}, "Must not be less than “Years from”."),
        ({"segment": "999999"}, "Select a valid choice."),
        ({"education_level": "wizard"}, "Select a valid choice."),
        ({"skill": "Cobol"}, "No skill is called “Cobol”."),
        ({"after": "abc"}, "The page link is not valid"),
        ({"after": str(2**64)}, "The page link is not valid"),
    ],
)
def test_an_invalid_filter_shows_an_error_and_no_candidates(viewer_client, params, message):
    CandidateFactory(name="Ada", skill_names=["Python"])
    response = viewer_client.get(LIST_URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="filter-errors"' in html
    assert _names(response) == []


def test_a_segment_of_an_inactive_run_is_not_a_valid_choice(viewer_client, segments):
    old = _run(active=False, names=["Old segment"])[0]
    CandidateFactory(name="Ada", segment=segments[0])
    response = viewer_client.get(LIST_URL, {"segment": old.pk})
    html = response.content.decode()
    assert "Select a valid choice." in html and INVALID_FILTERS in html
    assert "Old segment" not in html
    assert _names(response) == []


# Pages


def test_pages_follow_each_other_by_id_without_overlap(viewer_client):
    for i in range(60):
        CandidateFactory(name=f"Person {i:02d}")
    first = viewer_client.get(LIST_URL)
    assert _names(first) == [f"Person {i:02d}" for i in range(50)]
    assert _summary(first) == "60 candidates match. Showing 50 a page."
    assert 'id="first-page"' not in first.content.decode()

    second = viewer_client.get(LIST_URL + _next_link(first))
    assert _names(second) == [f"Person {i:02d}" for i in range(50, 60)]
    assert _next_link(second) is None
    html = second.content.decode()
    assert _summary(second) == "60 candidates match. Showing the last 10."
    assert re.search(r'<a href="\?" id="first-page">', html)


def test_a_page_costs_the_same_few_queries_however_many_candidates(
    viewer_client, segments, django_assert_max_num_queries
):
    for i in range(60):
        CandidateFactory(segment=segments[i % 2], skill_names=["Python"])
    # Session, user, two permission reads, the segments for the form, the page, the page's rows
    # of the active run (segments live in their own table): no per-row query. Then the count of
    # matches: the first and last ids, and one count (on a large table, one per sample slice:
    # SAMPLE_SLICES, whatever the size); and the location suggestions (cached after this).
    with django_assert_max_num_queries(7 + 3 + 1):
        response = viewer_client.get(LIST_URL)
    assert len(_names(response)) == 50
    detail_url = reverse("candidate", args=[Candidate.objects.first().pk])
    # Session, user, two permission reads, the candidate, its row of the active run with segment
    # and run, the skills, the open job openings (none here; campaigns/recommendations/: a fixed
    # few more when there are).
    with django_assert_max_num_queries(8):
        response = viewer_client.get(detail_url)
    assert "Python" in response.content.decode()


def test_the_next_page_keeps_the_filters(viewer_client):
    for i in range(55):
        CandidateFactory(name=f"Berliner {i:02d}", location="Berlin")
        CandidateFactory(name=f"Parisian {i:02d}", location="Paris")
    first = viewer_client.get(LIST_URL, {"location": "Berlin"})
    link = _next_link(first)
    assert "location=Berlin" in link
    second = viewer_client.get(LIST_URL + link)
    assert _names(second) == [f"Berliner {i:02d}" for i in range(50, 55)]


def test_a_page_past_the_end_says_there_are_no_more(viewer_client):
    last = CandidateFactory()
    response = viewer_client.get(LIST_URL, {"after": last.pk})
    assert _names(response) == []
    assert "No more candidates match these filters." in response.content.decode()


# Empty states


def test_with_no_candidates_the_page_says_how_to_get_some(viewer_client):
    html = viewer_client.get(LIST_URL).content.decode()
    assert "There are no candidates yet." in html
    # A viewer cannot import: told who can, never sent to a shell or a page they may not open.
    assert "a Data admin) can import them from a CSV file" in html
    assert "manage.py" not in html and "/candidates/import/" not in html
    assert 'id="candidate-table"' not in html


def test_without_an_active_model_the_segment_filter_says_so(viewer_client):
    _run(active=False, names=["Trained, never applied"])
    CandidateFactory(name="Ada")
    html = viewer_client.get(LIST_URL).content.decode()
    assert "No segmentation model is active yet." in html
    assert "Trained, never applied" not in html
    assert '<option value="none">' not in html


# The detail page


def test_the_detail_page_shows_the_profile_skills_and_segment(viewer_client, segments):
    candidate = CandidateFactory(
        name="Ada Lovelace",
        email="ada@example.org",
        location="London",
        education_level="master",
        years_experience=7.0,
        desired_salary=82000,
        primary_skill="Data scientist",
        segment=segments[1],
        skill_names=["SQL", "Python"],
    )
    response = viewer_client.get(reverse("candidate", args=[candidate.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="candidate-name">Ada Lovelace</h1>' in html
    for text in ("ada@example.org", "London", "Master&#x27;s degree", "82,000", "Data scientist"):
        assert text in html
    assert re.search(r"<li>Python</li>\s*<li>SQL</li>", html)  # skills in name order
    assert f'<a href="{reverse("segment", args=[segments[1].pk])}" id="segment-link">' in html
    assert "Data people" in html
    profile = re.search(r'<table id="segment-profile">.*?</table>', html, re.S).group(0)
    assert "Skills: Python" in profile and "Location: Berlin" in profile


def test_the_detail_page_of_an_unassigned_candidate_says_so(viewer_client):
    candidate = CandidateFactory(segment=None, years_experience=None, desired_salary=None)
    html = viewer_client.get(reverse("candidate", args=[candidate.pk])).content.decode()
    assert "Not assigned to a segment yet." in html
    assert "No skills listed." in html


def test_an_unknown_candidate_is_not_found(viewer_client):
    assert viewer_client.get(reverse("candidate", args=[999999])).status_code == 404


def test_segments_from_a_real_training_show_on_both_pages(viewer_client):
    ids = store_profiles(make_profiles(30, seed=5)[0])
    segmentation_activate(run=segmentation_train(n_clusters=3))
    candidate = Candidate.objects.get(pk=ids[0])
    candidate.segment = segment_of(candidate)
    listed = viewer_client.get(LIST_URL, {"segment": candidate.segment.pk})
    assert candidate.name in _names(listed)
    assert _summary(listed).startswith(f"{candidate.segment.size} candidates match.")
    html = viewer_client.get(reverse("candidate", args=[candidate.pk])).content.decode()
    assert candidate.segment.name in html
    assert "Years of experience (median)" in html


# Escaping


def test_html_in_candidate_data_is_shown_as_text(viewer_client, segments):
    segments[0].name = "<b>bold</b> segment"
    segments[0].save()
    candidate = CandidateFactory(
        name="<script>alert(1)</script>",
        location="<i>Town</i>",
        segment=segments[0],
        skill_names=["<img src=x onerror=alert(2)>"],
    )
    for url in (LIST_URL, reverse("candidate", args=[candidate.pk])):
        html = viewer_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<i>Town</i>" not in html and "&lt;i&gt;Town&lt;/i&gt;" in html
        assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; segment" in html
    detail = viewer_client.get(reverse("candidate", args=[candidate.pk])).content.decode()
    assert "<img src=x" not in detail and "&lt;img src=x onerror=alert(2)&gt;" in detail


def _summary(response) -> str:
    """The line above the list (count and paging), as words."""
    found = re.search(r'<p id="result-summary">(.*?)</p>', response.content.decode(), re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def test_each_filter_error_sits_under_its_own_field(viewer_client):
    CandidateFactory()
    page = viewer_client.get(LIST_URL, {"min_years": "abc", "skill": "Nonesuch"}).content.decode()
    for name, message in (("min_years", "Enter a number."), ("skill", "No skill is called")):
        # The field's own paragraph: its label, the input, then the error, before the next field.
        paragraph = re.search(rf'<p>\s*<label for="id_{name}">.*?</p>', page, re.S).group(0)
        error = rf'name="{name}"[^>]*>\s*<ul class="errorlist"[^>]*>\s*<li>{message}'
        assert re.search(error, paragraph)
        assert 'aria-invalid="true"' in paragraph


def test_the_total_of_matches_is_counted_exactly_when_small(viewer_client):
    for i in range(55):
        CandidateFactory(location="Berlin" if i % 5 else "Paris")
    first = viewer_client.get(LIST_URL, {"location": "berlin"})
    assert _summary(first) == "44 candidates match."
    everyone = viewer_client.get(LIST_URL)
    assert _summary(everyone) == "55 candidates match. Showing 50 a page."
