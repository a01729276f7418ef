"""Anonymise participants' names in events whose retention period is over.

Meant for cron, once a day (docs/deploy.md, "Privacy"). Idempotent: a second run
finds nothing to do and says so. --dry-run lists the events without changing them.
"""

from django.core.management.base import BaseCommand

from events import privacy


class Command(BaseCommand):
    help = "Replace participants' names in events past their retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the events; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        done = 0
        for event in privacy.events_past_retention():
            kept_until = privacy.names_kept_until(event)
            if dry_run:
                waiting = event.participants.filter(anonymised_at__isnull=True).count()
                if waiting:
                    self.stdout.write(
                        f"{event.slug}: would anonymise {waiting} participant(s) "
                        f"(names kept until {kept_until:%Y-%m-%d})"
                    )
                    done += 1
                continue
            result = privacy.anonymise_event(event=event)
            if result:
                done += 1
                self.stdout.write(
                    f"{event.slug}: anonymised {result.participants} participant(s) and "
                    f"{result.texts} name field(s) (names kept until {kept_until:%Y-%m-%d})"
                )
        if not done:
            self.stdout.write("Nothing to anonymise.")
