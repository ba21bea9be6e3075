"""Imports started in the browser: start.py -> tasks.py -> execute.py, in that direction only."""
