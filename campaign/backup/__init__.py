"""Backup and restore of the whole platform: the database and the uploaded files.

A backup is one folder, `backup-YYYYmmdd-HHMMSS/`, holding

    database.dump      pg_dump -Fc of the PostgreSQL database (database.sqlite3 on SQLite,
                       made with SQLite's online backup API)
    media.tar          every file under MEDIA_ROOT: hazard photos, report attachments,
                       stored import uploads
    manifest.json      rows per table, every file's size and SHA-256, and the SHA-256 of
                       database.dump and media.tar

On PostgreSQL the row counts are taken inside the very snapshot pg_dump dumps (an exported
snapshot), so they are exact even while the platform is in use. The folder is written as
`….partial` and renamed only once complete: a folder without that suffix is a finished backup.

A restore first checks every checksum (a tampered or partial backup is refused, naming the
file), refuses a target database or media folder that is not empty unless forced, restores,
then counts and hashes again and compares with the manifest.

Checksums find a damaged or incomplete copy; they do not stop someone who rewrites the
manifest too. The manifest's own SHA-256 is printed and sent to the audit trail, so a
backup can be matched against the (append-only) record of when it was made.
"""

import dataclasses
import datetime
import json
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from campaign.backup.databases import (
    DUMP_FILES,
    ENGINE_NAMES,
    BackupError,
    Database,
    count_rows,
    database_is_empty,
    dump_postgresql,
    dump_sqlite,
    restore_postgresql,
    restore_sqlite,
)
from campaign.backup.files import (
    MEDIA_TAR,
    check_media_tar,
    folder_is_empty,
    media_inventory,
    replace_media,
    sha256_of,
    write_media_tar,
)
from campaign.lib.signals import tell

__all__ = [
    "DUMP_FILES",
    "MEDIA_TAR",
    "BackupError",
    "Comparison",
    "Database",
    "compare",
    "count_rows",
    "create_backup",
    "media_inventory",
    "read_manifest",
    "restore_backup",
    "sha256_of",
    "verify_and_tell",
    "verify_backup",
]

FORMAT = 1
MANIFEST = "manifest.json"


# -- Backup ----------------------------------------------------------------------------------


def default_output() -> Path:
    return Path(settings.BACKUP_DIR) / f"backup-{timezone.localtime():%Y%m%d-%H%M%S}"


def create_backup(output: Path | None = None, *, db: Database | None = None, media_root: Path | None = None) -> dict:
    """Write a backup folder at `output`; returns the manifest (with its path and SHA-256)."""
    db = db or Database.default()
    media_root = Path(media_root or settings.MEDIA_ROOT).resolve()
    output = Path(output or default_output()).absolute()
    partial = output.with_name(output.name + ".partial")
    if output.exists():
        raise BackupError(f"{output} already exists: choose another --output")
    if partial.exists():
        raise BackupError(f"{partial} exists (an unfinished backup?): remove it or choose another --output")
    if output.resolve().is_relative_to(media_root):
        raise BackupError(f"{output} is inside MEDIA_ROOT ({media_root}): the backup would contain itself")
    if db.engine == "postgresql" and shutil.which("pg_dump") is None:
        raise BackupError("pg_dump was not found: install the PostgreSQL client (apt-get install postgresql-client)")
    output.parent.mkdir(parents=True, exist_ok=True)
    # It holds every password hash and every report: readable by its owner only.
    partial.mkdir(mode=0o700)
    try:
        dump = partial / DUMP_FILES[db.engine]
        started = datetime.datetime.now(datetime.UTC)
        # The database first, then the files: every file a row names was written before the
        # snapshot and so is in the tar (a file added meanwhile is merely extra).
        counts, migrations = (dump_postgresql if db.engine == "postgresql" else dump_sqlite)(db, dump)
        files = write_media_tar(media_root, partial / MEDIA_TAR)
        manifest = {
            "format": FORMAT,
            "created_at": started.isoformat(timespec="seconds"),
            "database": {
                "engine": db.engine,
                "name": db.name if db.engine == "postgresql" else Path(db.name).name,
                "file": dump.name,
                "size": dump.stat().st_size,
                "sha256": sha256_of(dump),
                "migrations": migrations,
                "tables": counts,
            },
            "media": {
                "file": MEDIA_TAR,
                "size": (partial / MEDIA_TAR).stat().st_size,
                "sha256": sha256_of(partial / MEDIA_TAR),
                "files": files,
            },
            "totals": {
                "tables": len(counts),
                "rows": sum(counts.values()),
                "files": len(files),
                "bytes": sum(f["size"] for f in files.values()),
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in partial.iterdir():
            path.chmod(0o600)
        partial.rename(output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    manifest_sha = sha256_of(output / MANIFEST)
    tell(
        "backup",
        detail={
            "action": "backup",
            "path": str(output),
            "database": str(db),
            "manifest_sha256": manifest_sha,
            "database_sha256": manifest["database"]["sha256"],
            **manifest["totals"],
        },
    )
    return manifest | {"path": str(output), "manifest_sha256": manifest_sha}


# -- Verify ----------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    path = Path(path)
    if not path.is_dir():
        raise BackupError(f"{path} is not a backup folder")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{MANIFEST}: missing from {path} (not a backup, or an unfinished one)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST}: unreadable ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST}: not a backup manifest of format {FORMAT}")
    try:
        database, media = manifest["database"], manifest["media"]
        if database["engine"] not in DUMP_FILES or database["file"] != DUMP_FILES[database["engine"]]:
            raise ValueError("database")
        if media["file"] != MEDIA_TAR:
            raise ValueError("media")
        missing = [f"database.{k}" for k in ("sha256", "size", "tables") if k not in database]
        missing += [f"media.{k}" for k in ("sha256", "size", "files") if k not in media]
        if missing:
            raise KeyError(", ".join(missing))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{MANIFEST}: incomplete ({exc})") from exc
    return manifest


def _check_file(path: Path, expected: dict) -> str | None:
    if not path.is_file():
        return f"{path.name}: missing"
    size = path.stat().st_size
    if size != expected["size"]:
        return f"{path.name}: {size} bytes, the manifest says {expected['size']} (incomplete or altered)"
    if sha256_of(path) != expected["sha256"]:
        return f"{path.name}: SHA-256 differs from the manifest (altered)"
    return None


def verify_backup(path: Path) -> tuple[dict, list[str]]:
    """(manifest, problems): every checksum of the backup at `path`; no problem means sound."""
    path = Path(path)
    manifest = read_manifest(path)
    problems = []
    database, media = manifest["database"], manifest["media"]
    if problem := _check_file(path / database["file"], database):
        problems.append(problem)
    if problem := _check_file(path / MEDIA_TAR, media):
        problems.append(problem)
    if (path / MEDIA_TAR).is_file():
        # Even when the tar's checksum differs: say which photo or attachment was changed.
        problems += check_media_tar(path / MEDIA_TAR, media["files"])
    return manifest, problems


def verify_and_tell(path: Path) -> tuple[dict, list[str]]:
    detail = {"action": "verify", "path": str(Path(path).absolute())}
    try:
        manifest, problems = verify_backup(path)
    except BackupError as exc:
        tell("backup", detail=detail | {"ok": False, "problems": [str(exc)]})
        raise
    detail |= {"manifest_sha256": sha256_of(Path(path) / MANIFEST), "ok": not problems, "problems": problems[:20]}
    tell("backup", detail=detail)
    return manifest, problems


# -- Restore ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Comparison:
    """What the restored copy holds beside what the manifest says it should."""

    tables: list[tuple[str, int | None, int | None]]  # (table, in the backup, restored)
    files_expected: int
    files_equal: int
    file_problems: list[str]

    @property
    def table_problems(self) -> list[str]:
        return [
            f"{table}: {'absent' if want is None else want} in the backup, {'absent' if got is None else got} restored"
            for table, want, got in self.tables
            if want != got
        ]

    @property
    def problems(self) -> list[str]:
        return self.table_problems + self.file_problems

    @property
    def ok(self) -> bool:
        return not self.problems


def compare(manifest: dict, *, db: Database, media_root: Path) -> Comparison:
    wanted = manifest["database"]["tables"]
    got = count_rows(db)
    tables = [(table, wanted.get(table), got.get(table)) for table in sorted(set(wanted) | set(got))]
    expected = manifest["media"]["files"]
    found = media_inventory(Path(media_root))
    file_problems = []
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            file_problems.append(f"media/{name}: missing after the restore")
        elif name not in expected:
            file_problems.append(f"media/{name}: not in the backup")
        elif found[name] != expected[name]:
            file_problems.append(f"media/{name}: SHA-256 differs from the manifest")
    equal = sum(1 for name in expected if found.get(name) == expected[name])
    return Comparison(tables=tables, files_expected=len(expected), files_equal=equal, file_problems=file_problems)


def restore_backup(
    path: Path, *, db: Database | None = None, media_root: Path | None = None, force: bool = False
) -> tuple[dict, Comparison]:
    """Restore the backup at `path` into `db` and `media_root`, then compare with its manifest.

    Refuses (BackupError, nothing written) a backup whose checksums do not match, and a
    target that is not empty unless `force`."""
    path = Path(path)
    db = db or Database.default()
    media_root = Path(media_root or settings.MEDIA_ROOT).absolute()
    detail = {"action": "restore", "path": str(path.absolute()), "database": str(db), "media_root": str(media_root)}
    try:
        manifest, problems = verify_backup(path)
        if problems:
            more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
            raise BackupError(f"the backup is damaged, nothing was restored: {'; '.join(problems[:5])}{more}")
        engine = manifest["database"]["engine"]
        if engine != db.engine:
            raise BackupError(
                f"this is a backup of a {ENGINE_NAMES[engine]} database; {db} is {ENGINE_NAMES[db.engine]}"
            )
        if not force:
            if not database_is_empty(db):
                raise BackupError(f"{db} is not empty: restore into a new database, or add --force to replace it")
            if not folder_is_empty(media_root):
                raise BackupError(f"{media_root} is not empty: restore into a new folder, or add --force to replace it")
        elif media_root.exists() and not media_root.is_dir():
            raise BackupError(f"{media_root} is not a folder")
        if db.same_as(Database.default()):
            connections.close_all()  # our own connection must not hold locks on what is replaced
        dump = path / manifest["database"]["file"]
        if engine == "postgresql":
            restore_postgresql(dump, db, force=force)
        else:
            restore_sqlite(dump, db)
        replace_media(path / MEDIA_TAR, media_root)
        comparison = compare(manifest, db=db, media_root=media_root)
    except BackupError as exc:
        tell("restore", detail=detail | {"ok": False, "error": str(exc)})
        raise
    tell(
        "restore",
        detail=detail
        | {
            "ok": comparison.ok,
            "manifest_sha256": sha256_of(path / MANIFEST),
            "problems": comparison.problems[:20],
            **manifest["totals"],
        },
    )
    return manifest, comparison
