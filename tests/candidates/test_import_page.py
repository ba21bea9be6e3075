"""The import page: an uploaded CSV is stored on disk, imported by the worker's task, and its
rejected rows are offered as the same errors CSV ``import_candidates --errors-csv`` writes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from candidates.csv_format import COLUMNS
from candidates.import_jobs.execute import candidate_import_execute
from candidates.models import Candidate, CandidateImport

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
# Two good rows, a negative salary on line 3 and an unknown education level on line 5.
PLANTED = (
    f"{HEADER}\n"
    "a1,Ada,ada@example.org,Berlin,master,5,60000,Python,Python;SQL\n"
    "b2,Bob,bob@example.org,Paris,bachelor,3,-5,Java,Java\n"
    "c3,Cy,cy@example.org,Rome,,,,,\n"
    "d4,Di,di@example.org,Oslo,wizard,2,,Go,Go\n"
)


@pytest.fixture
def importer(django_user_model):
    user = django_user_model.objects.create_user("importer", "i@example.org", "pw-import-123!")
    user.user_permissions.add(Permission.objects.get(codename="add_candidate"))
    return user


def upload(client, text: str, name: str = "people.csv", **extra: str):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("candidate-import"), {"file": file, **extra})


def test_an_upload_is_stored_on_disk_and_queued_until_the_worker_runs_it(
    client, importer, upload_dir
):
    client.force_login(importer)
    response = upload(client, PLANTED)

    job = CandidateImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("candidate-import-detail", args=[job.pk])
    assert job.status == CandidateImport.Status.QUEUED and job.task_id
    assert Path(job.file_path).parent == upload_dir.resolve()
    assert Path(job.file_path).read_text(encoding="utf-8") == PLANTED
    assert Candidate.objects.count() == 0  # nothing is imported inside the request
    page = client.get(response.url).content.decode()
    assert "Waiting for the worker" in page


def test_the_import_shows_its_counts_and_offers_the_commands_errors_file(
    client, importer, tmp_path
):
    Candidate.objects.create(external_id="c3", name="Cy", email="cy@example.org", location="Rome")
    client.force_login(importer)
    upload(client, PLANTED)
    job = candidate_import_execute(import_id=CandidateImport.objects.get().pk)

    assert (job.status, job.created, job.updated, job.unchanged, job.rejected) == (
        "succeeded",
        1,
        0,
        1,
        2,
    )
    assert not Path(job.file_name).is_absolute() and job.file_path == ""  # upload removed
    page = client.get(reverse("candidate-import-detail", args=[job.pk])).content.decode()
    assert 'id="count-created">1<' in page and 'id="count-rejected">2<' in page
    assert "line 3, desired_salary" in page and "line 5, education_level" in page

    download = client.get(reverse("candidate-import-rejected", args=[job.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="people-rejected.csv"'
    downloaded = b"".join(download.streaming_content)

    # The same input through the command, on the same database state, writes the same file.
    Candidate.objects.all().delete()
    Candidate.objects.create(external_id="c3", name="Cy", email="cy@example.org", location="Rome")
    source, errors = tmp_path / "people.csv", tmp_path / "errors.csv"
    source.write_text(PLANTED, encoding="utf-8")
    call_command(
        "import_candidates",
        str(source),
        "--errors-csv",
        str(errors),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert downloaded == errors.read_bytes()
    assert downloaded.decode("utf-8-sig").splitlines()[1].startswith("b2,Bob,bob@example.org")


def test_a_file_that_cannot_be_read_fails_with_the_reason_under_its_own_name(client, importer):
    client.force_login(importer)
    upload(client, "name,email\nA,a@example.org\n", name="short.csv")
    job = candidate_import_execute(import_id=CandidateImport.objects.get().pk)

    assert job.status == CandidateImport.Status.FAILED
    assert job.error.startswith("The file lacks the required column(s): external_id, location")
    assert "uploads" not in job.error  # the stored file's path is nobody's business
    page = client.get(reverse("candidate-import-detail", args=[job.pk])).content.decode()
    assert job.error.split(":")[0] in page
    assert client.get(reverse("candidate-import-rejected", args=[job.pk])).status_code == 404


def test_an_import_is_run_once_even_if_its_task_comes_twice(client, importer):
    client.force_login(importer)
    upload(client, PLANTED)
    job_id = CandidateImport.objects.get().pk
    candidate_import_execute(import_id=job_id)
    again = candidate_import_execute(import_id=job_id)
    assert again.created == 2 and Candidate.objects.count() == 2


def test_an_empty_file_is_refused_under_its_field(client, importer):
    client.force_login(importer)
    response = upload(client, "")
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert not CandidateImport.objects.exists()


def test_a_non_utf8_file_imports_when_its_encoding_is_chosen(client, importer):
    client.force_login(importer)
    file = SimpleUploadedFile(
        "excel.csv", f"{HEADER}\nx,Café,c@example.org,,,,,,\n".encode("cp1252")
    )
    client.post(reverse("candidate-import"), {"file": file, "encoding": "cp1252"})
    job = candidate_import_execute(import_id=CandidateImport.objects.get().pk)
    assert job.created == 1 and Candidate.objects.get().name == "Café"


def test_without_the_permission_every_import_page_is_forbidden(client, django_user_model):
    user = django_user_model.objects.create_user("looker", "l@example.org", "pw-look-123!")
    user.user_permissions.add(Permission.objects.get(codename="view_candidate"))
    client.force_login(user)
    job = CandidateImport.objects.create(file_name="x.csv")
    for url in (
        reverse("candidate-import"),
        reverse("candidate-import-detail", args=[job.pk]),
        reverse("candidate-import-status", args=[job.pk]),
        reverse("candidate-import-rejected", args=[job.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert upload(client, PLANTED).status_code == 403
    assert CandidateImport.objects.count() == 1
    listing = client.get(reverse("candidates")).content.decode()
    assert reverse("candidate-import") not in listing


def test_the_empty_candidate_list_points_to_the_upload_page(client, importer):
    importer.user_permissions.add(Permission.objects.get(codename="view_candidate"))
    client.force_login(importer)
    page = client.get(reverse("candidates")).content.decode()
    assert 'id="import-link"' in page and reverse("candidate-import") in page
    assert "manage.py" not in page


def test_the_upload_must_carry_the_csrf_token(importer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(importer)
    assert upload(client, PLANTED).status_code == 403
    assert not CandidateImport.objects.exists()
