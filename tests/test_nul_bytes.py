"""A NUL character in a filter or search is a clear 400 on both databases, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (reverse("admin:candidates_candidate_changelist"), {"location": "\x00"}),
        (reverse("admin:candidates_candidate_changelist"), {"q": "Ber\x00lin"}),
        (
            reverse("admin:autocomplete"),
            {
                "term": "\x00",
                "app_label": "campaigns",
                "model_name": "jobopening",
                "field_name": "required_skills",
            },
        ),
        (reverse("candidates"), {"location": "\x00"}),
    ],
)
def test_a_nul_in_the_address_is_refused_with_a_reason(client, superuser, url, query):
    CandidateFactory(location="Berlin")
    client.force_login(superuser)
    response = client.get(url, query)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_form_is_refused_and_changes_nothing(client, superuser):
    candidate = CandidateFactory(name="Ada")
    client.force_login(superuser)
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    response = client.post(url, {"name": "Ada\x00Lovelace"})
    assert response.status_code == 400
    candidate.refresh_from_db()
    assert candidate.name == "Ada"
