"""Write an event as one JSON document (docs/event-format.md)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from reports.event_io import export_event_json


class Command(BaseCommand):
    help = "Export an event (rooms, slots, topics, sign-ups, reports, initiatives...) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The event's short address.")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, slug, output=None, **options):
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            raise CommandError(f"No event with the short address {slug!r}.")
        content = export_event_json(event).content
        if output:
            with open(output, "wb") as target:
                target.write(content)
            self.stderr.write(f"Wrote {output} ({len(content)} bytes).")
        else:
            sys.stdout.buffer.write(content)
