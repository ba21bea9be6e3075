"""Who may do what in segmentation, named once (the doors check these before loading anything)."""

from __future__ import annotations

TRAIN_PERMISSION = "segmentation.train_segmentation"
ACTIVATE_PERMISSION = "segmentation.activate_segmentation"
# Cancelling a job is a data admin's act, like starting one.
CANCEL_PERMISSION = TRAIN_PERMISSION
