"""Reads: ORM rows become arrays for the ML core (features.py) or records for pages (runs.py,
candidates.py). Nothing here writes."""
