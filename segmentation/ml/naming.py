"""Automatic segment names: what sets each segment apart from the whole pool, in a few words.

A name reads "Senior back-end developer · Berlin · Master's degree · PostgreSQL, Django": the
seniority (median years against the pool's), then the most over-represented primary skill,
location and education level, then up to two over-represented skills. A value is named only when
it is both common in the segment and clearly commoner than in the pool; docs/explanations.md
gives the thresholds. Names are unique within a run: segments that would share one are told
apart by further distinguishing values, and as a last resort by a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from segmentation.ml.features import BLANK_LABEL

SEPARATOR = " · "
MAX_NAME_LENGTH = 120
# A value is named when at least this share of the segment has it ...
MIN_SHARE = 0.25
# ... and it is at least this many times as common as in the pool.
MIN_LIFT = 1.5
MAX_SKILLS = 2
# A name resting on skills alone needs one held by at least half the segment, or it is "Mixed
# profiles · ...": "NumPy, pandas" over a segment where 30 % know them promises what few have.
MAJORITY_SHARE = 0.5
# Seniority: the segment's median years at least 25 % (and a year) above or below the pool's.
SENIORITY_RATIO = 1.25
SENIORITY_MIN_YEARS = 1.0
FALLBACK_NAME = "Mixed profiles"

_DEVELOPER = re.compile(r"^Developer,\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Value:
    text: str
    excess: float  # share in the segment minus share in the pool
    share: float  # share in the segment


def _median(profile: Mapping[str, Any], field: str) -> float | None:
    summary = profile.get(field) or {}
    return summary.get("median") if summary.get("known") else None


def seniority(profile: Mapping[str, Any], pool: Mapping[str, Any]) -> str:
    """The seniority word ("Senior", "Junior" or none) from median years against the pool's."""
    years, pool_years = _median(profile, "years_experience"), _median(pool, "years_experience")
    if years is None or pool_years is None:
        return ""
    if years >= pool_years * SENIORITY_RATIO and years - pool_years >= SENIORITY_MIN_YEARS:
        return "Senior"
    if years <= pool_years / SENIORITY_RATIO and pool_years - years >= SENIORITY_MIN_YEARS:
        return "Junior"
    return ""


def over_represented(
    entries: Sequence[Sequence[Any]],
    *,
    min_share: float = MIN_SHARE,
    min_lift: float = MIN_LIFT,
) -> list[_Value]:
    """Profile top entries ``[value, count, share, pool share]`` that set the segment apart.

    Kept when the share is at least ``min_share`` and at least ``min_lift`` times the pool's;
    ordered by how many points the share exceeds the pool's (then by value, for ties).
    """
    kept: list[_Value] = []
    for entry in entries:
        if len(entry) < 4 or entry[0] in ("", BLANK_LABEL):
            continue
        share, pool_share = float(entry[2]), float(entry[3])
        if share >= min_share and share >= min_lift * pool_share and share > pool_share:
            kept.append(_Value(str(entry[0]), share - pool_share, share))
    return sorted(kept, key=lambda value: (-value.excess, value.text))


def segment_traits(profile: Mapping[str, Any], pool: Mapping[str, Any]) -> list[str]:
    """What sets a segment apart that a recruiter could target: its over-represented primary
    skill, location, education level and skills ("field=value", most telling first in each).

    Empty means a mixed segment. Seniority and salary alone do not count: in survey data the
    numbers vary smoothly, so a cut along them is a band of the pool, not a group in it.
    """
    traits = []
    for field in ("primary_skill", "location", "education_level", "skills"):
        traits += [
            f"{field}={value.text}" for value in over_represented(profile.get(f"top_{field}") or [])
        ]
    return traits


def role_text(primary_skill: str) -> str:
    """A primary skill as a role: "Developer, back-end" reads "back-end developer"."""
    match = _DEVELOPER.match(primary_skill.strip())
    return f"{match.group(1)} developer" if match else primary_skill.strip()


def _lower_first(text: str) -> str:
    """Lower-case an ordinary first word ("Data scientist"), not an acronym ("DevOps", "QA")."""
    word = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if word[1:].islower() or len(word) == 1 else text


def _head(rank: str, role: str) -> str:
    if role and rank and not role.casefold().startswith(("senior", "junior")):
        return f"{rank} {_lower_first(role)}"
    if role:
        # "back-end developer" starts the name in capitals; "iOS developer" keeps its spelling.
        first = role.split(" ", 1)[0]
        return role[0].upper() + role[1:] if first.islower() else role
    return f"{rank} profiles" if rank else ""


@dataclass(frozen=True)
class _NameParts:
    parts: list[str]  # the name, most telling first
    extras: list[str]  # further differences, used only to tell equal names apart
    # No role, location or education sets it apart, and no skill held by half of it does.
    mixed: bool = False


def _name_parts(
    profile: Mapping[str, Any],
    pool: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]],
) -> _NameParts:
    def label(field: str, value: str) -> str:
        return labels.get(field, {}).get(value, value)

    strong = {
        field: over_represented(profile.get(f"top_{field}") or [])
        for field in ("primary_skill", "location", "education_level")
    }
    role = strong["primary_skill"][0].text if strong["primary_skill"] else ""
    skill_values = [
        value
        for value in over_represented(profile.get("top_skills") or [])
        if value.text.casefold() != role.casefold()
    ]
    skills = [value.text for value in skill_values]
    mixed = not any(strong.values()) and all(
        value.share < MAJORITY_SHARE for value in skill_values
    )
    parts = [
        part
        for part in (
            _head(seniority(profile, pool), role_text(role) if role else ""),
            *(
                label(field, strong[field][0].text)
                for field in ("location", "education_level")
                if strong[field]
            ),
            ", ".join(skills[:MAX_SKILLS]),
        )
        if part
    ]
    extras: list[str] = []
    for field in ("location", "education_level", "primary_skill"):
        if not strong[field]:
            weak = over_represented(profile.get(f"top_{field}") or [], min_share=0, min_lift=1)
            if weak:
                extras.append(label(field, weak[0].text))
    extras += skills[MAX_SKILLS : MAX_SKILLS + 1]
    if (years := _median(profile, "years_experience")) is not None:
        extras.append(f"{years:g} years")
    if (salary := _median(profile, "desired_salary")) is not None:
        extras.append(f"{salary / 1000:,.0f}k salary")
    return _NameParts(parts=parts, extras=extras, mixed=mixed)


def _fit(parts: Sequence[str], max_length: int) -> str:
    """Join the parts, dropping trailing ones (then cutting the first) to fit ``max_length``.

    Straight apostrophes become typographic ones ("Master’s degree"): better type, and a name
    that reads the same in HTML, where a straight one is escaped.
    """
    parts = [part.replace("'", "’") for part in parts] or [FALLBACK_NAME]
    while len(parts) > 1 and len(SEPARATOR.join(parts)) > max_length:
        parts.pop()
    name = SEPARATOR.join(parts)
    return name if len(name) <= max_length else name[: max_length - 1].rstrip() + "…"


def segment_names(
    profiles: Sequence[Mapping[str, Any]],
    pool: Mapping[str, Any],
    *,
    value_labels: Mapping[str, Mapping[str, str]] | None = None,
    max_length: int = MAX_NAME_LENGTH,
    mark_mixed: bool = False,
) -> list[str]:
    """One readable name per segment profile, unique within the list, each at most max_length.

    ``value_labels`` maps a field ("education_level") to display labels for its stored codes.
    With ``mark_mixed``, a segment without traits (``segment_traits``), or whose name would rest
    on skills that under half of it hold (``MAJORITY_SHARE``), is named "Mixed profiles · ..."
    followed by whatever weaker differences it has, never a confident name.
    """
    labels = value_labels or {}
    described = [_name_parts(profile, pool, labels) for profile in profiles]
    if mark_mixed:
        described = [_mixed(parts) if parts.mixed else parts for parts in described]
    chosen = [list(parts.parts) for parts in described]
    used = [0] * len(described)
    # Segments that share a name each add their next distinguishing value, until all differ or
    # none has any left; the same inputs always give the same names.
    while True:
        names = [_fit(parts, max_length) for parts in chosen]
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            groups.setdefault(name.casefold(), []).append(index)
        clashing = [index for group in groups.values() if len(group) > 1 for index in group]
        growing = [index for index in clashing if used[index] < len(described[index].extras)]
        if not growing:
            break
        for index in growing:
            chosen[index].append(described[index].extras[used[index]])
            used[index] += 1
    return _numbered(names, max_length)


def _mixed(parts: _NameParts) -> _NameParts:
    """A mixed segment's name: "Mixed profiles", then its seniority ("Senior profiles" reads
    "Senior") and the weaker differences that tell it from other mixed segments."""
    rest = [part.removesuffix(" profiles") for part in parts.parts]
    return _NameParts(parts=[FALLBACK_NAME, *rest], extras=parts.extras, mixed=True)


def _numbered(names: list[str], max_length: int) -> list[str]:
    """Names still shared get " (2)", " (3)"... in segment order; the first keeps its name."""
    taken = {name.casefold() for name in names}
    seen: dict[str, int] = {}
    result: list[str] = []
    for name in names:
        key = name.casefold()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 1:
            result.append(name)
            continue
        number = seen[key]
        while True:
            suffix = f" ({number})"
            candidate = _fit([name], max_length - len(suffix)) + suffix
            if candidate.casefold() not in taken:
                break
            number += 1
        taken.add(candidate.casefold())
        result.append(candidate)
    return result
