"""When two skill names are the same skill, and how a `;`-separated skills cell is read."""

from __future__ import annotations

SKILL_SEPARATOR = ";"


def skill_key(name: str) -> str:
    """Skills are the same skill whatever their case or surrounding spaces.

    The same rule as ``segmentation.ml.features.skill_key``, so the import and the features agree
    on what one skill is; kept here because candidates must not depend on segmentation.
    """
    return name.strip().casefold()


def split_skills(cell: str) -> tuple[str, ...]:
    """Trimmed, non-blank skill names in cell order; a repeat in another case is dropped."""
    seen: set[str] = set()
    names: list[str] = []
    for part in cell.split(SKILL_SEPARATOR):
        name = part.strip()
        key = skill_key(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return tuple(names)
