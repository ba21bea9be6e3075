"""A data admin reads the audit trail, downloads it, and opens a run's model card and fairness."""

from __future__ import annotations

import csv
import io
import re

import pytest

from audit.kinds import AuditKind
from candidates.models import Candidate, Demographics
from candidates.services.generation import candidates_generate
from segmentation.ml.pipeline import ClusteringConfig
from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.browser.conftest import log_in
from tests.roles import role_group

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_data_admin_filters_the_trail_and_reads_the_card(page, screens, django_user_model):
    admin = django_user_model.objects.create_user("dana", "d@example.org", "pw-dana-123!")
    admin.groups.add(role_group("Data admin"))
    candidates_generate(count=600, seed=3)
    Demographics.objects.bulk_create(
        Demographics(candidate_id=pk, sex=("female", "male")[pk % 2], ethnicity="asian")
        for pk in Candidate.objects.values_list("pk", flat=True)
    )
    run = segmentation_train(config=ClusteringConfig.from_dict({"n_clusters": 3}), user=admin)
    segmentation_activate(run=run, user=admin)

    log_in(page, "dana", "pw-dana-123!")
    page.click("nav >> text=Audit")
    page.wait_for_url(re.compile(r".*/audit/$"))
    assert page.locator("#audit-list tbody tr").count() == 3
    page.select_option("#id_kind", AuditKind.RUN_ACTIVATED.value)
    page.click("#audit-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*kind=run\.activated.*"))
    rows = page.locator("#audit-list tbody tr")
    assert rows.count() == 1 and "Run activated" in rows.inner_text()
    screens.take("audit-filtered")
    # The link carries the filters; fetched with the browser's session (a click would end as
    # a download, which Chromium reports as an aborted navigation).
    response = page.request.get(page.locator("#audit-csv").get_attribute("href"))
    assert response.ok and "attachment" in response.headers["content-disposition"]
    text = response.text()
    [entry] = list(csv.DictReader(io.StringIO(text)))
    assert (entry["kind"], entry["who"]) == ("run.activated", "dana")

    page.click("nav >> text=Segments")
    page.click(f"#runs-table a[title='Model card of run {run.pk}']")
    page.wait_for_url(re.compile(rf".*/segments/runs/{run.pk}/card/$"))
    assert "Trained on 600 candidates" in page.locator("#card-data").inner_text()
    screens.take("model-card")
    page.click("#card-fairness >> text=The full report")
    page.wait_for_url(re.compile(rf".*/segments/runs/{run.pk}/fairness/$"))
    assert page.locator(".fairness-scope").count() == 3
    screens.take("fairness")
