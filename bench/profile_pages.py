"""Profile the polled pages of the large event with pyinstrument (where does the time go?).

    .venv/bin/python bench/profile_pages.py                 # every page below
    .venv/bin/python bench/profile_pages.py --page "agenda poll 304" --runs 500
    .venv/bin/python bench/profile_pages.py --html DIR      # also write pyinstrument's HTML

Builds the large event of bench/agenda_page.py (2,000 participants, 20 x 6,
10,000 sign-ups) in a temporary SQLite database, renders the page `--runs` times
through Django's test client inside one pyinstrument session and prints the call
tree (frames under 2 % hidden). The test client skips the WSGI server and the
network, so this is the view's and the middleware's own time.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="openspace-bench-media-")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import agenda_page  # noqa: E402  (sets up Django with a temporary database)
from django.core.management import call_command  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from events.identity import remember_participant  # noqa: E402

HTMX = {"HX-Request": "true"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", help="one of the labels below (repeatable)")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--html", help="write one HTML profile per page into this folder")
    parser.add_argument("--flat", action="store_true", help="self time per function, not a tree")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    event, participant, topic = agenda_page.build("large", *agenda_page.SIZES["large"])
    client = Client()
    response = HttpResponse()
    remember_participant(HttpRequest(), response, participant)
    for key, morsel in response.cookies.items():
        client.cookies[key] = morsel.value
    slug = event.slug
    etag = {
        path: client.get(path, headers=HTMX)["ETag"] for path in (f"/e/{slug}/", f"/e/{slug}/wall/")
    }
    keys = iter(range(10**9))
    pages = {
        "livez": ("/livez", {}),
        "join page": ("/join/", {}),
        "topic post": (
            f"/e/{slug}/sessions/new/",
            lambda: {"title": "Ett ämne", "idempotency_key": f"k{next(keys)}", "cell": ""},
        ),
        "sign-up post (htmx)": (f"/e/{slug}/sessions/{topic.pk}/signup/", lambda: {}, HTMX),
        "agenda poll 304": (f"/e/{slug}/", {**HTMX, "If-None-Match": etag[f"/e/{slug}/"]}),
        "wall poll 304": (f"/e/{slug}/wall/", {**HTMX, "If-None-Match": etag[f"/e/{slug}/wall/"]}),
        "agenda page": (f"/e/{slug}/", {}),
        "agenda poll 200": (f"/e/{slug}/", HTMX),
        "session page": (f"/e/{slug}/sessions/{topic.pk}/", {}),
    }
    for label in args.page or pages:
        path, headers, *extra = pages[label]
        if callable(headers):  # a POST: the form data is made fresh for each request

            def request(path=path, data=headers, headers=(extra or [{}])[0]):
                return client.post(path, data(), headers=headers)

        else:

            def request(path=path, headers=headers):
                return client.get(path, headers=headers)

        request()  # warm up
        profiler = Profiler(interval=0.0005)
        profiler.start()
        started = time.perf_counter()
        for _ in range(args.runs):
            request()
        elapsed = time.perf_counter() - started
        profiler.stop()
        print(
            f"\n===== {label}: {args.runs} requests of {path}, "
            f"{elapsed / args.runs * 1000:.2f} ms each (with the profiler) ====="
        )
        print(
            profiler.output_text(unicode=True, color=False, time="percent_of_total", flat=args.flat)
        )
        if args.html:
            Path(args.html).mkdir(parents=True, exist_ok=True)
            name = label.replace(" ", "-") + ".html"
            (Path(args.html) / name).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
