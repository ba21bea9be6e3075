"""Every stage a job goes through has words a recruiter reads, not the timer's name."""

from __future__ import annotations

from segmentation.ml.stages import (
    ACTIVATE_STAGES,
    CHOOSE_K,
    STAGE_LABELS,
    TRAIN_STAGES,
    stage_label,
)


def test_every_stage_of_a_job_has_a_label_in_words():
    for stage in (*TRAIN_STAGES, CHOOSE_K, *ACTIVATE_STAGES):
        assert stage in STAGE_LABELS, stage
        label = stage_label(stage)
        assert label != stage and label[0].isupper() and " " in label, label


def test_the_fit_reads_as_finding_segments():
    assert stage_label("fit") == "Finding segments"
    assert stage_label("silhouette") == "Measuring how distinct the segments are"


def test_a_stage_without_a_label_still_reads_as_a_sentence():
    assert stage_label("warm up") == "Warm up"
