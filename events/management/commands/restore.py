"""Restore the database and the media folder from a file made by `backup`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openspace import backup


class Command(BaseCommand):
    help = (
        "Replace the database and the media folder with a backup's, after checking every "
        "checksum. Stop the application server first; run `migrate` afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A .tar.gz made by `manage.py backup`.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only verify the backup (checksums, database engine, versions); change nothing.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive, check, interactive, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            # Restoring checks everything before it changes anything; --check only that.
            manifest = backup.check_backup(path) if check else backup.peek_manifest(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        summary = (
            f"Backup of {manifest['created_at']}: {manifest['database']['engine']} database, "
            f"{len(manifest['media'])} media files, app version "
            f"{manifest['versions'].get('openspace', '?')}."
        )
        self.stdout.write(summary)
        if check:
            self.stdout.write("The backup is complete and its checksums match.")
            return
        if interactive:
            answer = input(
                "This replaces ALL data and media files of this server. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            result = backup.restore_backup(path)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"Restore failed: {exc}") from None
        self.stdout.write(
            f"Restored the database and {result.media_files} media files. "
            "Now run `manage.py migrate`, then start the server."
        )
