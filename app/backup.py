"""Backups of the database while the app keeps serving, and restoring one (`flask backup`,
`flask restore`).

SQLite: the online backup API copies the database page by page into a new file, as one
consistent snapshot, while other connections go on reading and writing. PostgreSQL: pg_dump in
its custom format, which also reads from one snapshot; pg_restore brings it back. Both tools
come from the same major version as the server (a newer pg_dump writes settings an older server
rejects; an older one refuses a newer server). Either way the copy is written beside its final
name and renamed when complete, so a failed backup never leaves a half file at PATH.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text, update
from sqlalchemy.engine import URL, make_url

from app.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why, for the operator."""


def describe(url: URL) -> str:
    """The database in words, without its password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database}"
    return f"PostgreSQL database {url.database} on {url.host or 'localhost'}"


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def backup(path: Path) -> int:
    """Write a consistent copy of the app's database to path (which must not exist yet);
    returns its size in bytes."""
    url = database_url()
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_file(url), partial, "DELETE")
        else:
            _pg_run("pg_dump", "--format=custom", f"--file={partial}", url=url)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def restore(path: Path) -> None:
    """Replace the app's database with the backup at path: every row written since is lost."""
    url = database_url()
    sqlite = url.get_backend_name() == "sqlite"
    with path.open("rb") as backup_file:
        head = backup_file.read(len(SQLITE_MAGIC))
    if not head.startswith(SQLITE_MAGIC if sqlite else PG_DUMP_MAGIC):
        kind = "SQLite" if sqlite else "PostgreSQL"
        raise BackupError(f"{path} is not a {kind} backup (made by `flask backup`).")
    # The command's own connections would hold the old database open (SQLite) or block the
    # restore's DROP statements (PostgreSQL).
    db.session.remove()
    db.engine.dispose()
    if sqlite:
        _sqlite_check(path)
        _sqlite_copy(path, _sqlite_file(url), "WAL")
    else:
        _pg_run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(path),
            url=url,
        )
    _new_generation()


def _new_generation() -> None:
    """Running processes keep fragments keyed by versions this database has now gone back to;
    a fresh content generation keeps them from ever being found (app.content_generation)."""
    from app.models.cache import ContentGeneration, fresh_start

    if inspect(db.engine).has_table(ContentGeneration.__tablename__):
        with db.engine.begin() as connection:
            connection.execute(update(ContentGeneration).values(value=fresh_start()))


# SQLite ------------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return url.database


def _sqlite_copy(source: str | Path, target: str | Path, journal_mode: str) -> None:
    """Copy source into target with SQLite's online backup API (one consistent snapshot).

    A backup file is left in rollback-journal mode, one self-contained file; the live database
    goes back to WAL, as the app runs it.
    """
    source_db = sqlite3.connect(source, timeout=30)
    target_db = sqlite3.connect(target, timeout=30)
    try:
        source_db.backup(target_db)
        target_db.execute(f"PRAGMA journal_mode={journal_mode}")
    finally:
        target_db.close()
        source_db.close()


def _sqlite_check(path: Path) -> None:
    """Refuse a damaged file, or one that is not a Roundtable database."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (result,) = connection.execute("PRAGMA quick_check").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a SQLite database: {error}") from error
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a Roundtable database (it has no alembic_version).")


# PostgreSQL --------------------------------------------------------------------------------


def _pg_run(tool: str, *args: str, url: URL) -> None:
    """Run pg_dump or pg_restore of the server's major version against url."""
    program = pg_tool(tool, _server_major())
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    target = url.set(drivername="postgresql", password=None).render_as_string()
    result = subprocess.run(  # noqa: S603 (a fixed program; the URL is the operator's own)
        [program, *args, f"--dbname={target}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed:\n{result.stderr.strip() or result.stdout.strip()}")


def _server_major() -> int:
    with db.engine.connect() as connection:
        number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    db.engine.dispose()
    return number // 10000


def pg_tool(name: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore of the server's major version.

    Looked for in PG_BIN_DIR when set, else in Debian's /usr/lib/postgresql/<major>/bin, else
    on PATH. Raises BackupError when it is missing or of another major version.
    """
    folder = current_app.config.get("PG_BIN_DIR")
    candidates = [Path(folder) / name] if folder else []
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    if found := shutil.which(name):
        candidates.append(Path(found))
    existing = [str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)]
    if not existing:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL {server_major} client tools "
            f"(Debian: apt-get install postgresql-client-{server_major}), or set PG_BIN_DIR "
            "to the folder that holds them."
        )
    versions = {}
    for program in existing:
        major = _tool_major(program)
        if major == server_major:
            return program
        versions[program] = major
    found_text = ", ".join(f"{p} is version {v}" for p, v in versions.items())
    raise BackupError(
        f"{name} must be of the server's major version, {server_major}: {found_text}. Install "
        f"postgresql-client-{server_major}, or set PG_BIN_DIR to the folder that holds it."
    )


def _tool_major(program: str) -> int | None:
    result = subprocess.run(  # noqa: S603 (the path of a PostgreSQL client tool)
        [program, "--version"], capture_output=True, text=True, check=False
    )
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(match.group(1)) if match else None
