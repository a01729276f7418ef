"""Benchmark: the documentation PDF of a large event (docs/performance.md).

The event: 40 sessions (10 rooms x 4 rounds), 40 reports, 80 phone photos
(4,000 x 3,000 JPEGs as uploaded), 30 initiatives, 150 participants.
The budget: under 15 s, under 600 MB peak memory, a file under 20 MB.

    .venv/bin/python bench/documentation.py            # set up, then measure
    .venv/bin/python bench/documentation.py --keep DIR  # keep the database and media in DIR

Everything happens in a temporary directory (its own SQLite database and media
folder). Each render runs in a fresh process, so its peak memory (max RSS) is the
render's own: first with no print-size photos cached (as after an upload), then
again with the cache warm.
"""

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROOMS = 10
ROUNDS = 4
PHOTOS_PER_REPORT = 2
INITIATIVES = 30
PARTICIPANTS = 150
SLUG = "bench-documentation"


def setup_django(workdir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openspace.settings")
    os.environ["DEBUG"] = "true"
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def phone_photo(seed: int) -> bytes:
    """A 4,000 x 3,000 JPEG that compresses like a phone photo of a flipchart."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.new("RGB", (4000, 3000), (236, 233, 226))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        colour = rng.choice([(20, 40, 120), (160, 20, 20), (20, 110, 40), (30, 30, 30)])
        x, y = rng.randrange(200, 3600), rng.randrange(200, 2700)
        points = [(x + rng.randrange(-300, 300), y + rng.randrange(-80, 80)) for _ in range(8)]
        draw.line(points, fill=colour, width=rng.randrange(8, 20))
    noise = Image.effect_noise((4000, 3000), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12).filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def build_event():
    """Create the large event; returns it."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from agenda.models import Room, TimeSlot, Topic
    from events.models import Event, Participant

    Event.objects.filter(slug=SLUG).delete()
    user, _ = get_user_model().objects.get_or_create(username="bench")
    event = Event.objects.create(
        slug=SLUG,
        title="Storträff: Minska den administrativa bördan",
        theme_question="Hur kan vi tillsammans minska den administrativa bördan?",
        purpose="Att hitta konkreta steg som gör vardagen enklare. " * 5,
        date=datetime.date(2026, 11, 19),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(16, 0),
        language="sv",
        phase="closing",
    )
    event.facilitators.add(user)
    people = Participant.objects.bulk_create(
        Participant(event=event, name=f"Deltagare Åström {i}", organisation=f"Kommun {i % 12}")
        for i in range(PARTICIPANTS)
    )
    rooms = [
        Room.objects.create(event=event, name=f"Rum {chr(65 + i)}", code=chr(65 + i), position=i)
        for i in range(ROOMS)
    ]
    slots = [
        TimeSlot.objects.create(
            event=event,
            number=n,
            label=f"Pass {n}",
            starts_at=datetime.time(9 + n, 0),
            ends_at=datetime.time(9 + n, 45),
        )
        for n in range(1, ROUNDS + 1)
    ]
    topics = []
    for r, room in enumerate(rooms):
        for s, slot in enumerate(slots):
            topics.append(
                Topic.objects.create(
                    event=event,
                    title=f"Ämne {room.code}{slot.number}: hur gör vi det enklare för invånarna?",
                    convener=people[r * ROUNDS + s],
                    room=room,
                    time_slot=slot,
                )
            )
    photos = [phone_photo(seed) for seed in range(8)]
    add_reports(event, topics, people, photos, ContentFile)
    add_initiatives(event, people)
    return event


def has_report_model() -> bool:
    import reports.models

    return hasattr(reports.models, "Report")


def add_reports(event, topics, people, photos, content_file) -> None:
    """40 reports with two photos each.

    Until the session reports models exist, the photos are stored as uploads would
    be (bench-photos/) and synthetic_reports() puts them into the document, so the
    photo pipeline and the layout are measured at full size all the same.
    """
    from django.core.files.storage import default_storage
    from django.utils import timezone

    if not has_report_model():
        for index in range(len(topics) * PHOTOS_PER_REPORT):
            default_storage.save(f"bench-photos/{index:03d}.jpg", content_file(photos[index % 8]))
        print("(no Report model yet: reports and photos are synthetic, see synthetic_reports)")
        return
    from reports.models import Report, ReportComment, ReportPhoto

    for index, topic in enumerate(topics):
        report = Report.objects.create(
            topic=topic,
            event=event,
            participant_count=9,
            participant_names="Åsa\nÖrjan\nMärta\nEbba\nJörgen",
            discussion="Vi pratade om blanketter och dubbelarbete. " * 10,
            insights="Gör det enklare för invånarna. " * 6,
            proposals="Ses igen i mars med fler förvaltningar.",
            published_at=timezone.now(),
        )
        for j in range(PHOTOS_PER_REPORT):
            # As uploaded: a camera-size JPEG (the upload re-encodes, it may keep the size).
            photo = ReportPhoto(report=report, caption=f"Blädderblock {j + 1} från {topic.code}")
            photo.image.save(
                f"{index}-{j}.jpg", content_file(photos[(index * 2 + j) % 8]), save=False
            )
            photo.thumbnail = photo.image.name
            photo.width, photo.height = 4000, 3000
            photo.save()
        ReportComment.objects.create(report=report, participant=people[-1], text="Bra!")


def synthetic_reports() -> None:
    """Fill the reports section with text, two of the stored photos and a comment each."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    from reports import documentation, documentation_context
    from reports.documentation_context import PrintComment, PrintPhoto

    real = documentation.build_context

    class StoredPhoto:
        storage = default_storage

        def __init__(self, name):
            self.name = name

    def build_context(event, *, photo_src=None, progress=None):
        context = real(event, photo_src=photo_src, progress=progress)
        fields = [StoredPhoto(f"bench-photos/{i:03d}.jpg") for i in range(80)]
        paths = documentation_context.prepare_print_photos(fields, progress=progress)
        for index, item in enumerate(context["report_items"]):
            item.report = True
            item.people = "Åsa, Örjan, Märta, Ebba, Jörgen"
            item.sections = [
                ("Vad diskuterades?", "Vi pratade om blanketter och dubbelarbete. " * 10),
                ("Slutsatser", "Gör det enklare för invånarna. " * 6),
                ("Förslag och nästa steg", "Ses igen i mars med fler förvaltningar."),
            ]
            for j in range(PHOTOS_PER_REPORT):
                path = paths[f"bench-photos/{index * PHOTOS_PER_REPORT + j:03d}.jpg"]
                item.photos.append(
                    PrintPhoto(
                        src=settings.MEDIA_URL + path if path else None,
                        caption=f"Blädderblock {j + 1} från {item.session.code}",
                        alt="Foto av ett blädderblock",
                    )
                )
            item.comments = [PrintComment(text="Vi på regionen vill vara med.", author="Örjan")]
        return context

    documentation.build_context = build_context


def add_initiatives(event, people) -> None:
    """30 initiatives, each with three members, spread over the ladder, and 40 reflections."""
    from reports.models import Initiative, InitiativeMember, Reflection

    for i in range(INITIATIVES):
        initiative = Initiative.objects.create(
            event=event,
            created_by=people[i],
            who=people[i].display_name,
            what=f"Initiativ {i + 1}: en gemensam mall för ärenden mellan förvaltningarna",
            levels=["F", "G", "U", "FG"][i % 4],
            when="i augusti",
            ladder_step=(i % 5) or None,
            next_step="Samsyn om problemet och en projektägare",
        )
        for j in range(1, 4):
            InitiativeMember.objects.create(
                initiative=initiative, participant=people[(i + j * 7) % len(people)]
            )
    for i in range(40):
        Reflection.objects.create(event=event, participant=people[i], text="Energi och hopp!")


def render_once(variant: str) -> dict:
    from events.models import Event
    from reports.documentation import export_documentation_pdf

    event = Event.objects.get(slug=SLUG)
    if not has_report_model():
        synthetic_reports()
    started = time.perf_counter()
    export = export_documentation_pdf(event, variant=variant)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "variant": variant,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_kb / 1024),
        "size_mb": round(len(export.content) / 2**20, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="Work in this directory and keep it.")
    parser.add_argument("--render", help=argparse.SUPPRESS)  # child process: render only
    parser.add_argument("--variant", default="accessible", choices=["accessible", "archival"])
    args = parser.parse_args()

    if args.render:
        setup_django(Path(args.render))
        print(json.dumps(render_once(args.variant)))
        return

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-doc-"))
    workdir.mkdir(parents=True, exist_ok=True)
    setup_django(workdir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_event()
    print(f"set-up: {time.perf_counter() - started:.1f} s in {workdir}")
    for label, variant in [
        ("cold photo cache", "accessible"),
        ("warm photo cache", "accessible"),
        ("archival, warm", "archival"),
    ]:
        child = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--render", str(workdir), "--variant", variant],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{label:18} {result['seconds']:6.2f} s  peak {result['peak_mb']:4d} MB  "
            f"file {result['size_mb']:5.2f} MB  ({variant})"
        )


if __name__ == "__main__":
    main()
