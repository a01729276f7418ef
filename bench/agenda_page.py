"""Server time and SQL queries of the agenda page, wall fragment and session page, by size.

    .venv/bin/python bench/agenda_page.py [--runs 20]

Builds events in a temporary SQLite database: small (30 participants, 3 rooms x
3 rounds), medium (300, 8 x 4) and large (2,000, 20 x 6, 10,000 sign-ups), then
renders each page through Django's test client (no network) and prints the median
server time and the query count. Query counts must be the same at every size.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="openspace-bench-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "openspace.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SQLITE_PATH": f"{TMP}/bench.sqlite3",
        "STATIC_ROOT": f"{TMP}/static",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
    }
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from grid import marketplace_event, sign_up  # noqa: E402

from agenda.models import Topic  # noqa: E402
from events.identity import remember_participant  # noqa: E402
from events.models import Participant  # noqa: E402

SIZES = {"small": (30, 3, 3, 150), "medium": (300, 8, 4, 1500), "large": (2000, 20, 6, 10_000)}


def build(name, people, rooms, rounds, signups):
    rng = random.Random(1)
    event, room_objs, slot_objs = marketplace_event(name, f"Bench {name}", rooms, rounds, 40)
    participants = Participant.objects.bulk_create(
        Participant(
            event=event, name=f"Deltagare {i}", organisation="Kommunen", token=f"{name}-{i}"
        )
        for i in range(people)
    )
    topics = Topic.objects.bulk_create(
        Topic(
            event=event,
            title=f"Ämne {r.code}{s.number}",
            convener=rng.choice(participants),
            room=r,
            time_slot=s,
        )
        for s in slot_objs
        for r in room_objs
    )
    pairs = set()
    while len(pairs) < signups:
        pairs.add((rng.choice(topics).pk, rng.choice(participants).pk))
    sign_up(pairs, 40)
    return event, participants[0], topics[0]


def measure(client, path, runs, headers=None, before=None):
    """Median ms, queries, status and bytes of `runs` requests; `before()`, if given,
    runs untimed before each (e.g. a write, so that shared renders are made afresh)."""
    client.get(path, headers=headers or {})  # warm caches
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        response = client.get(path, headers=headers or {})
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as queries:
        client.get(path, headers=headers or {})
    return (
        statistics.median(times) * 1000,
        len(queries),
        response.status_code,
        len(response.content),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    print(f"{'size':8} {'page':22} {'median ms':>10} {'queries':>8} {'bytes':>9}")
    for name, spec in SIZES.items():
        event, participant, topic = build(name, *spec)
        client = Client()
        response = HttpResponse()
        remember_participant(HttpRequest(), response, participant)
        for key, morsel in response.cookies.items():
            client.cookies[key] = morsel.value
        pages = {
            "agenda page": (f"/e/{event.slug}/", None),
            "agenda poll (200)": (f"/e/{event.slug}/", {"HX-Request": "true"}),
            "wall fragment": (f"/e/{event.slug}/wall/", {"HX-Request": "true"}),
            "session page": (f"/e/{event.slug}/sessions/{topic.pk}/", None),
        }
        for label, (path, headers) in pages.items():
            ms, count, status, size = measure(client, path, args.runs, headers)
            assert status == 200, (label, status)
            print(f"{name:8} {label:22} {ms:10.1f} {count:8} {size:9}")
        etag = client.get(f"/e/{event.slug}/wall/", headers={"HX-Request": "true"})["ETag"]
        ms, count, status, _size = measure(
            client,
            f"/e/{event.slug}/wall/",
            args.runs,
            {"HX-Request": "true", "If-None-Match": etag},
        )
        assert status == 304
        print(f"{name:8} {'wall poll (304)':22} {ms:10.1f} {count:8} {0:9}")


if __name__ == "__main__":
    main()
