"""The permission backend: the same rights as Django's own, read in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _fresh(user):
    # A new request loads the user anew: no permissions cached on the object.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def mixed_user(django_user_model):
    """Rights from a group and one of their own, and one from a second group."""
    user = django_user_model.objects.create_user("mixed", password="pw-mixed-123!")
    user.groups.add(Group.objects.get(name="Recruiter"))
    extra = Group.objects.create(name="Exporters")
    extra.permissions.add(Permission.objects.get(codename="change_segment"))
    user.groups.add(extra)
    user.user_permissions.add(Permission.objects.get(codename="train_segmentation"))
    return user


def test_rights_are_the_same_as_django_s_own_backend(mixed_user, django_user_model):
    ours = _fresh(mixed_user).get_all_permissions()
    theirs = ModelBackend().get_all_permissions(_fresh(mixed_user))
    assert ours == theirs
    assert {"segmentation.train_segmentation", "segmentation.change_segment"} <= ours
    assert "campaigns.add_campaign" in ours  # from the Recruiter group
    assert "segmentation.activate_segmentation" not in ours

    boss = django_user_model.objects.create_superuser("boss", password="pw-boss-123!")
    assert _fresh(boss).get_all_permissions() == ModelBackend().get_all_permissions(_fresh(boss))


def test_one_query_then_none_for_the_rest_of_the_request(mixed_user):
    user = _fresh(mixed_user)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("segmentation.train_segmentation")
        assert user.has_perm("campaigns.add_campaign")
        assert not user.has_perm("audit.view_auditentry_nope")
    assert len(queries) == 1


def test_an_inactive_user_or_a_removed_right_gives_nothing(mixed_user, client):
    client.force_login(mixed_user)
    assert client.get(reverse("segments")).status_code == 200
    mixed_user.groups.clear()
    mixed_user.user_permissions.clear()
    # The next request reads the rights again: the page is refused at once.
    assert client.get(reverse("segments")).status_code == 403
    mixed_user.groups.add(Group.objects.get(name="Recruiter"))
    mixed_user.is_active = False
    mixed_user.save()
    assert _fresh(mixed_user).get_all_permissions() == set()
