"""Candidate profiles as columns, and the encoder that turns them into a sparse feature matrix.

The feature layout is the seed's: scaled numerics, one-hot categoricals, multi-hot skills. What
differs is how it is built: from columns and (row, skill) pairs straight into CSR, never a dense
candidates x features matrix, with blanks handled instead of leaking NaN into K-means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import ndtr, ndtri

from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.profile_format import BLANK_LABEL  # noqa: F401 (re-exported)

NUMERIC_FEATURES: tuple[str, ...] = ("years_experience", "desired_salary")
CATEGORICAL_FEATURES: tuple[str, ...] = ("location", "education_level", "primary_skill")
SKILLS_FEATURE = "skills"
PROFILE_COLUMNS: tuple[str, ...] = (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES, SKILLS_FEATURE)

# A blank category is a value of its own; this is how feature names and profiles show it.

YEARS_COLUMN = NUMERIC_FEATURES.index("years_experience")
SALARY_COLUMN = NUMERIC_FEATURES.index("desired_salary")
LOCATION_COLUMN = "location"

# How numbers are scaled: "standard" is the seed's (impute, subtract the mean, divide by the
# deviation); "quantile" maps each number through its training quantiles onto a normal curve,
# clipped, then standardises (docs/quality.md: one salary of $20M no longer makes a segment).
NumericScaling = Literal["standard", "quantile"]
# How a blank salary is filled: "median" is the seed's one global median; "location_experience"
# is the median for the candidate's experience band, moved by its location's typical offset,
# shrunk toward nothing for locations with few known salaries.
SalaryImputation = Literal["median", "location_experience"]
QUANTILE_POINTS = 201
# The normal scores are clipped to the quantiles this far from each end (about ±2.6 sigma), so
# the few extreme salaries sit at the edge of the pool instead of forming a segment of their own.
QUANTILE_CLIP = 0.005
# Experience bands for the salary fill: years at these edges (0-2, 2-5, 5-10, 10-20, 20+).
SALARY_YEARS_EDGES: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0)
# A location's offset counts as if it had this many more salaries at the pool's offset (zero):
# 5 known salaries move the fill by 5/25 of the location's own offset, 500 by 500/520.
SALARY_SHRINK_COUNT = 20.0


# Rows encoded at a time by FeatureEncoder.transform: a million rows' blocks and temporaries
# take about 0.5 GB (docs/benchmarks.md, "Ten million candidates").
TRANSFORM_CHUNK_ROWS = 1_000_000


def skill_key(name: str) -> str:
    """Skills are the same skill whatever their case or surrounding spaces."""
    return name.strip().casefold()


@dataclass(frozen=True, eq=False)
class CandidateFeatures:
    """The profile columns of n candidates; skills as parallel (row, code) pair arrays.

    ``numeric`` holds NaN for a blank number and ``categorical`` holds "" for a blank category.
    ``skill_codes`` index into ``skill_names``; pairs need not be sorted.
    """

    ids: np.ndarray
    numeric: np.ndarray
    categorical: Mapping[str, np.ndarray]
    skill_rows: np.ndarray
    skill_codes: np.ndarray
    skill_names: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.numeric.shape != (n, len(NUMERIC_FEATURES)):
            raise ValueError(f"numeric must be ({n}, {len(NUMERIC_FEATURES)})")
        for name in CATEGORICAL_FEATURES:
            if len(self.categorical[name]) != n:
                raise ValueError(f"categorical column {name!r} must have {n} values")
        if len(self.skill_rows) != len(self.skill_codes):
            raise ValueError("skill_rows and skill_codes must have the same length")

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> CandidateFeatures:
        """The candidates at the given row positions, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        new_position = np.full(len(self), -1, dtype=np.int64)
        new_position[rows] = np.arange(len(rows))
        pair_rows = new_position[self.skill_rows]
        keep = pair_rows >= 0
        return CandidateFeatures(
            ids=self.ids[rows],
            numeric=self.numeric[rows],
            categorical={name: self.categorical[name][rows] for name in CATEGORICAL_FEATURES},
            skill_rows=pair_rows[keep],
            skill_codes=self.skill_codes[keep],
            skill_names=self.skill_names,
        )

    def rows_between(self, start: int, stop: int) -> CandidateFeatures:
        """The candidates at rows ``start`` to ``stop - 1``: ``take`` of a slice, without
        building a position map of every row (the encoder's blocks)."""
        keep = (self.skill_rows >= start) & (self.skill_rows < stop)
        return CandidateFeatures(
            ids=self.ids[start:stop],
            numeric=self.numeric[start:stop],
            categorical={name: self.categorical[name][start:stop] for name in CATEGORICAL_FEATURES},
            skill_rows=self.skill_rows[keep] - start,
            skill_codes=self.skill_codes[keep],
            skill_names=self.skill_names,
        )

    def skill_lists(self) -> list[list[str]]:
        """Each candidate's skill names (slow; for display and small frames only)."""
        lists: list[list[str]] = [[] for _ in range(len(self))]
        for row, code in zip(self.skill_rows.tolist(), self.skill_codes.tolist(), strict=True):
            lists[row].append(self.skill_names[code])
        return lists


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending: ``np.unique`` by sorting.

    NumPy 2.3+ answers ``np.unique`` on integers with a hash table, which is ~100x slower
    than a sort for the millions of (row, skill) keys the encoder and profiles dedupe.
    """
    ordered = np.sort(values, kind="stable")
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def pair_keys(rows: np.ndarray, columns: np.ndarray, width: int, n_rows: int) -> np.ndarray:
    """``row * width + column`` in the narrowest integer type that holds every key."""
    dtype = np.int32 if n_rows * width < np.iinfo(np.int32).max else np.int64
    return rows.astype(dtype) * dtype(width) + columns.astype(dtype)


def _clean_category(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _clean_number(value: object) -> float:
    if value is None or value is pd.NA or value == "":
        return np.nan
    return float(value)  # type: ignore[arg-type]


def extract_features(profiles: pd.DataFrame | Iterable[Mapping[str, object]]) -> CandidateFeatures:
    """Profiles (a frame or dicts with the profile columns, skills as lists) -> columns.

    The slow, general entry point: for hand-made data, notebooks and single candidates. The
    database path builds ``CandidateFeatures`` directly from rows and skill pairs.
    """
    frame = profiles if isinstance(profiles, pd.DataFrame) else pd.DataFrame(list(profiles))
    missing = [c for c in PROFILE_COLUMNS if c not in frame.columns]
    if missing:
        raise SegmentationInputError(f"Profiles lack the column(s): {', '.join(missing)}")
    n = len(frame)
    ids = (
        frame["id"].to_numpy(dtype=np.int64)
        if "id" in frame.columns
        else np.arange(n, dtype=np.int64)
    )
    numeric = np.empty((n, len(NUMERIC_FEATURES)), dtype=np.float64)
    for j, name in enumerate(NUMERIC_FEATURES):
        numeric[:, j] = [_clean_number(v) for v in frame[name].tolist()]
    categorical = {
        name: np.array([_clean_category(v) for v in frame[name].tolist()], dtype=object)
        for name in CATEGORICAL_FEATURES
    }
    names: dict[str, int] = {}
    display: list[str] = []
    rows: list[int] = []
    codes: list[int] = []
    for row, skills in enumerate(frame[SKILLS_FEATURE].tolist()):
        for skill in _as_skill_list(skills):
            key = skill_key(skill)
            if not key:
                continue
            if key not in names:
                names[key] = len(display)
                display.append(skill.strip())
            rows.append(row)
            codes.append(names[key])
    return CandidateFeatures(
        ids=ids,
        numeric=numeric,
        categorical=categorical,
        skill_rows=np.asarray(rows, dtype=np.int64),
        skill_codes=np.asarray(codes, dtype=np.int32),
        skill_names=tuple(display),
    )


def _as_skill_list(value: object) -> Sequence[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, str):
        return [part for part in value.split(";")]
    return [str(part) for part in value]  # type: ignore[union-attr]


@dataclass
class FeatureEncoder:
    """Fitted preprocessing: impute and scale numbers, one-hot categories, skills multi-hot.

    Everything it learns (medians, means, scales, quantiles, salary fill, categories, the skill
    vocabulary) is fixed at fit time, so new candidates are encoded into the same columns;
    unknown categories and unknown skills become all-zero, as
    ``OneHotEncoder(handle_unknown="ignore")`` does. The defaults are the seed's encoding.
    """

    medians: np.ndarray = field(default_factory=lambda: np.zeros(0))
    means: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scales: np.ndarray = field(default_factory=lambda: np.zeros(0))
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skill_vocabulary: tuple[str, ...] = ()
    numeric_scaling: NumericScaling = "standard"
    salary_imputation: SalaryImputation = "median"
    # "quantile": each number column's training quantiles at QUANTILE_POINTS even steps.
    quantiles: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # "location_experience": log-salary median per experience band, and per location offset.
    salary_band_medians: np.ndarray = field(default_factory=lambda: np.zeros(0))
    salary_location_offsets: dict[str, float] = field(default_factory=dict)

    def fit(self, features: CandidateFeatures) -> FeatureEncoder:
        if len(features) == 0:
            raise SegmentationInputError("There are no candidates to learn features from.")
        numeric = features.numeric
        with np.errstate(all="ignore"):
            medians = np.nanmedian(np.where(np.isnan(numeric).all(axis=0), 0.0, numeric), axis=0)
        self.medians = np.nan_to_num(medians, nan=0.0)
        if self.salary_imputation == "location_experience":
            self._fit_salary_fill(features)
        if self.numeric_scaling == "quantile":
            self._fit_quantiles(numeric)
        imputed = self._numbers(features)
        self.means = imputed.mean(axis=0)
        std = imputed.std(axis=0)
        # As StandardScaler: a constant column is left unscaled rather than divided by zero.
        self.scales = np.where(std < 10 * np.finfo(np.float64).eps, 1.0, std)
        self.categories = {
            name: tuple(sorted(pd.unique(features.categorical[name]).tolist()))
            for name in CATEGORICAL_FEATURES
        }
        used = np.flatnonzero(
            np.bincount(features.skill_codes, minlength=len(features.skill_names))
        )
        by_key: dict[str, str] = {}
        for code in used.tolist():
            name = features.skill_names[code].strip()
            by_key.setdefault(skill_key(name), name)
        self.skill_vocabulary = tuple(sorted(by_key.values()))
        return self

    @property
    def feature_names(self) -> list[str]:
        names = list(NUMERIC_FEATURES)
        for column in CATEGORICAL_FEATURES:
            names += [f"{column}={value or BLANK_LABEL}" for value in self.categories[column]]
        names += [f"skill={skill}" for skill in self.skill_vocabulary]
        return names

    @property
    def n_features(self) -> int:
        return (
            len(NUMERIC_FEATURES)
            + sum(len(values) for values in self.categories.values())
            + len(self.skill_vocabulary)
        )

    def _impute(self, numeric: np.ndarray) -> np.ndarray:
        return np.where(np.isnan(numeric), self.medians, numeric)

    def impute(self, features: CandidateFeatures) -> np.ndarray:
        """The number columns with every blank filled as this encoder fills it, in raw units."""
        imputed = self._impute(features.numeric)
        if self.salary_imputation == "location_experience":
            blank = np.isnan(features.numeric[:, SALARY_COLUMN])
            if blank.any():
                imputed[blank, SALARY_COLUMN] = self.salary_fill(
                    imputed[blank, YEARS_COLUMN],
                    np.asarray(features.categorical[LOCATION_COLUMN])[blank],
                )
        return imputed

    def salary_fill(self, years: np.ndarray, locations: np.ndarray) -> np.ndarray:
        """The salary a blank gets: its experience band's median times its location's offset."""
        band = np.searchsorted(SALARY_YEARS_EDGES, years, side="right")
        # A dict lookup per blank: 0.02 ms for the one candidate saved in the admin (a pandas
        # map costs 0.25 ms there), 0.1 s for half a million blanks.
        offset = self.salary_location_offsets.get
        offsets = np.fromiter((offset(str(loc), 0.0) for loc in locations), np.float64, len(band))
        log_fill = self.salary_band_medians[band] + offsets
        return np.expm1(log_fill)

    def _fit_salary_fill(self, features: CandidateFeatures) -> None:
        years = self._impute(features.numeric)[:, YEARS_COLUMN]
        salary = features.numeric[:, SALARY_COLUMN]
        known = ~np.isnan(salary)
        log_salary = np.log1p(np.maximum(salary[known], 0.0))
        band = np.searchsorted(SALARY_YEARS_EDGES, years[known], side="right")
        overall = (
            float(np.median(log_salary))
            if known.any()
            else float(np.log1p(self.medians[SALARY_COLUMN]))
        )
        medians = np.full(len(SALARY_YEARS_EDGES) + 1, overall)
        for b in range(len(medians)):
            in_band = log_salary[band == b]
            if len(in_band):
                medians[b] = float(np.median(in_band))
        self.salary_band_medians = medians
        # A location's offset: the median of its salaries' distances from their band's median,
        # shrunk by n / (n + SALARY_SHRINK_COUNT) so a location with three answers moves little.
        residual = pd.Series(log_salary - medians[band])
        groups = residual.groupby(
            pd.Series(np.asarray(features.categorical[LOCATION_COLUMN])[known], dtype=object)
        )
        stats = pd.DataFrame({"median": groups.median(), "count": groups.size()})
        shrunk = stats["median"] * stats["count"] / (stats["count"] + SALARY_SHRINK_COUNT)
        self.salary_location_offsets = {str(k): float(v) for k, v in shrunk.items()}

    def _fit_quantiles(self, numeric: np.ndarray) -> None:
        # Quantiles of the answers given: blanks filled later must not pile up as a spike.
        steps = np.linspace(0.0, 1.0, QUANTILE_POINTS)
        columns = []
        for j in range(numeric.shape[1]):
            known = numeric[~np.isnan(numeric[:, j]), j]
            if len(known) == 0:
                known = np.array([self.medians[j]])
            columns.append(np.quantile(known, steps))
        self.quantiles = np.vstack(columns)

    def _numbers(self, features: CandidateFeatures) -> np.ndarray:
        """Imputed numbers before standardising: raw, or normal scores for "quantile"."""
        imputed = self.impute(features)
        if self.numeric_scaling != "quantile":
            return imputed
        return self.normal_scores(imputed)

    def normal_scores(self, raw: np.ndarray) -> np.ndarray:
        """Raw numbers -> normal scores through the training quantiles, clipped at both ends."""
        steps = np.linspace(0.0, 1.0, QUANTILE_POINTS)
        scores = np.empty_like(raw, dtype=np.float64)
        for j in range(raw.shape[1]):
            reference = self.quantiles[j]
            # Ties (many people at 10 years) go to the middle of their run of quantiles, as
            # QuantileTransformer does by averaging its forward and backward interpolations.
            up = np.interp(raw[:, j], reference, steps)
            down = -np.interp(-raw[:, j], -reference[::-1], -steps[::-1])
            share = np.clip((up + down) / 2, QUANTILE_CLIP, 1 - QUANTILE_CLIP)
            scores[:, j] = ndtri(share)
        return scores

    def numbers_raw(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled number columns (rows x numbers) back in raw units: years, dollars."""
        unscaled = scaled * self.scales + self.means
        if self.numeric_scaling != "quantile":
            return unscaled
        steps = np.linspace(0.0, 1.0, QUANTILE_POINTS)
        return np.column_stack(
            [
                np.interp(ndtr(unscaled[:, j]), steps, self.quantiles[j])
                for j in range(scaled.shape[1])
            ]
        )

    def numbers_scaled(self, raw: np.ndarray) -> np.ndarray:
        """Raw number columns (rows x numbers) as this encoder scales them."""
        values = raw if self.numeric_scaling != "quantile" else self.normal_scores(raw)
        return (values - self.means) / self.scales

    def transform(self, features: CandidateFeatures) -> sp.csr_matrix:
        """The encoded matrix, built TRANSFORM_CHUNK_ROWS candidates at a time.

        Each block's temporaries (one-hot and skill blocks, their sorting and stacking) are
        several times the block's size: built whole for ten million candidates they were most
        of the training's peak memory (docs/benchmarks.md, "Ten million candidates"). In
        blocks, the peak is the finished matrix twice (the blocks and their stack) and one
        block's temporaries. The numbers are the same either way (tests/ml/test_features.py).
        """
        if not self.categories:
            raise SegmentationInputError("The feature encoder has not been fitted.")
        n = len(features)
        if n <= TRANSFORM_CHUNK_ROWS:
            return self._transform_block(features)
        blocks = [
            self._transform_block(
                features.rows_between(start, min(start + TRANSFORM_CHUNK_ROWS, n))
            )
            for start in range(0, n, TRANSFORM_CHUNK_ROWS)
        ]
        matrix = sp.vstack(blocks, format="csr", dtype=np.float64)
        del blocks
        matrix.sort_indices()
        return matrix

    def _transform_block(self, features: CandidateFeatures) -> sp.csr_matrix:
        n = len(features)
        scaled = (self._numbers(features) - self.means) / self.scales
        blocks: list[sp.csr_matrix] = [sp.csr_matrix(scaled)]
        for column in CATEGORICAL_FEATURES:
            blocks.append(_one_hot(features.categorical[column], self.categories[column]))
        blocks.append(self._skills_block(features, n))
        matrix = sp.hstack(blocks, format="csr", dtype=np.float64)
        matrix.sort_indices()
        return matrix

    def transform_dense(self, features: CandidateFeatures) -> np.ndarray:
        """``transform``'s numbers as a dense array, for a few rows (a candidate saved).

        The same columns and the same arithmetic, without building sparse blocks, which cost
        more than the encoding itself for one row (tests/ml/test_few_rows.py holds them equal).
        """
        if not self.categories:
            raise SegmentationInputError("The feature encoder has not been fitted.")
        n = len(features)
        dense = np.zeros((n, self.n_features), dtype=np.float64)
        offset = len(NUMERIC_FEATURES)
        dense[:, :offset] = (self._numbers(features) - self.means) / self.scales
        for column in CATEGORICAL_FEATURES:
            categories = self.categories[column]
            for row, value in enumerate(features.categorical[column]):
                position = _position(categories, value)
                if position >= 0:
                    dense[row, offset + position] = 1.0
            offset += len(categories)
        wanted = {skill_key(name) for name in features.skill_names}
        position = {
            key: j
            for j, key in enumerate(skill_key(name) for name in self.skill_vocabulary)
            if key in wanted
        }
        for row, code in zip(
            features.skill_rows.tolist(), features.skill_codes.tolist(), strict=True
        ):
            column = position.get(skill_key(features.skill_names[code]), -1)
            if column >= 0:
                dense[row, offset + column] = 1.0
        return dense

    def _skills_block(self, features: CandidateFeatures, n: int) -> sp.csr_matrix:
        position = {skill_key(name): j for j, name in enumerate(self.skill_vocabulary)}
        lookup = np.array(
            [position.get(skill_key(name), -1) for name in features.skill_names] or [-1],
            dtype=np.int64,
        )
        columns = lookup[features.skill_codes] if len(features.skill_codes) else lookup[:0]
        known = columns >= 0
        rows = features.skill_rows[known]
        columns = columns[known]
        # Duplicate pairs (the same skill twice) must stay 1, not add up to 2.
        width = max(len(self.skill_vocabulary), 1)
        pairs = distinct_sorted(pair_keys(rows, columns, width, n))
        rows, columns = np.divmod(pairs, width)
        counts = np.bincount(rows, minlength=n)
        indptr = np.concatenate(([0], np.cumsum(counts)))
        return sp.csr_matrix(
            (np.ones(len(columns), dtype=np.float64), columns, indptr),
            shape=(n, len(self.skill_vocabulary)),
        )


# Below this many rows a linear search of the categories beats building a hash index of them:
# one candidate saved costs 0.4 ms less per column with a few thousand locations.
_FEW_ROWS = 32


def _one_hot(values: np.ndarray, categories: tuple[str, ...]) -> sp.csr_matrix:
    if len(values) <= _FEW_ROWS:
        codes = np.array([_position(categories, value) for value in values], dtype=np.int64)
    else:
        codes = pd.Index(categories, dtype=object).get_indexer(values).astype(np.int64)
    known = codes >= 0
    indptr = np.concatenate(([0], np.cumsum(known)))
    return sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float64), codes[known], indptr),
        shape=(len(values), len(categories)),
    )


def _position(categories: tuple[str, ...], value: object) -> int:
    try:
        return categories.index(value)
    except ValueError:
        return -1


def preprocess_features(
    features: CandidateFeatures,
    encoder: FeatureEncoder | None = None,
    *,
    numeric_scaling: NumericScaling = "standard",
    salary_imputation: SalaryImputation = "median",
) -> tuple[sp.csr_matrix, FeatureEncoder]:
    """Encode features; fit a new encoder (the seed's encoding by default) unless given one."""
    if encoder is None:
        encoder = FeatureEncoder(
            numeric_scaling=numeric_scaling, salary_imputation=salary_imputation
        ).fit(features)
    return encoder.transform(features), encoder
