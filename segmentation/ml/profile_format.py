"""Reading the stored profile format: pure Python, so pages can read profiles without NumPy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# How a blank category is shown in profiles ("(blank)").
BLANK_LABEL = "(blank)"


def profile_statistic(
    profile: Mapping[str, Any], field: str, statistic: str = "median"
) -> float | None:
    """A number field's median (or mean, ...) in a stored profile; None when nobody gave it."""
    summary = profile.get(field) or {}
    return summary.get(statistic) if summary.get("known") else None
