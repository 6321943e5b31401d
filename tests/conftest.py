"""Fixtures shared by every test: the app on an isolated database, clients per role, factories.

The schema is built once per run; each test starts from empty tables. TEST_DATABASE_URL runs the
same suite on PostgreSQL.
"""

import os
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import event, insert, text

from app import create_app
from app.config import TestConfig, database_url
from app.extensions import db
from app.models import ContentGeneration, Role
from app.models.cache import fresh_start
from tests import factories


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    """The test database: PostgreSQL when TEST_DATABASE_URL is set, else a SQLite file.

    A file (not :memory:) so that threads, a live server and several connections share it.
    """
    if url := os.environ.get("TEST_DATABASE_URL"):
        return database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_uri):
    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield
        db.drop_all()
        db.engine.dispose()


def _test_settings() -> dict:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


@contextmanager
def app_on_test_database(database_uri: str, outbox: Path, **overrides):
    """An app bound to the test database; its tables are emptied when the block ends.

    Tests that need a second app (rate limits switched on, CSRF on, a live server) use this too.
    """
    app = create_app(
        {
            **_test_settings(),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "MAIL_OUTBOX": str(outbox),
            **overrides,
        }
    )
    # A test that holds an app context open (the `make` fixture) shares it with every request,
    # and with it `g`, where Flask-Login caches the current user. In production each request
    # has its own context, so forget the user after each request, or a login would leak from
    # one test client into another.
    app.teardown_request(lambda exc: g.pop("_login_user", None))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(_schema, database_uri, tmp_path):
    """A fresh app bound to the test database, whose tables are emptied after the test."""
    with app_on_test_database(database_uri, tmp_path / "outbox") as app:
        yield app


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
        # The counter every cached fragment's key holds, as a new database has it.
        connection.execute(insert(ContentGeneration).values(id=1, value=fresh_start()))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that use the models directly."""
    with app.app_context():
        yield


@pytest.fixture
def make(ctx):
    """The factories, inside an app context: make.user(), make.meeting(), ..."""
    return factories


class Auth:
    """Logs a test client in as a user, without going through the form (that has its own tests)."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def login(self, user):
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    def as_role(self, role: Role | str, **kwargs):
        """Create a person holding role (and member) and log them in; returns the user."""
        if isinstance(role, str):
            role = Role[role.upper()]
        with self.app.app_context():
            user = factories.user(roles=role | Role.MEMBER, **kwargs)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return self.login(user)

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(app, client):
    return Auth(app, client)


def log_in(client, user):
    """Log client in as user (a User attached to a session, or its get_id() string)."""
    identity = user if isinstance(user, str) else user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = identity
        session["_fresh"] = True
    return client


def client_as(app, roles: Role, **fields):
    """A test client logged in as a new person holding roles; client.user_id names them."""
    client = app.test_client()
    with app.app_context():
        # No password: these people never use the log-in form, and hashing one is slow.
        user = factories.user(roles=roles | Role.MEMBER, password=None, **fields)
        db.session.commit()
        identity, client.user_id = user.get_id(), user.id
    return log_in(client, identity)


@pytest.fixture
def member_client(app):
    return client_as(app, Role.MEMBER)


@pytest.fixture
def facilitator_client(app):
    return client_as(app, Role.FACILITATOR, name="Priya Shah")


@pytest.fixture
def moderator_client(app):
    return client_as(app, Role.MODERATOR, name="Tom Byrne")


@pytest.fixture
def admin_client(app):
    return client_as(app, Role.ADMIN, name="Jo Mensah")


class QueryCounter:
    """Counts SQL statements run inside `with counter:`; statements are kept for failure output."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self):
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as q: client.get(...)`, then assert on q.count."""

    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        counter = QueryCounter(engine)
        with counter:
            yield counter

    return counting


@pytest.fixture
def outbox(app):
    """The emails sent so far, oldest first, as parsed messages (re-read on each call)."""

    def read():
        folder = Path(app.config["MAIL_OUTBOX"])
        if not folder.exists():
            return []
        files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]

    return read


def email_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
