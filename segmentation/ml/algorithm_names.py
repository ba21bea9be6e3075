"""The clustering algorithms by name, and what each is: for forms and help, without loading them."""

from __future__ import annotations

ALGORITHMS: tuple[str, ...] = ("kmeans", "minibatch", "bisecting", "gmm", "agglomerative")
ALGORITHM_DESCRIPTIONS: dict[str, str] = {
    "kmeans": "K-means, the seed's algorithm: the best of n_init k-means++ starts (default).",
    "minibatch": "MiniBatchKMeans: K-means on small batches; faster on large data, a little "
    "less tight.",
    "bisecting": "Bisecting K-means: splits the loosest segment in two until there are k.",
    "gmm": "Gaussian mixture (diagonal covariances): elliptical segments; clusters 20 SVD "
    "components of the features.",
    "agglomerative": "Agglomerative clustering (Ward) on a sample of at most 10,000 candidates; "
    "everyone joins the nearest segment centre.",
}
