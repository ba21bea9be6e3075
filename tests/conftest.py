"""Shared fixtures: every test gets its own model directory; users with and without rights."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    """Trained models go to a per-test folder, never the developer's var/models."""
    settings.ADFLUX_MODEL_DIR = tmp_path / "models"
    return settings.ADFLUX_MODEL_DIR


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploaded files go to a per-test folder, never the developer's var/uploads."""
    settings.ADFLUX_UPLOAD_DIR = tmp_path / "uploads"
    return settings.ADFLUX_UPLOAD_DIR


@pytest.fixture(autouse=True)
def quiet_heartbeat(settings):
    """Jobs run in the test's own process beat rarely.

    Their heartbeat thread has its own connection; on SQLite its write would wait for the
    test's open transaction (tests run inside one) until the job ends. Jobs in the real worker
    process (the ``worker`` fixture) beat every 0.2 s.
    """
    settings.ADFLUX_JOB_HEARTBEAT_SECONDS = 600


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (the location suggestions live there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123!")


@pytest.fixture
def trainer(django_user_model):
    """Staff who may view everything and also train, assign and activate."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "trainer", "trainer@example.org", "pw-trainer-123!", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_")
        | Permission.objects.filter(
            codename__in=["train_segmentation", "activate_segmentation"]
        )
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
    from segmentation.services.model_cache import active_model_forget

    active_model_forget()
    yield
    active_model_forget()


@pytest.fixture
def worker(transactional_db, model_dir, tmp_path, settings):
    """A real ``db_worker`` process on the test database (heartbeat every 0.2 s)."""
    from tests.worker import Worker

    settings.ADFLUX_JOB_HEARTBEAT_SECONDS = 0.2
    settings.ADFLUX_JOB_TIMEOUT_SECONDS = 3
    model_dir.mkdir(parents=True, exist_ok=True)
    process = Worker(tmp_path / "worker.log", heartbeat=0.2, timeout=3)
    yield process
    process.stop()


@pytest.fixture
def smtp_server(tmp_path, settings):
    """A real SMTP server process (aiosmtpd) that Django's email goes to in this test."""
    from tests.mail import SmtpServer

    server = SmtpServer(tmp_path / "mailbox")
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()
