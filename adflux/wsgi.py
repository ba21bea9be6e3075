"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adflux.settings")
application = get_wsgi_application()

# The model code (scikit-learn, NumPy, SciPy) imported now, as the server starts, rather than by
# the first candidate page each worker serves: that import is about 2 s, and under load it made
# those first pages take 4-6 s (docs/benchmarks.md, "The candidate list under load").
import segmentation.services.model_cache  # noqa: E402, F401
