"""Backup and restore (openspace/backup.py): data and a photo in, backed up, everything
wiped, restored, and every row and every media byte compared. On SQLite, and on
PostgreSQL when the suite runs there (pg_dump and pg_restore must be on PATH)."""

import io
import json
import shutil
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from agenda.models import Topic
from events.models import Event
from openspace import backup
from reports import services as report_services
from tests.factories import EventFactory, ParticipantFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _needs_pg_tools():
    if connection.vendor == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump and pg_restore are not on PATH")


def make_data():
    user = UserFactory(username="backup-facilitator")
    event = EventFactory(slug="backup", title="Nätverksträff 🌱", facilitators=[user])
    participant = ParticipantFactory(event=event, name="Åsa Öberg")
    topic = TopicFactory(event=event, convener=participant, title="Tillit <b>&</b> 'data'")
    report = report_services.report_for(topic)
    report = report_services.save_report(
        report=report, base_version=report.version, fields={"discussion": "- en\n- två"}
    )
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    report_services.add_photo(
        report=report, upload=SimpleUploadedFile("p.jpg", buffer.getvalue()), caption="Tavla"
    )
    return event


def every_row() -> dict:
    rows = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def every_media_file(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_backup_wipe_restore_gives_back_every_row_and_every_photo_byte(settings, tmp_path):
    make_data()
    rows_before, media_before = every_row(), every_media_file(settings.MEDIA_ROOT)
    assert len(media_before) == 2  # the display copy and the thumbnail
    archive = tmp_path / "backups" / "site.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's only

    # Wipe: every event (and with it every row hanging off it), the users, the photos.
    Event.objects.all().delete()
    apps.get_model("auth", "User").objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    (settings.MEDIA_ROOT / "stray").mkdir(parents=True)
    (settings.MEDIA_ROOT / "stray" / "later.jpg").write_bytes(b"not in the backup")
    assert Topic.objects.count() == 0

    out = io.StringIO()
    call_command("restore", str(archive), interactive=False, stdout=out)
    assert "2 media files" in out.getvalue()
    assert every_row() == rows_before
    assert every_media_file(settings.MEDIA_ROOT) == media_before


def test_the_manifest_lists_versions_migrations_and_checksums(tmp_path):
    make_data()
    archive = tmp_path / "b.tar.gz"
    manifest = backup.create_backup(archive)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        stored = json.load(tar.extractfile("manifest.json"))
    assert stored == manifest
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["database"]["file"] in names
    assert {"openspace", "django", "python"} <= set(manifest["versions"])
    assert manifest["migrations"]["events"].startswith("0")
    assert {f"media/{m['path']}" for m in manifest["media"]} <= names
    assert all(len(m["sha256"]) == 64 for m in manifest["media"])


def test_a_damaged_backup_is_refused_before_anything_changes(settings, tmp_path):
    make_data()
    archive = tmp_path / "b.tar.gz"
    backup.create_backup(archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])  # one flipped byte
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    rows = every_row()
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(damaged), interactive=False)
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(damaged), check=True)
    assert every_row() == rows


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    path = tmp_path / "x.tar.gz"
    path.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(path), interactive=False)
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("../../evil.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(path), interactive=False)


def test_check_only_verifies(tmp_path):
    make_data()
    archive = tmp_path / "b.tar.gz"
    backup.create_backup(archive)
    out = io.StringIO()
    call_command("restore", str(archive), check=True, stdout=out)
    assert "checksums match" in out.getvalue()


def test_a_directory_target_gets_a_dated_file_and_old_backups_are_pruned(tmp_path):
    make_data()
    directory = tmp_path / "backups"
    directory.mkdir()
    for number in range(3):
        (directory / f"openspace-2020010{number}-000000.tar.gz").write_bytes(b"old")
    call_command("backup", str(directory), keep=2, stdout=io.StringIO())
    left = sorted(p.name for p in directory.iterdir())
    assert len(left) == 2
    assert "openspace-20200102-000000.tar.gz" in left
    assert any(name.startswith("openspace-20") and name != left[0] for name in left)


def test_a_backup_of_another_database_engine_is_refused(tmp_path):
    make_data()
    archive = tmp_path / "b.tar.gz"
    backup.create_backup(archive)
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    edited = tmp_path / "other.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(edited, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["database"]["engine"] = other
                data = json.dumps(manifest).encode()
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="export_event"):
        call_command("restore", str(edited), interactive=False)


def test_a_sqlite_backup_taken_while_another_connection_writes_is_whole(tmp_path):
    """The server keeps writing during a backup: the copy is one consistent snapshot."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's online backup API")
    make_data()
    stop, written = threading.Event(), []

    def writer():
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
        while not stop.is_set():
            with other:
                other.execute(
                    "INSERT INTO events_series (name, created_at) VALUES (?, ?)",
                    (f"serie {len(written)}", "2026-01-01 00:00:00"),
                )
            written.append(1)
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archives = [tmp_path / f"b{n}.tar.gz" for n in range(3)]
        for archive in archives:
            backup.create_backup(archive)
    finally:
        stop.set()
        thread.join()
    assert written
    for archive in archives:
        with tarfile.open(archive) as tar:
            tar.extract("database.sqlite3", tmp_path / archive.stem, filter="data")
        copy = sqlite3.connect(tmp_path / archive.stem / "database.sqlite3")
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM events_event").fetchone() == (1,)
        copy.close()
