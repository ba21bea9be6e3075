"""The ML core stays importable, and usable, without Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
import segmentation.ml.artifacts, segmentation.ml.profiles, segmentation.ml.features
import segmentation.ml.pipeline, segmentation.ml.seed
from segmentation.ml.features import extract_features
from segmentation.ml.pipeline import ClusteringConfig, fit_segmentation
records = [
    {"years_experience": float(i % 7), "desired_salary": 1000.0 * (i % 5),
     "location": "L%d" % (i % 3), "education_level": "bachelor", "primary_skill": "P",
     "skills": ["S%d" % (i % 4)]}
    for i in range(30)
]
result = fit_segmentation(extract_features(records), ClusteringConfig(n_clusters=3))
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(len(result.labels), loaded)
"""


def test_ml_core_trains_without_django_loaded():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "30 []"


PROJECT_PACKAGES = ("adflux", "campaigns", "candidates", "common", "segmentation")


def test_no_project_module_is_in_an_import_cycle():
    """Every import between project modules points one way: no module reaches itself again.

    Imports inside functions count too: a deferred import hides a cycle, it does not remove it.
    """
    import grimp

    graph = grimp.build_graph(*PROJECT_PACKAGES, cache_dir=None)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append(" -> ".join([importer, *back]))
    assert cycles == []


STARTUP_PROBE = """
import sys
import django
from django.urls import get_resolver
django.setup()
get_resolver().url_patterns  # what manage.py check, migrate and runserver load
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sklearn", "skops", "pandas", "scipy"})
print(heavy)
"""


def test_starting_django_and_loading_every_url_loads_no_ml_library():
    """A manage.py command that trains nothing starts without scikit-learn, skops or pandas.

    They took 3 of the 3.5 s every command needed to start; a command or job that needs them
    imports them itself (docs/benchmarks.md).
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "adflux.settings", "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", STARTUP_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
