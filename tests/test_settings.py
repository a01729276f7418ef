"""Settings fail loudly on bad values; production refuses a missing SECRET_KEY."""

import os
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly `env` (plus PATH)."""
    clean = {"PATH": os.environ["PATH"], **env}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import openspace.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
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
    assert result.stdout.strip() == "django.db.backends.postgresql"


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
