"""Settings fail loudly on bad values; production refuses a missing SECRET_KEY."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def load_settings(expression="s.DATABASES['default']['ENGINE']", **env):
    """Import the settings in a fresh interpreter with exactly `env` (plus PATH)
    and print `expression` (the settings module is `s`)."""
    clean = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(  # noqa: S603 -- expressions written in this file
        [sys.executable, "-c", f"import openspace.settings as s; print(({expression}))"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def manage(*args) -> subprocess.CompletedProcess:
    """manage.py with no DEBUG and no SECRET_KEY in its environment (a bare checkout)."""
    return subprocess.run(  # noqa: S603 -- arguments written in this file
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=False,
    )


def test_makemigrations_check_needs_no_secret_key_but_serving_does():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    assert "SECRET_KEY is not set" in manage("check").stderr


def test_production_refuses_a_short_secret_key():
    result = load_settings(DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY is too short" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_a_bad_number_fails_loudly():
    result = load_settings(DEBUG="true", SQLITE_BUSY_TIMEOUT="soon")
    assert result.returncode != 0
    assert "SQLITE_BUSY_TIMEOUT must be a whole number" in result.stderr


def test_database_url_selects_postgresql():
    result = load_settings(DEBUG="true", DATABASE_URL="postgres://app@127.0.0.1:5432/app")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "openspace.postgresql"


def test_postgresql_prepares_repeated_statements_unless_told_not_to():
    options = "s.DATABASES['default']['OPTIONS']"
    url = "postgres://app@127.0.0.1:5432/app?sslmode=require"
    result = load_settings(options, DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "{'sslmode': 'require', 'server_side_binding': True, 'prepare_threshold': 5}"
    )
    result = load_settings(options, DEBUG="true", DATABASE_URL=url, PG_PREPARED_STATEMENTS="no")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'sslmode': 'require'}"


def test_a_bad_database_url_fails_loudly():
    result = load_settings(DEBUG="true", DATABASE_URL="nonsense://")
    assert result.returncode != 0


def test_sqlite_default_uses_wal_and_immediate_transactions():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    from openspace import settings as module

    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        options = module.DATABASES["default"]["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}


def test_production_starts_with_a_real_secret_key_and_is_strict_by_default():
    result = load_settings(
        "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, s.SERVE_MEDIA, s.ALLOWED_HOSTS",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(False, True, True, True, True, False, ['example.org'])"


def test_production_refuses_the_development_placeholder_key():
    result = load_settings(
        **{**PRODUCTION, "SECRET_KEY": "dev-insecure-secret-key-do-not-use-in-production"}
    )
    assert result.returncode != 0
    assert "placeholder" in result.stderr


def test_lists_are_comma_separated_and_trimmed():
    result = load_settings(
        "s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS",
        **{
            **PRODUCTION,
            "ALLOWED_HOSTS": " a.example.org, b.example.org ,,",
            "CSRF_TRUSTED_ORIGINS": "https://a.example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "(['a.example.org', 'b.example.org'], ['https://a.example.org'])"
    )


def test_the_local_demo_relaxes_only_the_https_settings():
    result = load_settings(
        "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SERVE_MEDIA",
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        SERVE_MEDIA="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(False, False, False, 0, True)"


def test_behind_proxy_trusts_the_forwarded_protocol():
    result = load_settings("s.SECURE_PROXY_SSL_HEADER", **PRODUCTION, BEHIND_PROXY="yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_a_bad_boolean_in_production_fails_loudly():
    result = load_settings(**PRODUCTION, SECURE_COOKIES="sometimes")
    assert result.returncode != 0
    assert "SECURE_COOKIES must be one of" in result.stderr


def test_an_unknown_tasks_backend_fails_loudly():
    result = load_settings(DEBUG="true", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be" in result.stderr


def test_site_url_loses_its_trailing_slash():
    result = load_settings("s.SITE_URL", DEBUG="true", SITE_URL="https://os.example.org/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://os.example.org"


def test_deploy_check_passes_with_production_settings():
    env = {"PATH": os.environ["PATH"], **PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_keep_uploads_out_of_the_demo_media_folder():
    if "MEDIA_ROOT" not in os.environ:
        assert settings.MEDIA_ROOT != ROOT / "var" / "media"
        assert settings.MEDIA_ROOT.name.startswith("openspace-test-media-")
