"""Candidates saved in another process while runs are activated end up in the active run's
segment, always: the race that used to leave a candidate in a segment of an inactive run."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from segmentation.services.activation import segmentation_activate
from segmentation.services.training import segmentation_train
from tests.assignments import assert_assignments_true
from tests.ml.conftest import make_profiles
from tests.segmentation.conftest import store_profiles
from tests.worker import ROOT, other_process_env

# Saves candidates in a loop, each as the admin does: the row, then its segment, in one
# transaction. Prints how many it saved.
SAVER = """
import random, sys, time
import django
django.setup()
from django.db import transaction
from candidates.models import Candidate
from segmentation.services.assignment import candidate_segments_assign
ids = list(Candidate.objects.values_list("pk", flat=True))
rng = random.Random(7)
from segmentation.services.model_cache import active_model_get
active_model_get()  # scikit-learn loaded and the model cached: ready to save at full speed
print("ready", flush=True)
deadline = time.monotonic() + float(sys.argv[1])
saved = 0
while time.monotonic() < deadline:
    pk, like = rng.sample(ids, 2)
    with transaction.atomic():
        # Becomes a copy of another candidate's profile: most often another segment's.
        candidate, model = Candidate.objects.get(pk=pk), Candidate.objects.get(pk=like)
        for field in ("years_experience", "desired_salary", "location", "education_level",
                      "primary_skill"):
            setattr(candidate, field, getattr(model, field))
        candidate.save()
        candidate.skills.set(model.skills.all())
        candidate_segments_assign(candidate_ids=[pk])
    saved += 1
    # A breath between saves, as between any two real ones: back to back, this loop can hold
    # SQLite's write lock so steadily that an activation waits out a whole round (seen once in
    # a full run: one activation a round, 1,780 saves).
    time.sleep(0.002)
print(saved)
"""


def _saver(seconds: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SAVER, str(seconds)],
        cwd=ROOT,
        env=other_process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_saves_during_activations_never_leave_a_segment_of_an_inactive_run(model_dir):
    model_dir.mkdir(parents=True, exist_ok=True)
    records, _ = make_profiles(60, seed=11, blanks=True)
    store_profiles(records)
    first = segmentation_train(n_clusters=3)
    second = segmentation_train(n_clusters=4)
    segmentation_activate(run=first)

    # Rounds, each ending with saves after the last activation: a save that used a model read
    # before an activation committed would leave its candidate's row in the active run stale.
    activations = saved = 0
    for _ in range(4):
        saver = _saver(2.0)
        assert saver.stdout.readline().strip() == "ready", saver.stderr.read()
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline and saver.poll() is None:
            segmentation_activate(run=second if activations % 2 == 0 else first)
            activations += 1
        out, err = saver.communicate(timeout=120)
        assert saver.returncode == 0, err
        saved += int(out.strip().splitlines()[-1])
        assert_assignments_true()
    assert saved > 0 and activations > 4
