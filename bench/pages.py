"""Server time and SQL queries of every polled page, by size: agenda, wall, news wall, action board.

    .venv/bin/python bench/pages.py [--runs 20] [--sizes small,medium,large]

Builds the events of bench/agenda_page.py (small: 30 participants, 3 rooms x 3
rounds; medium: 300, 8 x 4; large: 2,000, 20 x 6, 10,000 sign-ups) in a
temporary SQLite database and media folder, and adds what the later pages show:
one published report per session (9 / 32 / 120) with two comments and two photos
each (18 / 64 / 240; small generated JPEGs put through the real upload pipeline,
reports.services.add_photo), and initiatives with members on the action plan
(5 x 3 / 20 x 8 / 60 x 20). Each page is rendered through Django's test client
(no network, production settings) and the median server time and the query
count are printed, twice: as phones mostly get them (the event unchanged since the
page's shared render was made) and "afresh" (the event's version bumped before each
request, as after every write in a busy minute). Query counts must be the same at
every size: the script exits non-zero if one grows.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Uploaded photos go to a temporary folder, never to var/media.
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="openspace-bench-media-")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import agenda_page  # noqa: E402  (sets up Django with a temporary database)
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from agenda.models import Topic  # noqa: E402
from events.identity import remember_participant  # noqa: E402
from events.models import Participant  # noqa: E402
from reports import services as report_services  # noqa: E402
from reports.models import Initiative, InitiativeMember, Report, ReportComment  # noqa: E402

# (initiatives, members each) per size
ACTIONS = {"small": (5, 3), "medium": (20, 8), "large": (60, 20)}
PHOTOS_PER_REPORT = 2
COMMENTS_PER_REPORT = 2


def tiny_jpeg(seed: int) -> bytes:
    """A 640 x 480 JPEG with a few strokes: enough for the pipeline to do real work."""
    image = Image.new("RGB", (640, 480), (236, 233, 226))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        y = 40 + ((seed * 37 + i * 71) % 400)
        draw.line([(30, y), (610, y + (seed % 30))], fill=(20, 40, 120), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def add_reports(event) -> tuple[int, int]:
    """A published report per placed session, two comments and two photos each."""
    topics = list(Topic.objects.filter(event=event).select_related("event"))
    people = list(Participant.objects.filter(event=event)[:50])
    photos = [tiny_jpeg(seed) for seed in range(8)]
    count = 0
    for index, topic in enumerate(topics):
        report = Report.objects.create(
            topic=topic,
            event=event,
            participant_count=12,
            participant_names="Åsa\nÖrjan\nMärta\nEbba",
            discussion="Vi pratade om blanketter och dubbelarbete. " * 8,
            insights="Gör det enklare för invånarna. " * 4,
            proposals="Ses igen i mars med fler förvaltningar.",
            published_at=timezone.now(),
        )
        report.topic, report.event = topic, event
        for j in range(PHOTOS_PER_REPORT):
            upload = SimpleUploadedFile(
                "photo.jpg", photos[(index + j) % len(photos)], content_type="image/jpeg"
            )
            report_services.add_photo(report=report, upload=upload, caption=f"Blädderblock {j}")
            count += 1
        ReportComment.objects.bulk_create(
            ReportComment(
                report=report,
                participant=people[(index + k) % len(people)],
                author_name=people[(index + k) % len(people)].name,
                text="Bra, vi på regionen vill vara med!",
            )
            for k in range(COMMENTS_PER_REPORT)
        )
    return len(topics), count


def add_initiatives(event, initiatives: int, members: int) -> None:
    people = list(Participant.objects.filter(event=event))
    topics = list(Topic.objects.filter(event=event))
    made = Initiative.objects.bulk_create(
        Initiative(
            event=event,
            created_by=people[i % len(people)],
            who=people[i % len(people)].name,
            what=f"Initiativ {i + 1}: en gemensam mall för ärenden mellan förvaltningarna",
            levels=["F", "G", "U", "FG"][i % 4],
            when="i augusti",
            topic=topics[i % len(topics)],
            ladder_step=(i % 5) or None,
            ladder_position=i,
            next_step="Samsyn om problemet och en projektägare",
        )
        for i in range(initiatives)
    )
    InitiativeMember.objects.bulk_create(
        InitiativeMember(initiative=initiative, participant=people[(i * 7 + j * 13) % len(people)])
        for i, initiative in enumerate(made)
        for j in range(1, members + 1)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sizes", default=",".join(agenda_page.SIZES))
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    print("Test client, production settings, SQLite; 2 cores shared with other work.")
    print(
        f"{'size':8} {'page':26} {'median ms':>10} {'queries':>8} {'bytes':>9}"
        f" {'afresh ms':>10} {'queries':>8}"
    )
    counts: dict[str, set[int]] = {}
    for name in args.sizes.split(","):
        started = time.perf_counter()
        event, participant, _topic = agenda_page.build(name, *agenda_page.SIZES[name])
        reports, photos = add_reports(event)
        add_initiatives(event, *ACTIONS[name])
        print(
            f"# {name}: built in {time.perf_counter() - started:.1f} s "
            f"({reports} reports, {photos} photos, {ACTIONS[name][0]} initiatives)"
        )
        event.refresh_from_db()
        client = Client()
        response = HttpResponse()
        remember_participant(HttpRequest(), response, participant)
        for key, morsel in response.cookies.items():
            client.cookies[key] = morsel.value
        htmx = {"HX-Request": "true"}
        slug = event.slug
        pages = {
            "agenda page": (f"/e/{slug}/", None),
            "agenda poll (200)": (f"/e/{slug}/", htmx),
            "wall fragment": (f"/e/{slug}/wall/", htmx),
            "news wall page": (f"/e/{slug}/reports/", None),
            "news wall poll (200)": (f"/e/{slug}/reports/", htmx),
            "action board page": (f"/e/{slug}/actions/", None),
            "action board fragment": (f"/e/{slug}/actions/", htmx),
            "action wall fragment": (f"/e/{slug}/wall/actions/", htmx),
        }
        for label, (path, headers) in pages.items():
            ms, count, status, size = agenda_page.measure(client, path, args.runs, headers)
            fresh_ms, fresh_count, fresh_status, _size = agenda_page.measure(
                client, path, args.runs, headers, before=event.touch
            )
            if status != 200 or fresh_status != 200:
                print(f"{label}: HTTP {status}, afresh {fresh_status}")
                return 1
            counts.setdefault(label, set()).add(count)
            counts.setdefault(f"{label} afresh", set()).add(fresh_count)
            print(f"{name:8} {label:26} {ms:10.1f} {count:8} {size:9}", end="")
            print(f" {fresh_ms:10.1f} {fresh_count:8}")
        for label, path in {
            "agenda poll (304)": f"/e/{slug}/",
            "wall poll (304)": f"/e/{slug}/wall/",
            "news wall poll (304)": f"/e/{slug}/reports/",
        }.items():
            etag = client.get(path)["ETag"]  # a full page is always current
            ms, count, status, _size = agenda_page.measure(
                client, path, args.runs, {**htmx, "If-None-Match": etag}
            )
            if status != 304:
                print(f"{label}: HTTP {status}")
                return 1
            counts.setdefault(label, set()).add(count)
            print(f"{name:8} {label:26} {ms:10.1f} {count:8} {0:9}")
    grown = {label: sorted(found) for label, found in counts.items() if len(found) > 1}
    if grown:
        print(f"QUERY COUNT GROWS WITH SIZE: {grown}")
        return 1
    print("query counts: the same at every size")
    return 0


if __name__ == "__main__":
    sys.exit(main())
