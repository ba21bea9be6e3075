"""How many segments: every bound on k, named once. Imports nothing, so any door can read it.

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
