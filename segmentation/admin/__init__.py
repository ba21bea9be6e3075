"""The segmentation admin: runs, segments and jobs (runs.py); candidates with their segment
(candidates.py)."""

from segmentation.admin import candidates, runs

__all__ = ["candidates", "runs"]
