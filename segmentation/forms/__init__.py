"""Forms of the segmentation pages (segments.py) and the candidate list (candidates.py)."""
