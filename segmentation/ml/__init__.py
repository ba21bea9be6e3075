"""The pure ML core: profile columns in, sparse features, clusters and profiles out.

Nothing here imports Django; an import-linter contract in pyproject.toml enforces it.
"""
