"""A 2-D picture of the segments: a sample of candidates placed on a plane, for a scatter chart."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

PROJECTION_SAMPLE_SIZE = 1_500


def segment_projection(
    matrix: sp.csr_matrix,
    labels: np.ndarray,
    *,
    sample_size: int = PROJECTION_SAMPLE_SIZE,
    random_state: int = 42,
) -> dict[str, Any]:
    """Coordinates of a reproducible sample of candidates, coloured by segment.

    The plane is the one along which the segment centres spread most (a PCA of the centres,
    weighted by segment size), not the pool's own first components: those follow whatever
    varies most among candidates, which need not be what tells segments apart, and the chart
    is there to show segments. With two segments the centres span one direction only; the
    second axis is then the pool's main direction of spread orthogonal to it.
    """
    labels = np.asarray(labels, dtype=np.int64)
    n_rows = matrix.shape[0]
    if n_rows == 0:
        return {"x": [], "y": [], "segment": [], "method": "none"}
    n_labels = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=n_labels).astype(np.float64)
    indicator = sp.csr_matrix(
        (np.ones(n_rows), (labels, np.arange(n_rows))), shape=(n_labels, n_rows)
    )
    sums = np.asarray((indicator @ matrix).todense()) if sp.issparse(matrix) else indicator @ matrix
    used = sizes > 0
    means = sums[used] / sizes[used, None]
    grand_mean = sums.sum(axis=0) / n_rows
    spread = (means - grand_mean) * np.sqrt(sizes[used])[:, None]
    _, singular, directions = np.linalg.svd(spread, full_matrices=False)
    axes = [directions[i] for i in range(min(2, len(singular))) if singular[i] > 1e-12]

    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n_rows, size=min(sample_size, n_rows), replace=False))
    sample = matrix[rows]
    sample = np.asarray(sample.todense() if sp.issparse(sample) else sample) - grand_mean
    if len(axes) < 2:
        residual = sample.copy()
        for axis in axes:
            residual -= np.outer(residual @ axis, axis)
        _, _, pool_directions = np.linalg.svd(residual, full_matrices=False)
        axes.extend(pool_directions[: 2 - len(axes)])
    plane = np.vstack(axes[:2])
    coordinates = sample @ plane.T
    return {
        "x": np.round(coordinates[:, 0], 3).tolist(),
        "y": np.round(coordinates[:, 1], 3).tolist(),
        "segment": labels[rows].tolist(),
        "method": "segment centres" if len(singular) >= 2 else "segment centres + pool",
    }
