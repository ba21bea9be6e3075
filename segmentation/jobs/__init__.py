"""Segmentation jobs: start.py -> tasks.py -> execute.py, in that direction only."""
