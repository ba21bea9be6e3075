"""The segmentation pages (segments.py) and the candidate pages (candidates.py)."""
