"""Fuzz tests run in the normal suite, on SQLite and on PostgreSQL, so they stay small:
FUZZ_EXAMPLES (default 15) examples per test. Raise it for a longer hunt:
    FUZZ_EXAMPLES=200 .venv/bin/pytest tests/fuzz
"""

import os
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from .world import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))

FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    # No example database in the working tree; a failure prints its reproduce blob.
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the world is set up once per test, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# For a test that draws the route too: enough examples to reach most of them.
FUZZ_MORE = hypothesis_settings(FUZZ, max_examples=EXAMPLES * 10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db, _media):
    return build_world()


@contextmanager
def rolled_back():
    """One example: whatever it writes is undone, rate-limit counters included."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
