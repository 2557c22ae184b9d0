"""Backup and restore (manage.py backup / restore): the restore drill an assessor asks for, and
the refusals that keep a damaged backup or a live database from being restored over.

Runs on the database the tests run on: PostgreSQL in CI (pg_dump -Fc / pg_restore), SQLite
locally (the online backup API)."""

import io
import json
import os
import subprocess
import sys
import tarfile
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from campaign import backup
from campaign.backup import databases
from campaign.lib.uploads import clean_attachment
from campaign.lib.xlsx.files import store_upload
from campaign.plan import DISTRICT_CODE
from campaign.tests.images import photo
from districts.models import Role, Sector
from districts.tests.factories import add_team
from hazards import services as hazard_services
from hazards.models import HazardPhoto, Source
from reporting import services as report_services
from reporting.models import Period

ROOT = Path(__file__).resolve().parents[2]
WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
TIANSHUI = "330103003"  # 天水街道

pytestmark = pytest.mark.django_db


def a_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def new_database(tmp_path):
    """A database nobody has used, as a URL: on PostgreSQL created with a unique name and dropped
    afterwards, on SQLite a file in tmp_path."""
    source = backup.Database.default()
    if source.engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"sc_restore_{uuid.uuid4().hex[:12]}"
    server = backup.Database(**{**source.__dict__, "name": "postgres"})
    with server.pg_connect() as conn:
        conn.autocommit = True
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = urllib.parse.quote(source.user, safe="")
    if source.password:
        auth += ":" + urllib.parse.quote(source.password, safe="")
    yield f"postgres://{auth}@{source.host or 'localhost'}:{source.port or 5432}/{name}"
    with server.pg_connect() as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(plan, unit, make_user):
    """What a district holds after a while: a hazard with its photo, a report with an attachment,
    an import upload waiting to be confirmed — each kind of file under MEDIA_ROOT."""
    team = add_team("TEAM-WULIN", unit(DISTRICT_CODE), [unit(WULIN)])
    inspector = make_user(Role.INSPECTOR, team, username="inspector")
    make_user(Role.STREET_STAFF, unit(TIANSHUI), username="tianshui")
    street = make_user(Role.STREET_STAFF, unit(WULIN), username="wulin")
    hazard = hazard_services.hazard_report(
        by=inspector,
        photos=[photo()],
        title="菜场消防通道堵塞",
        unit=unit(ZHONGBEI),
        sector=Sector.objects.get(code="fire_safety"),
        description="东侧消防通道堆放货物",
        source=Source.INSPECTION,
    )
    period = Period.objects.get(campaign=plan, report_type__code="monthly_item", key="2019-03")
    report = report_services.submission_start(by=street, unit=unit(WULIN), period=period, title="三月工作信息")
    report_services.attachment_add(
        submission=report, by=street, upload=clean_attachment(SimpleUploadedFile("检查记录.pdf", a_pdf()))
    )
    store_upload(SimpleUploadedFile("风险清单.xlsx", b"PK\x03\x04 stands in for an xlsx"))
    return {"photo": hazard.photos.get(kind=HazardPhoto.Kind.BEFORE), "attachment": report.attachments.get()}


@pytest.fixture
def guarded_table():
    """On PostgreSQL, a table whose trigger refuses UPDATE and DELETE, as the audit trail's rows
    are: a restore into an empty database must still bring its rows and its trigger back."""
    if connection.vendor != "postgresql":
        yield None
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TABLE backup_drill_guarded (id integer PRIMARY KEY, what text NOT NULL);
            CREATE FUNCTION backup_drill_refuse() RETURNS trigger LANGUAGE plpgsql AS
              $$ BEGIN RAISE EXCEPTION 'append-only'; END $$;
            CREATE TRIGGER backup_drill_append_only BEFORE UPDATE OR DELETE ON backup_drill_guarded
              FOR EACH ROW EXECUTE FUNCTION backup_drill_refuse();
            INSERT INTO backup_drill_guarded VALUES (1, 'sign-in'), (2, 'export'), (3, 'denied');
            """
        )
    yield "backup_drill_guarded"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE backup_drill_guarded; DROP FUNCTION backup_drill_refuse();")


def serve_photo_from(database_url, media_root, photo_pk, usernames):
    """Start the platform on the restored database and media folder (a process of its own, as
    after a real restore) and ask for the photo as each user: status, type, bytes' SHA-256,
    and what Pillow makes of them."""
    script = f"""
import django, hashlib, io, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from PIL import Image
from districts.models import User
from districts.second_factor import force_login_verified
setup_test_environment()
answers = {{}}
for username in {usernames!r}:
    client = Client()
    force_login_verified(client, User.objects.get(username=username))
    response = client.get(reverse("hazard_photo", args=[{photo_pk}]))
    answer = {{"status": response.status_code, "type": response.get("Content-Type")}}
    if response.status_code == 200:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        image = Image.open(io.BytesIO(body))
        image.load()
        answer |= {{"sha256": hashlib.sha256(body).hexdigest(), "format": image.format, "size": list(image.size)}}
    answers[username] = answer
print(json.dumps(answers))
"""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "campaign.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_restore_drill_dump_restore_into_a_new_database_and_folder_counts_checksums_and_the_photo_open(
    world, guarded_table, new_database, tmp_path, told
):
    media = Path(settings.MEDIA_ROOT)
    out = tmp_path / "backups" / "backup-drill"
    call_command("backup", "--output", str(out), stdout=io.StringIO())

    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [backup.DUMP_FILES[backup.Database.default().engine], "media.tar", "manifest.json"]
    )
    live_counts = backup.count_rows(backup.Database.default())
    # The backup's own audit row is written after its snapshot.
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(kind="backup", detail__manifest_sha256__isnull=False).count() == 1
    live_counts["audit_auditevent"] -= 1
    assert manifest["database"]["tables"] == live_counts
    assert manifest["database"]["tables"]["hazards_hazardphoto"] == 1
    assert manifest["database"]["tables"]["reporting_attachment"] == 1
    photo, attachment = world["photo"], world["attachment"]
    kept = {photo.image.name, photo.thumbnail.name, attachment.file.name}
    assert kept < set(manifest["media"]["files"])
    assert any(name.startswith("imports/") for name in manifest["media"]["files"])
    assert manifest["media"]["files"] == backup.media_inventory(media)  # every file, every SHA-256
    assert manifest["database"]["sha256"] == backup.sha256_of(out / manifest["database"]["file"])

    restored_media = tmp_path / "restored-media"
    report = io.StringIO()
    call_command(
        "restore", str(out), "--database-url", new_database, "--media-root", str(restored_media), stdout=report
    )
    assert "Every table's row count and every file's checksum match the manifest" in report.getvalue()

    restored = backup.Database.from_url(new_database)
    assert backup.count_rows(restored) == live_counts
    assert backup.media_inventory(restored_media) == manifest["media"]["files"]

    # The platform, started on the restored copy, serves the photo to who may see it, and only to them.
    answers = serve_photo_from(new_database, restored_media, photo.pk, ["inspector", "tianshui"])
    assert answers["inspector"]["status"] == 200
    assert answers["inspector"]["type"] == "image/jpeg"
    assert answers["inspector"]["sha256"] == manifest["media"]["files"][photo.image.name]["sha256"]
    assert answers["inspector"]["format"] == "JPEG"
    assert answers["inspector"]["size"] == [photo.width, photo.height]
    assert answers["tianshui"]["status"] == 404
    with Image.open(restored_media / photo.thumbnail.name) as thumbnail:
        thumbnail.load()

    if guarded_table:  # the append-only trigger came back, after its rows
        with restored.pg_connect() as conn:
            assert conn.execute("SELECT count(*) FROM backup_drill_guarded").fetchone()[0] == 3
            with pytest.raises(Exception, match="append-only"):
                conn.execute("DELETE FROM backup_drill_guarded")

    kinds = [e.kind for e in told]
    assert kinds == ["backup", "restore"]
    assert told[0].detail["manifest_sha256"] == backup.sha256_of(out / "manifest.json")
    assert told[1].detail["ok"] is True


@pytest.fixture
def media_file():
    """One photo-sized file under MEDIA_ROOT, as the hazards app stores them."""
    path = Path(settings.MEDIA_ROOT) / "hazards" / "2026" / "03" / "photo.jpg"
    path.parent.mkdir(parents=True)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return "hazards/2026/03/photo.jpg"


@pytest.fixture
def made(tmp_path, media_file, told):
    out = tmp_path / "backup-test"
    call_command("backup", "--output", str(out), stdout=io.StringIO())
    told.clear()
    return out


def test_a_backup_refuses_an_output_that_exists_and_a_folder_inside_media(made, told):
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(made), stdout=io.StringIO())
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", "--output", str(Path(settings.MEDIA_ROOT) / "backup-x"), stdout=io.StringIO())
    assert not (Path(settings.MEDIA_ROOT) / "backup-x").exists()


def test_a_backup_on_postgresql_refuses_in_one_line_when_pg_dump_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    db = backup.Database(engine="postgresql", name="safetycity", host="127.0.0.1", user="postgres")
    with pytest.raises(backup.BackupError) as refused:
        backup.create_backup(tmp_path / "backup-x", db=db)
    assert str(refused.value) == (
        "pg_dump was not found: install the PostgreSQL client (apt-get install postgresql-client)"
    )
    assert list(tmp_path.iterdir()) == []  # no folder, not even a partial one


def test_verify_says_a_sound_backup_is_sound(made, told):
    out = io.StringIO()
    call_command("backup", "--verify", str(made), stdout=out)
    assert "sound" in out.getvalue()
    assert [e.kind for e in told] == ["backup"] and told[0].detail["ok"] is True


def rewrite_member(tar_path: Path, name: str, data: bytes) -> None:
    """Put other bytes (of the same size) under `name` in the tar: a photo swapped after the backup."""
    members = []
    with tarfile.open(tar_path) as tar:
        for member in tar:
            members.append((member, data if member.name == name else tar.extractfile(member).read()))
    with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
        for member, content in members:
            tar.addfile(member, io.BytesIO(content))


def test_a_tampered_photo_is_named_by_verify_and_refused_by_restore(made, media_file, new_database, tmp_path, told):
    size = (Path(settings.MEDIA_ROOT) / media_file).stat().st_size
    rewrite_member(made / "media.tar", media_file, b"\xff" * size)

    errors = io.StringIO()
    with pytest.raises(CommandError, match="do not restore this backup"):
        call_command("backup", "--verify", str(made), stdout=io.StringIO(), stderr=errors)
    assert f"media.tar: {media_file}: SHA-256 differs from the manifest" in errors.getvalue()

    target_media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match=f"nothing was restored: .*{media_file}"):
        call_command("restore", str(made), "--database-url", new_database, "--media-root", str(target_media))
    assert not target_media.exists()
    assert backup.count_rows(backup.Database.from_url(new_database)) == {}
    assert told[-1].kind == "restore" and told[-1].detail["ok"] is False


def test_a_partial_backup_is_refused_and_the_missing_piece_named(made, new_database, tmp_path):
    dump = made / json.loads((made / "manifest.json").read_text())["database"]["file"]
    dump.write_bytes(dump.read_bytes()[:1000])  # a copy cut short
    with pytest.raises(CommandError, match=f"nothing was restored: {dump.name}: 1000 bytes, the manifest says"):
        call_command("restore", str(made), "--database-url", new_database, "--media-root", str(tmp_path / "m"))

    (made / "media.tar").unlink()
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("backup", "--verify", str(made), stdout=io.StringIO(), stderr=errors)
    assert "media.tar: missing" in errors.getvalue()

    (made / "manifest.json").unlink()
    with pytest.raises(CommandError, match=r"manifest\.json: missing"):
        call_command("backup", "--verify", str(made))


def test_a_restore_refuses_a_database_or_folder_that_is_not_empty_unless_forced(
    made, media_file, new_database, tmp_path
):
    target_media = tmp_path / "restored-media"
    args = [str(made), "--database-url", new_database, "--media-root", str(target_media)]
    call_command("restore", *args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not empty: restore into a new database, or add --force"):
        call_command("restore", *args, stdout=io.StringIO())

    # The live database (the one the platform runs on) is refused just the same.
    with pytest.raises(CommandError, match="is not empty: restore into a new database"):
        call_command("restore", str(made), "--media-root", str(tmp_path / "elsewhere"), stdout=io.StringIO())

    stray = target_media / "hazards" / "left-over.jpg"
    stray.write_bytes(b"from before")
    out = io.StringIO()
    call_command("restore", *args, "--force", stdout=out)
    assert "match the manifest" in out.getvalue()
    assert not stray.exists()
    assert (target_media / media_file).read_bytes() == (Path(settings.MEDIA_ROOT) / media_file).read_bytes()


def test_a_restore_refuses_a_media_folder_that_is_not_empty(made, new_database, tmp_path):
    target_media = tmp_path / "restored-media"
    target_media.mkdir()
    (target_media / "someone-elses.pdf").write_bytes(b"%PDF-")
    with pytest.raises(CommandError, match="restored-media is not empty: restore into a new folder"):
        call_command("restore", str(made), "--database-url", new_database, "--media-root", str(target_media))
    assert backup.count_rows(backup.Database.from_url(new_database)) == {}
    assert [p.name for p in target_media.iterdir()] == ["someone-elses.pdf"]


def test_a_restored_copy_that_differs_from_the_manifest_fails_the_comparison(made, new_database, tmp_path):
    manifest = json.loads((made / "manifest.json").read_text())
    target_media = tmp_path / "restored-media"
    backup.restore_backup(made, db=backup.Database.from_url(new_database), media_root=target_media)
    manifest["database"]["tables"]["districts_orgunit"] += 1  # as if a row were lost on the way
    comparison = backup.compare(manifest, db=backup.Database.from_url(new_database), media_root=target_media)
    assert comparison.problems == [
        f"districts_orgunit: {manifest['database']['tables']['districts_orgunit']} in the backup, "
        f"{manifest['database']['tables']['districts_orgunit'] - 1} restored"
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite counts the copy itself, once made")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_counts_are_those_of_the_dumped_snapshot_while_rows_keep_arriving(
    guarded_table, new_database, tmp_path, monkeypatch
):
    counted = databases._pg_counts

    def counts_while_someone_writes(cursor):
        with backup.Database.default().pg_connect() as other:  # committed on leaving
            other.execute("INSERT INTO backup_drill_guarded VALUES (4, 'a sign-in meanwhile')")
        return counted(cursor)

    monkeypatch.setattr(databases, "_pg_counts", counts_while_someone_writes)
    manifest = backup.create_backup(tmp_path / "backup-busy")
    monkeypatch.undo()

    assert manifest["database"]["tables"][guarded_table] == 3
    assert backup.count_rows(backup.Database.default())[guarded_table] == 4
    _, comparison = backup.restore_backup(
        tmp_path / "backup-busy", db=backup.Database.from_url(new_database), media_root=tmp_path / "media-restored"
    )
    assert comparison.ok, comparison.problems
