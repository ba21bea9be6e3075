"""Feature extraction and encoding: the seed's layout, without its NaN and vocabulary bugs."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.ml.errors import SegmentationInputError
from segmentation.ml.features import FeatureEncoder, extract_features, preprocess_features
from segmentation.ml.seed import seed_extract_features, seed_preprocess_features


def _record(**overrides):
    record = {
        "years_experience": 3.0,
        "desired_salary": 50_000.0,
        "location": "Berlin",
        "education_level": "bachelor",
        "primary_skill": "Developer, back-end",
        "skills": ["Python"],
    }
    record.update(overrides)
    return record


def test_layout_is_numeric_then_one_hot_then_skills():
    features = extract_features(
        [_record(), _record(location="Paris", skills=["C#", "HTML/CSS"], years_experience=5.0)]
    )
    matrix, encoder = preprocess_features(features)
    assert encoder.feature_names == [
        "years_experience",
        "desired_salary",
        "location=Berlin",
        "location=Paris",
        "education_level=bachelor",
        "primary_skill=Developer, back-end",
        "skill=C#",
        "skill=HTML/CSS",
        "skill=Python",
    ]
    dense = matrix.toarray()
    assert dense[:, 0].tolist() == [-1.0, 1.0]  # standard-scaled years
    assert dense[1, 2:].tolist() == [0, 1, 1, 1, 1, 1, 0]


def test_candidate_without_skills_gets_zeros_not_nan():
    records = [_record(), _record(skills=[])]
    matrix, encoder = preprocess_features(extract_features(records))
    skill_column = encoder.feature_names.index("skill=Python")
    assert matrix.toarray()[:, skill_column].tolist() == [1.0, 0.0]
    assert not np.isnan(matrix.toarray()).any()


def test_blank_numbers_are_imputed_with_the_training_median():
    records = [
        _record(years_experience=1.0),
        _record(years_experience=3.0),
        _record(years_experience=20.0),
        _record(years_experience=None),
    ]
    features = extract_features(records)
    encoder = FeatureEncoder().fit(features)
    assert encoder.medians[0] == 3.0
    dense = encoder.transform(features).toarray()
    assert dense[3, 0] == dense[1, 0]  # the blank is placed exactly at the median


def test_blank_category_is_a_value_of_its_own():
    features = extract_features([_record(location=""), _record(location="Oslo")])
    encoder = FeatureEncoder().fit(features)
    assert "location=(blank)" in encoder.feature_names
    dense = encoder.transform(features).toarray()
    blank = encoder.feature_names.index("location=(blank)")
    assert dense[:, blank].tolist() == [1.0, 0.0]


def test_vocabulary_is_fixed_at_training_so_new_data_lands_in_the_same_columns():
    train = extract_features([_record(skills=["Python", "Go"]), _record(location="Paris")])
    encoder = FeatureEncoder().fit(train)
    new = extract_features(
        [_record(location="Atlantis", skills=["python", "Cobol"], education_level="doctorate")]
    )
    dense = encoder.transform(new).toarray()
    names = encoder.feature_names
    assert dense.shape == (1, len(names))
    row = dict(zip(names, dense[0], strict=True))
    assert row["skill=Python"] == 1.0  # same skill, other case
    assert row["skill=Go"] == 0.0
    assert row["location=Berlin"] == 0.0 and row["location=Paris"] == 0.0  # unknown: all zero
    assert row["education_level=bachelor"] == 0.0
    assert not any("Cobol" in name or "Atlantis" in name for name in names)


def test_skills_are_one_per_name_whatever_case_spacing_or_repetition():
    features = extract_features([_record(skills=[" C++ ", "c++", "C++", "Rust"])])
    matrix, encoder = preprocess_features(features)
    assert [n for n in encoder.feature_names if n.startswith("skill=")] == [
        "skill=C++",
        "skill=Rust",
    ]
    assert matrix.toarray()[0, -2:].tolist() == [1.0, 1.0]


def test_skills_given_as_semicolon_text_are_split():
    features = extract_features([_record(skills="Python;Bash/Shell (all shells);")])
    assert sorted(features.skill_names) == ["Bash/Shell (all shells)", "Python"]


def test_missing_profile_column_is_named():
    record = _record()
    del record["desired_salary"]
    with pytest.raises(SegmentationInputError, match="desired_salary"):
        extract_features([record])


def test_matrix_stays_sparse():
    features = extract_features([_record(skills=[f"S{i}"]) for i in range(200)])
    matrix, _ = preprocess_features(features)
    assert matrix.format == "csr"
    assert matrix.nnz <= 200 * 6  # 2 numbers + 3 one-hots + 1 skill per row, never dense


def test_the_seed_path_cannot_handle_a_blank_number_and_ours_can():
    records = [_record(), _record(years_experience=None, desired_salary=70_000.0)]
    seed_matrix, _ = seed_preprocess_features(seed_extract_features(records))
    assert np.isnan(np.asarray(seed_matrix, dtype=float)).any()
    matrix, _ = preprocess_features(extract_features(records))
    assert np.isfinite(matrix.toarray()).all()


def test_a_large_pool_is_encoded_in_blocks_to_the_same_numbers(monkeypatch):
    # Blocks of 7 rows over 90 candidates with blanks: the matrix must be the one built whole,
    # entry for entry, skills shuffled so that a block's pairs are not contiguous.
    from segmentation.ml import features as module
    from tests.ml.conftest import make_profiles

    records, _ = make_profiles(30, seed=3, blanks=True)
    features = extract_features(records)
    order = np.random.default_rng(0).permutation(len(features.skill_rows))
    features = type(features)(
        ids=features.ids,
        numeric=features.numeric,
        categorical=features.categorical,
        skill_rows=features.skill_rows[order],
        skill_codes=features.skill_codes[order],
        skill_names=features.skill_names,
    )
    whole, encoder = preprocess_features(features)
    monkeypatch.setattr(module, "TRANSFORM_CHUNK_ROWS", 7)
    blocks = encoder.transform(features)
    assert blocks.shape == whole.shape and blocks.nnz == whole.nnz
    assert blocks.has_sorted_indices
    assert (blocks != whole).nnz == 0
    assert np.array_equal(blocks.indptr, whole.indptr) and np.array_equal(
        blocks.indices, whole.indices
    )
