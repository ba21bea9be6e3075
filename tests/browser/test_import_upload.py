"""Importing in the browser: upload a CSV with planted bad rows, the real worker imports it,
the page shows the counts, and the rejected rows download as a CSV ready to fix."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from candidates.csv_format import COLUMNS
from candidates.models import Candidate
from tests.browser.conftest import log_in
from tests.roles import role_group

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ",".join(COLUMNS)


def test_upload_with_bad_rows_then_download_the_rejected_rows(
    page, screens, worker, django_user_model, tmp_path
):
    user = django_user_model.objects.create_user("dana", "d@example.org", "pw-dana-123!")
    user.groups.add(role_group("Data admin"))
    Candidate.objects.create(external_id="keep", name="Kept", email="k@example.org")
    good = "".join(
        f"g{i},Good {i},g{i}@example.org,Berlin,master,{i},5000{i},Python,Python;SQL\n"
        for i in range(30)
    )
    source = tmp_path / "people.csv"
    source.write_text(
        f"{HEADER}\n{good}"
        "bad1,Neg,neg@example.org,Rome,,,-10,,\n"  # line 32: a negative salary
        "keep,Kept,k@example.org,,,,,,\n"  # unchanged
        "bad2,Mail,not-an-email,Oslo,,,,,\n",  # line 34: a malformed email
        encoding="utf-8",
    )

    log_in(page, "dana", "pw-dana-123!")
    page.goto("/candidates/")
    page.click("#candidate-import-link")
    page.set_input_files("#id_file", str(source))
    screens.take("form")
    page.click("#import-start")

    # The page follows the worker's import and reloads when it ends.
    page.locator("#import-result").wait_for(timeout=60_000)
    screens.take("done")
    assert page.locator("#job-badge").inner_text() == "Succeeded"
    counts = {
        name: page.locator(f"#count-{name}").inner_text()
        for name in ("created", "updated", "unchanged", "rejected")
    }
    assert counts == {"created": "30", "updated": "0", "unchanged": "1", "rejected": "2"}
    assert "line 32, desired_salary" in page.locator("#import-errors").inner_text()
    assert Candidate.objects.count() == 31

    with page.expect_download() as download_info:
        page.click("#download-rejected")
    download = download_info.value
    assert download.suggested_filename == "people-rejected.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["external_id"], row["line"], row["column"]) for row in rows] == [
        ("bad1", "32", "desired_salary"),
        ("bad2", "34", "email"),
    ]
