"""Create a new event from a JSON document written by export_event."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.event_io import MAX_IMPORT_BYTES, EventImportError, import_event


class Command(BaseCommand):
    help = "Import an event from a JSON file made by export_event. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file.")
        parser.add_argument("--slug", help="Short address of the new event (default: the file's).")
        parser.add_argument(
            "--facilitator", action="append", default=[], help="Username to make facilitator."
        )

    def handle(self, *args, path, slug=None, facilitator=(), **options):
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        if size > MAX_IMPORT_BYTES:
            raise CommandError(
                f"{path} is too large ({size // 2**20} MB); at most {MAX_IMPORT_BYTES // 2**20} MB."
            )
        users = []
        for username in facilitator:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user called {username!r}.")
            users.append(user)
        with open(path, "rb") as source:
            raw = source.read()
        try:
            event = import_event(raw, slug=slug, facilitators=users)
        except EventImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Imported {event.title!r} as /e/{event.slug}/.")
