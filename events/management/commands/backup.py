"""Back up the database and the media folder into one .tar.gz (openspace/backup.py)."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openspace import backup


class Command(BaseCommand):
    help = (
        "Write the database (SQLite online backup or pg_dump) and every media file, with a "
        "manifest of versions and checksums, to one .tar.gz. Safe while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "target",
            nargs="?",
            default=str(settings.BASE_DIR / "var" / "backups"),
            help="A directory (a dated file is made in it) or a file name ending in .tar.gz. "
            "Default: var/backups/.",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Then delete all but the newest N backups in that directory (0: keep all).",
        )

    def handle(self, *args, target, keep, **options):
        path = Path(target)
        if not path.name.endswith(".tar.gz"):
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            path = path / f"openspace-{stamp}.tar.gz"
        try:
            manifest = backup.create_backup(path)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        size = path.stat().st_size
        self.stdout.write(
            f"Backed up the {manifest['database']['engine']} database and "
            f"{len(manifest['media'])} media files to {path} ({size / 2**20:.1f} MB)."
        )
        if keep:
            for old in backup.prune(path.parent, keep):
                self.stdout.write(f"Deleted the old backup {old}.")
