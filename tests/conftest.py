"""Shared fixtures: every test gets its own model directory; users with and without rights."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    """Trained models go to a per-test folder, never the developer's var/models."""
    settings.ADFLUX_MODEL_DIR = tmp_path / "models"
    return settings.ADFLUX_MODEL_DIR


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123!")


@pytest.fixture
def trainer(django_user_model):
    """Staff who may view everything and also train and assign."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "trainer", "trainer@example.org", "pw-trainer-123!", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_")
        | Permission.objects.filter(codename__in=["train_segmentation", "assign_segments"])
    )
    return user


@pytest.fixture
def staff_user(django_user_model):
    """Staff who may log in to the admin and view everything, but hold no action rights."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "viewer", "viewer@example.org", "pw-viewer-123!", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.fixture(autouse=True)
def fresh_active_model_cache():
    """Each test starts with no model cached in the process, as a new worker would."""
    from segmentation.active_model import active_model_forget

    active_model_forget()
    yield
    active_model_forget()
