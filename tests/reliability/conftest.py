"""What the reliability tests share: databases of their own, built by the migrations, and
snapshots of every row of every table to compare."""

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, inspect, select, table, text
from sqlalchemy.engine import Engine, make_url

from app import create_app
from app.extensions import db
from tests.conftest import _test_settings


def is_postgres(database_uri: str) -> bool:
    return make_url(database_uri).get_backend_name() == "postgresql"


@contextmanager
def scratch_database(database_uri: str, suffix: str, tmp_path):
    """An empty database beside the test database: a SQLite file, or a new PostgreSQL database
    named after it (dropped afterwards, whoever is still connected)."""
    url = make_url(database_uri)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / f'{suffix}.db'}"
        return
    name = f"{url.database}_{suffix}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app_on(tmp_path):
    """app_on(uri, **settings): an app (test settings) bound to another database; each one made
    is disposed of when the test ends."""
    made = []

    def make(uri: str, **settings):
        app = create_app(
            {
                **_test_settings(),
                "SQLALCHEMY_DATABASE_URI": uri,
                "MAIL_OUTBOX": str(tmp_path / "outbox"),
                **settings,
            }
        )
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def snapshot(engine: Engine, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table in the database (not just the models': the full-text tables and
    alembic_version too), each table's rows sorted, to compare two states of a database."""
    tables = sorted(set(inspect(engine).get_table_names()) - skip)
    rows = {}
    with engine.connect() as connection:
        for name in tables:
            result = connection.execute(select(text("*")).select_from(table(name)))
            rows[name] = sorted(map(tuple, result), key=repr)
    return rows


def differences(before: dict, after: dict) -> list[str]:
    """Readable differences between two snapshots (empty when they are equal)."""
    found = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            found.append(f"{name}: table missing")
        elif name not in before:
            found.append(f"{name}: table added")
        elif before[name] != after[name]:
            gone = [r for r in before[name] if r not in after[name]]
            new = [r for r in after[name] if r not in before[name]]
            found.append(f"{name}: {len(gone)} rows gone {gone[:2]}, {len(new)} new {new[:2]}")
    return found
