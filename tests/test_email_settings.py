"""The job-ad email's settings come from the environment and refuse what cannot work."""

from __future__ import annotations

from tests.test_production_settings import PRODUCTION, _manage

SHOW = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)"
)


def test_email_url_configures_the_smtp_backend_with_tls():
    result = _manage(
        "shell",
        "-v",
        "0",
        "-c",
        SHOW,
        **PRODUCTION,
        EMAIL_URL="submission://mailer:s3cret@smtp.example.org:587",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        "587",
        "True",
        "mailer",
    ]


def test_an_unknown_mail_scheme_stops_start_up_with_the_schemes_named():
    result = _manage("check", **PRODUCTION, EMAIL_URL="smpt://smtp.example.org:25")

    assert result.returncode != 0
    assert "EMAIL_URL has an unknown scheme; use one of console, dummy, file" in result.stderr


def test_a_bad_port_stops_start_up():
    result = _manage("check", **PRODUCTION, EMAIL_URL="smtp://smtp.example.org:twentyfive")

    assert result.returncode != 0
    assert "EMAIL_URL is not a mail URL" in result.stderr


def test_a_negative_rate_stops_start_up():
    result = _manage("check", **PRODUCTION, ADFLUX_EMAIL_RATE="-1")

    assert result.returncode != 0
    assert "ADFLUX_EMAIL_RATE must be 0 (no limit) or more." in result.stderr
