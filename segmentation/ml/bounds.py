"""How many segments (every bound on k) and the other numbers doors show, named once.

Imports nothing, so any door can read it without loading the ML libraries.

The core fits any k from MIN_CLUSTERS to MAX_CLUSTERS (a notebook may ask for one segment);
people are offered OFFERED_MIN_K to OFFERED_MAX_K (one segment is no segmentation, and more
than fifty cannot be targeted by hand); choosing k automatically scores AUTO_K_MIN to
AUTO_K_MAX unless told otherwise, and never fewer than two (a score compares segments).
"""

from __future__ import annotations

MIN_CLUSTERS = 1
MAX_CLUSTERS = 100
DEFAULT_CLUSTERS = 5
OFFERED_MIN_K = 2
OFFERED_MAX_K = 50
AUTO_K_MIN = 2
AUTO_K_MAX = 12
# Candidates farther from every centre than this percentile of the training distances are
# unusual profiles (segmentation/ml/outliers.py); the configuration's default.
DEFAULT_OUTLIER_PERCENTILE = 99.0
# A candidate at least this close to a second segment (d1/d2) is borderline
# (segmentation/ml/contributions.py).
BORDERLINE_RATIO = 0.9
