"""Fixtures for the auth tests: people made outside a long-lived app context, and rate limits on.

Auth tests log several clients in and out. The shared `make` fixture keeps one app context open
for the whole test, and Flask reuses an open app context (and its `g`, where Flask-Login caches
the current user) for every request: a second client would then see the first one's login. So
these tests create people in short app contexts instead.
"""

import re
from contextlib import ExitStack

import pytest

from app.extensions import db
from app.models import User
from tests import factories
from tests.conftest import app_on_test_database
from tests.factories import PASSWORD


class People:
    """Creates and reloads users, each in its own short app context."""

    def __init__(self, app):
        self.app = app

    def add(self, **fields) -> User:
        """A committed user, returned detached with every column loaded."""
        with self.app.app_context():
            user = factories.user(**fields)
            db.session.commit()
            db.session.refresh(user)
            return user

    def get(self, user_id: int) -> User:
        """The user as the database holds it now (detached, columns loaded)."""
        with self.app.app_context():
            return db.session.get(User, user_id)


@pytest.fixture
def people(app):
    return People(app)


def log_in(client, email, password=PASSWORD, **extra):
    """Post the login form (follow_redirects off, so tests see the 302)."""
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def logged_in_as(client) -> str | None:
    """The Flask-Login identity ("id:generation") the client's session holds, if any."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def limited_app(_schema, database_uri, tmp_path):
    """Build an app with rate limits on: limited_app(RATELIMIT_LOGIN_ACCOUNT="2 per minute").

    The limiter is one object shared by every app, and the last app built decides whether it
    is on, so a test using this must not use the usual `app` fixture as well. Each build starts
    with empty counters (in-memory storage).
    """
    with ExitStack() as stack:

        def build(**overrides):
            return stack.enter_context(
                app_on_test_database(
                    database_uri, tmp_path / "outbox", RATELIMIT_ENABLED=True, **overrides
                )
            )

        yield build
