"""Test settings: the real settings module, read with the local-demo environment.

Not a second configuration: it only sets what ``make run`` sets (DJANGO_DEBUG=1) before the one
settings module reads the environment, so ``pytest`` works without extra variables.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")

from adflux.settings import *  # noqa: E402,F403
from adflux.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's in-memory default: the background worker the tests start is another
    # process and must open the same test database. One per test process, so two test runs
    # side by side do not share it; the test runner deletes it at the end.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"adflux-test-{os.getpid()}.sqlite3")
    }

# Set by the worker fixture (tests/worker.py) for the worker process it starts: the name of the
# test database the tests created, which that process should use as its database.
if os.environ.get("ADFLUX_TEST_WORKER_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["ADFLUX_TEST_WORKER_DB_NAME"]
