"""The two databases a backup knows: PostgreSQL through pg_dump / pg_restore, SQLite through its
online backup API; and the row counts that the manifest keeps of either."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import environ
from django.db import connections

DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


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


def dump_postgresql(db: Database, target: Path) -> tuple[dict[str, int], dict[str, str]]:
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


def dump_sqlite(db: Database, target: Path) -> tuple[dict[str, int], dict[str, str]]:
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


def database_is_empty(db: Database) -> bool:
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


def restore_postgresql(dump: Path, db: Database, *, force: bool) -> None:
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


def restore_sqlite(dump: Path, db: Database) -> None:
    Path(db.name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(db.name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
