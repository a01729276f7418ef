"""What one rate-limit count costs, in each store that was considered (docs/security.md).

    .venv/bin/python bench/ratelimit.py [--hits 4000]

On a scratch SQLite file with the production pragmas (WAL, synchronous=NORMAL,
IMMEDIATE transactions), times one count, spread over 2,000 clients:
- Django's local-memory cache, add() then incr(): atomic, but one count per process;
- Django's database cache, add() then incr(): shared, but incr() is a read and a write;
- the same inside a transaction (what makes it atomic on SQLite);
- Django's file cache, add() then incr(): shared, not atomic, culls by listing files;
- openspace.ratelimit.count(): one INSERT ... ON CONFLICT DO UPDATE ... RETURNING of the
  two counters (person and address), the store chosen.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openspace.settings")
os.environ.setdefault("DEBUG", "true")
SCRATCH = tempfile.mkdtemp(prefix="ratelimit-bench-")
os.environ["SQLITE_PATH"] = f"{SCRATCH}/db.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from openspace import ratelimit  # noqa: E402

settings.CACHES = {
    "default": settings.CACHES["default"],
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "bench_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    "file": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": f"{SCRATCH}/cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}


def cache_count(cache, key):
    if cache.add(key, 1, 600):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, 600)
        return 1


def in_transaction(cache, key):
    with transaction.atomic():
        return cache_count(cache, key)


def measure(name, count, hits, clients=2000):
    times = []
    for i in range(hits):
        started = time.perf_counter()
        count(i % clients)
        times.append(time.perf_counter() - started)
    times.sort()
    print(
        f"{name:44s} median {statistics.median(times) * 1e6:7.0f} µs"
        f"   p99 {times[int(len(times) * 0.99)] * 1e6:7.0f} µs"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=4000)
    hits = parser.parse_args().hits
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    factory = RequestFactory()
    requests = [factory.post("/", REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}") for i in range(2000)]
    measure("local-memory cache (per process)", lambda i: cache_count(caches["locmem"], i), hits)
    measure("database cache", lambda i: cache_count(caches["database"], f"k{i}"), hits)
    measure(
        "database cache in a transaction",
        lambda i: in_transaction(caches["database"], f"k{i}"),
        hits,
    )
    measure("file cache", lambda i: cache_count(caches["file"], f"k{i}"), hits // 4)
    measure(
        "ratelimit.count(): two counters, one upsert",
        lambda i: ratelimit.count(requests[i], "topic", person=f"participant:{i}"),
        hits,
    )


if __name__ == "__main__":
    main()
