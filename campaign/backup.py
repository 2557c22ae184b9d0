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

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import environ
from django.conf import settings
from django.db import connections
from django.utils import timezone

from campaign.lib.signals import tell

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is one line for the operator."""


# -- Databases -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Database:
    """Where a database is, as the tools need it; the password never goes on a command line."""

    engine: str  # "postgresql" or "sqlite"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = dataclasses.field(default="", repr=False)
    options: tuple = ()

    @classmethod
    def from_settings(cls, config: dict) -> Database:
        engine = ENGINES.get(config["ENGINE"])
        if engine is None:
            raise BackupError(f"cannot back up a database of engine {config['ENGINE']}")
        options = tuple(
            (key, str(value))
            for key, value in (config.get("OPTIONS") or {}).items()
            if key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}
        )
        return cls(
            engine=engine,
            name=str(config["NAME"]),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            options=options if engine == "postgresql" else (),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # environ raises several types for bad URLs
            raise BackupError(f"not a usable database URL: {exc}") from exc
        if config.get("ENGINE") not in ENGINES:
            raise BackupError("the database URL must name PostgreSQL (postgres://…) or SQLite (sqlite:///…)")
        return cls.from_settings(config)

    @classmethod
    def default(cls) -> Database:
        # The connection's settings, not settings.DATABASES as written: under test they name
        # the test database.
        return cls.from_settings(connections["default"].settings_dict)

    def __str__(self):
        if self.engine == "sqlite":
            return f"SQLite {self.name}"
        where = f"{self.host or 'localhost'}:{self.port or 5432}"
        return f"PostgreSQL {self.user + '@' if self.user else ''}{where}/{self.name}"

    def same_as(self, other: Database) -> bool:
        if self.engine != other.engine:
            return False
        if self.engine == "sqlite":
            return Path(self.name).resolve() == Path(other.name).resolve()
        return (self.host, self.port or "5432", self.name) == (other.host, other.port or "5432", other.name)

    # PostgreSQL

    def pg_args(self) -> list[str]:
        args = []
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        if self.user:
            args += ["--username", self.user]
        return [*args, "--no-password"]

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        for key, value in self.options:
            env["PG" + key.upper()] = value
        return env

    def pg_connect(self):
        import psycopg

        params = {"dbname": self.name, "host": self.host, "port": self.port, "user": self.user}
        params = {k: v for k, v in params.items() if v} | dict(self.options)
        if self.password:
            params["password"] = self.password
        try:
            return psycopg.connect(**params)
        except psycopg.Error as exc:
            raise BackupError(f"cannot connect to {self}: {one_line(str(exc))}") from exc


def one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return "; ".join(lines) or "no message"


def _pg_tables(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    return cursor.fetchall()


def _pg_counts(cursor) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for schema, table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[table if schema == "public" else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in rows]


def _sqlite_counts(conn) -> dict[str, int]:
    return {
        # Names read from sqlite_master, quoted as identifiers.
        table: conn.execute(f'SELECT count(*) FROM "{table.replace(chr(34), chr(34) * 2)}"').fetchone()[0]  # noqa: S608
        for table in _sqlite_tables(conn)
    }


def _migrations(counts: dict[str, int], query) -> dict[str, str]:
    """The last migration applied per app, so that a restore can say which code fits the data."""
    if "django_migrations" not in counts:
        return {}
    latest: dict[str, str] = {}
    for app, name in query("SELECT app, name FROM django_migrations"):
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def count_rows(db: Database) -> dict[str, int]:
    """Rows per table of `db`, as the manifest keeps them."""
    if db.engine == "sqlite":
        if not Path(db.name).is_file():
            return {}
        with _sqlite_readonly(db.name) as conn:
            return _sqlite_counts(conn)
    with db.pg_connect() as conn, conn.cursor() as cursor:
        return _pg_counts(cursor)


class _sqlite_readonly:
    def __init__(self, path):
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()


def _dump_postgresql(db: Database, target: Path) -> tuple[dict[str, int], dict[str, str]]:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump was not found: install the PostgreSQL client (apt-get install postgresql-client)")
    with db.pg_connect() as conn:
        # One snapshot for the counts and the dump: exact even while people keep working.
        conn.autocommit = True  # so that this BEGIN is the transaction's first statement
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cursor:
            counts = _pg_counts(cursor)
            migrations = _migrations(counts, lambda q: cursor.execute(q).fetchall())
        result = subprocess.run(
            [pg_dump, *db.pg_args(), "--format=custom", f"--snapshot={snapshot}", f"--file={target}", db.name],
            env=db.pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        conn.execute("ROLLBACK")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {one_line(result.stderr)}")
    return counts, migrations


def _dump_sqlite(db: Database, target: Path) -> tuple[dict[str, int], dict[str, str]]:
    if not Path(db.name).is_file():
        raise BackupError(f"the SQLite database {db.name} does not exist")
    source = sqlite3.connect(f"file:{db.name}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a consistent copy even while others write
        counts = _sqlite_counts(copy)
        migrations = _migrations(counts, lambda q: copy.execute(q).fetchall())
    finally:
        copy.close()
        source.close()
    return counts, migrations


def _database_is_empty(db: Database) -> bool:
    if db.engine == "sqlite":
        if not Path(db.name).exists() or Path(db.name).stat().st_size == 0:
            return True
        try:
            with _sqlite_readonly(db.name) as conn:
                return not _sqlite_tables(conn)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{db.name} is not a SQLite database: {exc}") from exc
    with db.pg_connect() as conn, conn.cursor() as cursor:
        return not _pg_tables(cursor)


def _restore_postgresql(dump: Path, db: Database, *, force: bool) -> None:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore was not found: install the PostgreSQL client (apt-get install postgresql-client)")
    # All three sections in their order (tables, data, then indexes, constraints and
    # triggers): the audit trail's trigger refusing UPDATE/DELETE is made after its rows are
    # in. One transaction: a restore that fails leaves the target as it was.
    args = [pg_restore, *db.pg_args(), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if force:
        args += ["--clean", "--if-exists"]
    result = subprocess.run(
        [*args, f"--dbname={db.name}", str(dump)], env=db.pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {one_line(result.stderr)}")


def _restore_sqlite(dump: Path, db: Database) -> None:
    Path(db.name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(db.name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


# -- Files -----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file into the tar and hashes the very bytes it hands over."""

    def __init__(self, f):
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _media_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def _write_media_tar(root: Path, target: Path) -> dict[str, dict]:
    files = {}
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in _media_files(root):
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as f:
                reader = _HashingReader(f)
                tar.addfile(info, reader)
            files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
    return files


def media_inventory(root: Path) -> dict[str, dict]:
    """Every file under `root` with its size and SHA-256."""
    return {name: {"size": path.stat().st_size, "sha256": sha256_of(path)} for name, path in _media_files(root)}


def _folder_is_empty(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


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
        counts, migrations = (_dump_postgresql if db.engine == "postgresql" else _dump_sqlite)(db, dump)
        files = _write_media_tar(media_root, partial / MEDIA_TAR)
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


def _check_media_tar(path: Path, expected: dict[str, dict]) -> list[str]:
    problems = []
    seen = set()
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                name = member.name
                if not member.isfile():
                    problems.append(f"{MEDIA_TAR}: {name}: not a regular file")
                    continue
                seen.add(name)
                if name not in expected:
                    problems.append(f"{MEDIA_TAR}: {name}: not in the manifest")
                    continue
                digest = hashlib.sha256()
                f = tar.extractfile(member)
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                if member.size != expected[name]["size"] or digest.hexdigest() != expected[name]["sha256"]:
                    problems.append(f"{MEDIA_TAR}: {name}: SHA-256 differs from the manifest (altered)")
    except (tarfile.TarError, OSError, EOFError) as exc:
        return [*problems, f"{MEDIA_TAR}: unreadable ({exc})"]
    problems += [f"{MEDIA_TAR}: {name}: missing" for name in sorted(set(expected) - seen)]
    return problems


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
        problems += _check_media_tar(path / MEDIA_TAR, media["files"])
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


def _replace_media(tar_path: Path, media_root: Path) -> None:
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside the target first (same file system), moved in only once complete.
    staging = Path(tempfile.mkdtemp(prefix=f".{media_root.name}.restoring-", dir=media_root.parent))
    try:
        with tarfile.open(tar_path, "r:") as tar:
            tar.extractall(staging, filter="data")  # no absolute paths, no "..", no links out
        media_root.mkdir(exist_ok=True)
        for old in list(media_root.iterdir()):
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
        for new in staging.iterdir():
            new.rename(media_root / new.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
            if not _database_is_empty(db):
                raise BackupError(f"{db} is not empty: restore into a new database, or add --force to replace it")
            if not _folder_is_empty(media_root):
                raise BackupError(f"{media_root} is not empty: restore into a new folder, or add --force to replace it")
        elif media_root.exists() and not media_root.is_dir():
            raise BackupError(f"{media_root} is not a folder")
        if db.same_as(Database.default()):
            connections.close_all()  # our own connection must not hold locks on what is replaced
        dump = path / manifest["database"]["file"]
        if engine == "postgresql":
            _restore_postgresql(dump, db, force=force)
        else:
            _restore_sqlite(dump, db)
        _replace_media(path / MEDIA_TAR, media_root)
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
