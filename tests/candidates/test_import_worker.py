"""An upload is imported by the real background worker (``manage.py db_worker``), and the
imported candidates get their segments under the active run as they are written."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.csv_format import COLUMNS
from candidates.models import Candidate, CandidateImport
from tests.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_imports_an_upload_and_reports_its_counts(client, worker, django_user_model):
    user = django_user_model.objects.create_user("imp", "imp@example.org", "pw-imp-123!")
    user.user_permissions.add(Permission.objects.get(codename="add_candidate"))
    client.force_login(user)
    rows = "".join(f"e{i},Person {i},p{i}@example.org,Rome,,{i},,,\n" for i in range(12))
    body = f"{','.join(COLUMNS)}\n{rows}e99,Bad,p99@example.org,Rome,,200,,,\n"
    client.post(
        reverse("candidate-import"),
        {"file": SimpleUploadedFile("w.csv", body.encode(), content_type="text/csv")},
    )
    job = CandidateImport.objects.get()

    def finished() -> bool:
        job.refresh_from_db()
        return not job.in_progress

    wait_for(finished, timeout=60, what="the import to finish", worker=worker)
    assert (job.status, job.created, job.rejected) == ("succeeded", 12, 1)
    assert job.errors_shown == ["line 14, years_experience: must be between 0 and 80 (got '200')"]
    assert Candidate.objects.count() == 12
    status = client.get(reverse("candidate-import-status", args=[job.pk])).json()
    assert (status["status"], status["in_progress"], status["progress"]) == ("succeeded", False, 1)
