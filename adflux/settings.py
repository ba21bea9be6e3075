"""AdFlux settings, read from the environment.

One module serves the demo, the tests and production. ``DJANGO_DEBUG=1`` (set by ``make run`` and
the tests) is the only way to get a development default for the secret key; anything else must
come from the environment, or start-up fails with a message naming the variable.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {text!r}.")
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment (production), "
            "or set DJANGO_DEBUG=1 for a local demo."
        )
    # Only reachable with DJANGO_DEBUG=1: a fixed key is fine for a local demo.
    SECRET_KEY = "django-insecure-local-demo-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_extensions",
    # Background jobs: the django.tasks API (in Django 6 itself) with a database-backed queue,
    # so the demo needs no broker and `manage.py db_worker` is the worker.
    "django_tasks",
    "django_tasks_db",
    "common",
    "audit",
    "candidates",
    "segmentation",
    "campaigns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (only the login page does).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Audit entries recorded while answering a request say they came through the web.
    "audit.via.AuditViaWebMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "adflux.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "adflux.wsgi.application"

# SQLite is the embedded default; production sets DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        # Each web thread keeps its connection a minute instead of opening one per request
        # (on SQLite a sixteenth of a short page's server time; more on PostgreSQL, where the
        # server forks for each), checked before reuse. 0: one connection per request.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers keep working while an assignment commits; a writer waits instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ModelBackend, reading a user's permissions in one query (common/auth_backend.py).
AUTHENTICATION_BACKENDS = ["common.auth_backend.OneQueryModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date format on every page and in the admin ("29 Nov 2026, 19:40"): adflux/formats/en
# overrides the locale's own, which would otherwise win over DATE_FORMAT set here. Numbers get
# their separators from the `number` and `money` filters (common/templatetags/numbers.py), not
# USE_THOUSAND_SEPARATOR, which would also put commas into ids in links and data attributes.
FORMAT_MODULE_PATH = ["adflux.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
if not DEBUG:
    # The app serves its own static files (CSS, scripts, Chart.js) in production, compressed
    # and under hashed names (run `manage.py collectstatic` when deploying) that browsers may
    # cache for ever. In the demo, runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "segments"
LOGOUT_REDIRECT_URL = "login"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A running segmentation job writes a heartbeat this often; one silent for longer than the
# timeout is taken for dead (a killed worker) and marked failed, so training can start again.
ADFLUX_JOB_HEARTBEAT_SECONDS = float(os.environ.get("ADFLUX_JOB_HEARTBEAT_SECONDS", "5"))
ADFLUX_JOB_TIMEOUT_SECONDS = float(os.environ.get("ADFLUX_JOB_TIMEOUT_SECONDS", "60"))
# A queued job no worker has started within this many seconds is failed, so it cannot block
# every training and activation for ever (no worker running, say).
ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS = float(os.environ.get("ADFLUX_JOB_QUEUE_TIMEOUT_SECONDS", "600"))
# Runs whose assignment rows are kept: the active one and this many of the newest (each run's
# rows take one row per candidate). An older run can still be activated, more slowly.
ADFLUX_ASSIGNMENT_RUNS_KEPT = int(os.environ.get("ADFLUX_ASSIGNMENT_RUNS_KEPT", "5"))

# The key of the suppression list's email hashes (candidates/suppression.py). Set it once and keep
# it: a new key makes every stored hash unrecognisable. Unset, the secret key serves.
ADFLUX_SUPPRESSION_SALT = os.environ.get("ADFLUX_SUPPRESSION_SALT", "") or SECRET_KEY

# Candidates unchanged this many days are erased by apply_retention (the worker runs it daily).
# Unset: candidates are kept.
ADFLUX_CANDIDATE_RETENTION_DAYS: int | None = (
    env_positive_int("ADFLUX_CANDIDATE_RETENTION_DAYS", 0) or None
)

# Where trained models are written; the database records each file's SHA-256.
ADFLUX_MODEL_DIR = Path(os.environ.get("ADFLUX_MODEL_DIR", BASE_DIR / "var" / "models"))

# Uploads stream to a temporary file whatever their size (the default keeps files under 2.5 MB
# in memory). Set here, not in a view: a middleware reads request.POST, which parses the body,
# before any view could choose its handlers.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]

# Where files uploaded on the import page wait for the worker (and its rejected rows stay, to
# download); the worker needs the same folder, on a disk both processes see.
ADFLUX_UPLOAD_DIR = Path(os.environ.get("ADFLUX_UPLOAD_DIR", BASE_DIR / "var" / "uploads"))

# Overrides of the default clustering configuration (segmentation.services.
# segmentation_config_default), as JSON: '{"fit_sample_size": null}' fits on every candidate,
# '{"n_init": "auto"}' starts K-means once. Field names: segmentation/ml/pipeline.py.
try:
    ADFLUX_SEGMENTATION = json.loads(os.environ.get("ADFLUX_SEGMENTATION", "") or "{}")
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"ADFLUX_SEGMENTATION is not valid JSON: {exc}") from exc
if not isinstance(ADFLUX_SEGMENTATION, dict):
    raise ImproperlyConfigured('ADFLUX_SEGMENTATION must be a JSON object, e.g. {"n_init": 10}.')

# Where training runs (docs/spark.md): "local" (this process) or "spark" (a Spark cluster at
# ADFLUX_SPARK_MASTER: local[*], spark://host:7077, k8s://..., yarn). Each door can choose too.
ADFLUX_ENGINE = os.environ.get("ADFLUX_ENGINE", "local")
if ADFLUX_ENGINE not in ("local", "spark"):
    raise ImproperlyConfigured(f'ADFLUX_ENGINE must be "local" or "spark"; got {ADFLUX_ENGINE!r}.')
ADFLUX_SPARK_MASTER = os.environ.get("ADFLUX_SPARK_MASTER", "local[*]")
# The PostgreSQL JDBC driver the cluster reads with (Debian: libpostgresql-jdbc-java).
ADFLUX_SPARK_JDBC_JAR = os.environ.get("ADFLUX_SPARK_JDBC_JAR", "/usr/share/java/postgresql.jar")
# Extra Spark settings as JSON, as spark-submit's --conf: '{"spark.executor.memory": "2g"}'.
try:
    ADFLUX_SPARK_CONF = json.loads(os.environ.get("ADFLUX_SPARK_CONF", "") or "{}")
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"ADFLUX_SPARK_CONF is not valid JSON: {exc}") from exc
if not isinstance(ADFLUX_SPARK_CONF, dict):
    raise ImproperlyConfigured('ADFLUX_SPARK_CONF must be a JSON object of Spark settings.')
# A Spark job with no executor for this long (a killed worker) is cancelled and fails.
ADFLUX_SPARK_EXECUTOR_WAIT_SECONDS = float(
    os.environ.get("ADFLUX_SPARK_EXECUTOR_WAIT_SECONDS", "60")
)
# A Parquet snapshot of the candidates to read instead of the database (docs/spark.md).
ADFLUX_SPARK_SNAPSHOT = os.environ.get("ADFLUX_SPARK_SNAPSHOT", "")

# Limits of the candidates CSV import, so a hostile file cannot take the memory: a longer row
# (all its physical lines, in bytes) or a row listing more skills is rejected with its line; a
# header with more cells refuses the file.
# The currency of budgets and salaries, as an ISO 4217 code: shown beside every amount.
ADFLUX_CURRENCY = os.environ.get("ADFLUX_CURRENCY", "USD").strip().upper()
if not re.fullmatch(r"[A-Z]{3}", ADFLUX_CURRENCY):
    raise ImproperlyConfigured(
        f"ADFLUX_CURRENCY must be a three-letter ISO 4217 code such as USD or EUR, not "
        f"{os.environ.get('ADFLUX_CURRENCY')!r}."
    )

ADFLUX_CSV_MAX_LINE_BYTES = env_positive_int("ADFLUX_CSV_MAX_LINE_BYTES", 1_048_576)
ADFLUX_CSV_MAX_CELLS = env_positive_int("ADFLUX_CSV_MAX_CELLS", 1_000)
ADFLUX_CSV_MAX_SKILLS = env_positive_int("ADFLUX_CSV_MAX_SKILLS", 100)

# Email: the job-ad channel sends through Django's email backend, configured by one URL
# (smtp://user:pass@host:port, submission://... for STARTTLS on 587, smtps://... for TLS;
# ?timeout=10 sets the socket timeout). Unset, the demo prints messages on the console and
# production uses Django's default, an SMTP server on localhost:25.
_email_url = os.environ.get("EMAIL_URL", "").strip() or ("console:" if DEBUG else "")
if _email_url:
    import dj_email_url

    try:
        _email = dj_email_url.parse(_email_url)
    except (KeyError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"EMAIL_URL is not a mail URL such as smtp://user:pass@host:587 ({exc})."
        ) from exc
    if "EMAIL_BACKEND" not in _email:  # an unknown scheme, which the parser lets through
        raise ImproperlyConfigured(
            f"EMAIL_URL has an unknown scheme; use one of {', '.join(sorted(dj_email_url.SCHEMES))}"
            " (e.g. smtp://user:pass@host:587)."
        )
    globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AdFlux <jobs@localhost>")
# Job-ad emails per second at most, so a campaign cannot flood the mail server (0: no limit).
try:
    ADFLUX_EMAIL_RATE = float(os.environ.get("ADFLUX_EMAIL_RATE", "") or "10")
except ValueError as exc:
    raise ImproperlyConfigured(
        "ADFLUX_EMAIL_RATE must be a number of messages per second."
    ) from exc
if ADFLUX_EMAIL_RATE < 0:
    raise ImproperlyConfigured("ADFLUX_EMAIL_RATE must be 0 (no limit) or more.")
# The site's address as candidates reach it: the links in emails (apply, unsubscribe) start
# with it, since an email has no request to take a host from.
ADFLUX_BASE_URL = os.environ.get(
    "ADFLUX_BASE_URL", "http://localhost:8000" if DEBUG else ""
).rstrip("/")
# Applications one email address may send through the public job pages per hour.
ADFLUX_APPLY_LIMIT_PER_HOUR = env_positive_int("ADFLUX_APPLY_LIMIT_PER_HOUR", 3)

# Security: strict unless DEBUG. `manage.py check --deploy` is clean with DEBUG off.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the admin's JavaScript-free forms do not need it; kept default
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Audit entries older than this are deleted by `manage.py prune_audit`; never under 183 days
# (six months: the EU AI Act, Article 26(6), asks deployers to keep a high-risk system's logs
# at least that long).
ADFLUX_AUDIT_RETENTION_DAYS = env_positive_int("ADFLUX_AUDIT_RETENTION_DAYS", 400)
if ADFLUX_AUDIT_RETENTION_DAYS < 183:
    raise ImproperlyConfigured(
        f"ADFLUX_AUDIT_RETENTION_DAYS is {ADFLUX_AUDIT_RETENTION_DAYS}; it must be at least 183 "
        "(six months, the least the EU AI Act lets a deployer keep a high-risk system's logs)."
    )
