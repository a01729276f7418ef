"""Back up and restore the whole site: the database and the media folder, in one archive.

The archive is a .tar.gz holding
- manifest.json: format, date, versions (app, Django, Python, SQLite or pg_dump), the
  applied migrations, and the size and SHA-256 of every other member;
- database.sqlite3 (SQLite's online backup API: a consistent copy while the server
  runs and writes) or database.pgdump (pg_dump's custom format, read by pg_restore);
- media/...: every file under MEDIA_ROOT (report photos, documentation PDFs).

Restore checks every checksum before it touches anything, then replaces the database
and the media folder. Used by `manage.py backup` and `manage.py restore`
(events/management/commands/); docs/deploy.md, "Backup and restore".
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT_NAME = "openspace-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, for the operator."""


@dataclass
class RestoreResult:
    manifest: dict
    media_files: int


# -- helpers --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _app_version() -> str:
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as source:
            return tomllib.load(source)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH. Install the PostgreSQL client tools "
            "(Debian: apt install postgresql-client) of the server's major version or newer."
        )
    return path


def _pg_env() -> dict[str, str]:
    """libpq's variables for the database Django uses: no password on a command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def _versions(engine: str) -> dict[str, str]:
    versions = {
        "openspace": _app_version(),
        "django": django.get_version(),
        "python": platform.python_version(),
    }
    if engine == "sqlite":
        versions["sqlite"] = sqlite3.sqlite_version
    else:
        versions["postgresql_server"] = str(connection.pg_version)
        versions["pg_dump"] = _run([_tool("pg_dump"), "--version"], dict(os.environ)).strip()
    return versions


def _migrations() -> dict[str, str]:
    """The last applied migration of each app."""
    applied: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied[app] = name
    return applied


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# -- backup ---------------------------------------------------------------------------------


def _dump_sqlite(target: Path) -> None:
    """A consistent copy through the online backup API, safe while the server writes."""
    source_path = Path(connection.settings_dict["NAME"])
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    source = sqlite3.connect(source_path, timeout=30)
    destination = sqlite3.connect(target)
    try:
        with destination:
            # In one step, under one read snapshot: WAL lets writers go on meanwhile, and a
            # backup in steps would start over after every write of a busy server.
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def _dump_postgres(target: Path) -> None:
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
        ],
        _pg_env(),
    )


def create_backup(target: Path) -> dict:
    """Write the archive to `target` (atomically: a .part file renamed at the end)."""
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="openspace-backup-", dir=target.parent) as tmp:
        dump = Path(tmp) / (SQLITE_MEMBER if engine == "sqlite" else POSTGRES_MEMBER)
        if engine == "sqlite":
            _dump_sqlite(dump)
        else:
            _dump_postgres(dump)
        media = [
            {
                "path": path.relative_to(media_root).as_posix(),
                "size": path.stat().st_size,
                "sha256": _sha256(path),
            }
            for path in _media_files(media_root)
        ]
        manifest = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "versions": _versions(engine),
            "migrations": _migrations(),
            "database": {
                "engine": engine,
                "file": dump.name,
                "size": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "media": media,
        }
        part = target.with_name(target.name + ".part")
        # Personal data (names, photos): readable by the owner only.
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = (
                len(data),
                0o600,
                int(datetime.datetime.now().timestamp()),
            )
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name, recursive=False)
            for entry in media:
                tar.add(media_root / entry["path"], arcname=MEDIA_PREFIX + entry["path"])
        part.replace(target)
    return manifest


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups made by `backup` in `directory`."""
    backups = sorted(directory.glob("openspace-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    removed = backups[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


# -- restore --------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.load(tar.extractfile(member))
    except (KeyError, ValueError, AttributeError):
        raise BackupError("This is not a backup made by `manage.py backup`.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise BackupError("This is not a backup made by `manage.py backup`.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The backup has format version {manifest.get('format_version')}; "
            f"this version of the app reads version {FORMAT_VERSION}."
        )
    return manifest


def _unpack(archive: Path, into: Path) -> dict:
    """Extract and check every member against the manifest; nothing outside `into`."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = read_manifest(tar)
            tar.extractall(into, filter="data")  # refuses absolute paths, "..", devices, links
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"Cannot read {archive}: {exc}") from None
    try:
        database = manifest["database"]
        if database["file"] not in (SQLITE_MEMBER, POSTGRES_MEMBER):
            raise BackupError(f"The backup names an unknown database file: {database['file']}")
        expected = [(database["file"], database["sha256"], database["size"])] + [
            (MEDIA_PREFIX + m["path"], m["sha256"], m["size"]) for m in manifest["media"]
        ]
    except (KeyError, TypeError):
        raise BackupError("The backup's manifest is incomplete.") from None
    for name, sha256, size in expected:
        path = into / name
        inside = path.resolve().is_relative_to(into.resolve())
        if not inside or not path.is_file() or path.stat().st_size != size:
            raise BackupError(f"The backup is damaged: {name} is missing or of the wrong size.")
        if _sha256(path) != sha256:
            raise BackupError(f"The backup is damaged: the checksum of {name} differs.")
    return manifest


def peek_manifest(archive: Path) -> dict:
    """The manifest alone, without checking the rest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return read_manifest(tar)
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"Cannot read {archive}: {exc}") from None


def check_backup(archive: Path) -> dict:
    """Verify an archive, and that this server could restore it, without restoring."""
    with tempfile.TemporaryDirectory(prefix="openspace-check-") as tmp:
        manifest = _unpack(archive, Path(tmp))
    check_compatible(manifest, _engine())
    return manifest


def _restore_sqlite(dump: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    connection.close()
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(target, timeout=30)
    try:
        # Page by page into the live file, its WAL included: safer than copying files over.
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgres(dump: Path) -> None:
    connection.close()
    env = _pg_env()
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            env.get("PGDATABASE", ""),
            str(dump),
        ],
        env,
    )


def _replace_media(source: Path, media: list[dict], media_root: Path) -> int:
    """Make MEDIA_ROOT hold exactly the backup's files (emptied, not replaced: it may be
    a mount point)."""
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for entry in media:
        target = media_root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source / entry["path"], target)
    return len(media)


def restore_backup(archive: Path) -> RestoreResult:
    """Replace the database and the media folder with the archive's. Stop the server first."""
    engine = _engine()
    media_root = Path(settings.MEDIA_ROOT)
    # Unpacked beside MEDIA_ROOT, so the photos are moved, not copied, into place.
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".openspace-restore-", dir=media_root.parent) as tmp:
        manifest = _unpack(archive, Path(tmp))
        check_compatible(manifest, engine)
        dump = Path(tmp) / manifest["database"]["file"]
        if engine == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgres(dump)
        files = _replace_media(Path(tmp) / MEDIA_PREFIX, manifest["media"], media_root)
    connection.close()
    return RestoreResult(manifest=manifest, media_files=files)


def check_compatible(manifest: dict, engine: str) -> None:
    """Same database engine, and no migration this code does not know (a newer app's)."""
    from django.db.migrations.loader import MigrationLoader

    backed_up = manifest["database"].get("engine")
    if backed_up != engine:
        raise BackupError(
            f"The backup is of a {backed_up} database; this server uses {engine}. "
            "Move single events with export_event and import_event instead."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, name in manifest.get("migrations", {}).items()
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of the app (migrations "
            + ", ".join(unknown)
            + "). Install that version first, then restore."
        )
