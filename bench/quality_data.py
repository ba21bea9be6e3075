"""The candidates bench/quality.py measures: the real survey file, and the generator's archetypes.

The real file is parsed row by row with the import's own rules (``candidates.csv_format``:
blank cells, numbers, education labels, skill lists), without a database, into the
``CandidateFeatures`` the ML core takes; rows the import would refuse are skipped and counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "so2024" / "candidates.csv"


def django_setup() -> None:
    # The row parser needs Django's validators and the models' limits, never a database.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


@dataclass(frozen=True)
class RealFile:
    features: object  # CandidateFeatures
    rows_read: int
    rows_refused: int


def real_features(path: Path) -> RealFile:
    """The file's valid rows as CandidateFeatures, through the import's row parser."""
    django_setup()
    from candidates.csv_files import (
        OverlongRowError,
        csv_records,
        encoding_check,
        encoding_resolve,
        open_csv_text,
    )
    from candidates.csv_format import check_header, normalise_header, parse_row
    from segmentation.ml.features import CandidateFeatures, skill_key

    numeric: list[tuple[float, float]] = []
    categorical: dict[str, list[str]] = {"location": [], "education_level": [], "primary_skill": []}
    skills: list[tuple[str, ...]] = []
    read = refused = 0
    # UTF-8, as the import reads a file when no --encoding is given (it refuses any other bytes).
    encoding = encoding_resolve(None)
    encoding_check(path, encoding)
    with open_csv_text(path, encoding) as stream:
        records = csv_records(stream)
        _, header_cells = next(records)
        header = normalise_header(header_cells)
        check_header(header)
        for record in records:
            read += 1
            if isinstance(record, OverlongRowError):
                refused += 1
                continue
            line, cells = record
            parsed = parse_row(dict(zip(header, cells, strict=False)), line)
            if isinstance(parsed, list):
                refused += 1
                continue
            numeric.append(
                (
                    np.nan if parsed.years_experience is None else parsed.years_experience,
                    np.nan if parsed.desired_salary is None else float(parsed.desired_salary),
                )
            )
            categorical["location"].append(parsed.location)
            categorical["education_level"].append(parsed.education_level)
            categorical["primary_skill"].append(parsed.primary_skill)
            skills.append(parsed.skills)
    names: dict[str, int] = {}
    display: list[str] = []
    pair_rows: list[int] = []
    pair_codes: list[int] = []
    for row, skill_list in enumerate(skills):
        for skill in skill_list:
            code = names.setdefault(skill_key(skill), len(display))
            if code == len(display):
                display.append(skill)
            pair_rows.append(row)
            pair_codes.append(code)
    features = CandidateFeatures(
        ids=np.arange(1, len(numeric) + 1, dtype=np.int64),
        numeric=np.array(numeric, dtype=np.float64).reshape(-1, 2),
        categorical={name: np.array(values, dtype=object) for name, values in categorical.items()},
        skill_rows=np.array(pair_rows, dtype=np.int64),
        skill_codes=np.array(pair_codes, dtype=np.int32),
        skill_names=tuple(display),
    )
    return RealFile(features=features, rows_read=read, rows_refused=refused)


def synthetic_features(count: int, seed: int):
    """The generator's profiles as CandidateFeatures, and the archetype each was drawn from."""
    from bench.algorithms import _features

    return _features(count, seed)
