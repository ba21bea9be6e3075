"""Test settings: the real settings module, read with the local-demo environment.

Not a second configuration: it only sets what ``make run`` sets (DJANGO_DEBUG=1) before the one
settings module reads the environment, so ``pytest`` works without extra variables.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from adflux.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
