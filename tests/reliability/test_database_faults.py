"""The database going away mid-request: a 503 page (a fragment for htmx), nothing half-written,
and the app serving again as soon as the database is back (the pool's pre-ping)."""

import re

import pytest
from flask import request
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.config import Config
from app.extensions import db
from app.models import Post, Role, Vote
from tests.conftest import app_on_test_database, client_as
from tests.reliability.conftest import is_postgres

HTMX = {"HX-Request": "true"}


class Outage:
    """Within `with`, every statement fails as on a dropped connection, from the first one whose
    SQL starts with `from_statement` (from the first statement at all when it is None)."""

    def __init__(self, engine, from_statement: str | None = None, error=OperationalError):
        self.engine = engine
        self.from_statement = from_statement
        self.down = from_statement is None
        self.error = error

    def _fail(self, conn, cursor, statement, parameters, context, executemany):
        if not self.down and statement.lstrip().upper().startswith(self.from_statement):
            self.down = True
        if self.down and self.error is OperationalError:
            raise OperationalError(
                statement, parameters, Exception("server closed the connection unexpectedly")
            )
        if self.down:
            raise self.error("QueuePool limit reached, connection timed out")

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._fail)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._fail)


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


@pytest.fixture
def question(make, member_client):
    """An open question by another member; member_client may vote on it."""
    post = make.thread(make.meeting().boards[0], title="Who holds the local data?")
    db.session.commit()
    return post.id


def _votes(post_id: int) -> tuple[int, int]:
    """(vote rows, the post's vote_count), read afresh."""
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == post_id))
    return rows, db.session.scalar(select(Post.vote_count).where(Post.id == post_id))


@pytest.mark.parametrize("error", [OperationalError, PoolTimeout], ids=["down", "pool full"])
def test_a_page_while_the_database_is_down_is_a_503_page(member_client, engine, error):
    with Outage(engine, error=error):
        response = member_client.get("/meetings/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "<title>Sorry, the service is unavailable – Roundtable</title>" in page
    assert "<h1>Sorry, the service is unavailable</h1>" in page
    # The member cannot be loaded: the layout shows the page as to a visitor, without failing.
    assert "Log in</a>" in page and "Log out" not in page


def test_an_htmx_request_while_the_database_is_down_gets_the_error_fragment(
    member_client, engine, question
):
    with Outage(engine):
        response = member_client.post(
            f"/boards/posts/{question}/vote", data={"want": "add"}, headers=HTMX
        )
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#htmx-errors"
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert re.search(r'id="htmx-error" data-status="503"', fragment)
    assert "Sorry, the service is unavailable" in fragment


def test_a_connection_lost_between_two_writes_keeps_neither_and_the_app_recovers(
    member_client, engine, question
):
    # The vote row is inserted, then the database goes before the count is updated.
    with Outage(engine, from_statement="UPDATE POST") as outage:
        response = member_client.post(f"/boards/posts/{question}/vote", data={"want": "add"})
        assert outage.down, "the outage never started: the vote no longer updates the count?"
    assert response.status_code == 503
    assert _votes(question) == (0, 0)

    # Back: the same member, the same request, works.
    assert member_client.get("/healthz").status_code == 200
    response = member_client.post(f"/boards/posts/{question}/vote", data={"want": "add"})
    assert response.status_code == 302
    assert _votes(question) == (1, 1)
    page = member_client.get("/meetings/").get_data(as_text=True)
    assert "Log out" in page


@pytest.fixture
def pg_app(app, database_uri, tmp_path):
    """An app whose PostgreSQL connections are named, so the test can end them on the server."""
    if not is_postgres(database_uri):
        pytest.skip("ends server connections with pg_terminate_backend: PostgreSQL only")
    options = {
        **Config.SQLALCHEMY_ENGINE_OPTIONS,  # pool_pre_ping, as deployed
        "connect_args": {"application_name": "roundtable-faults"},
    }
    with app_on_test_database(
        database_uri, tmp_path / "pg-outbox", SQLALCHEMY_ENGINE_OPTIONS=options
    ) as named:
        yield named


def test_a_backend_terminated_mid_request_is_a_503_then_the_app_recovers(
    pg_app, database_uri, question
):
    admin = create_engine(database_uri, isolation_level="AUTOCOMMIT")

    def terminate(pid: int | None = None, name: str | None = None) -> int:
        """End the server process pid, or every one of connections named name."""
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE pid = :pid OR application_name = :name"
                ),
                {"pid": pid, "name": name},
            )
            return len(ended.all())

    @pg_app.before_request
    def drop_this_requests_connection():
        # As if the server went away while the request was being served: its connection ends
        # after the request has started using it.
        if request.args.get("drop"):
            pid = db.session.scalar(text("SELECT pg_backend_pid()"))
            terminate(pid=pid)

    client = client_as(pg_app, Role.MEMBER)
    try:
        response = client.post(f"/boards/posts/{question}/vote?drop=1", data={"want": "add"})
        assert response.status_code == 503
        assert _votes(question) == (0, 0)
        response = client.post(f"/boards/posts/{question}/vote", data={"want": "add"})
        assert response.status_code == 302
        assert _votes(question) == (1, 1)

        # A server restart ends every connection the pool holds, idle ones included: each is
        # tested before use and replaced, so the next requests do not notice.
        assert client.get("/meetings/").status_code == 200
        assert terminate(name="roundtable-faults") >= 1
        assert client.get("/meetings/").status_code == 200
        response = client.post(f"/boards/posts/{question}/vote", data={"want": "remove"})
        assert response.status_code == 302
        assert _votes(question) == (0, 0)
    finally:
        admin.dispose()
