"""Fixtures for the actions tests: data built in short app contexts (`world`), clients per person.

The shared `make` fixture keeps one app context open for the whole test, and Flask reuses it
(its `g`, where Flask-Login caches the current user, and its session) for every request, so a
second client would see the first one's login. These tests build data through `world` instead,
each step in its own short context, as the boards tests do.
"""

import re
from datetime import timedelta

import pytest

from app.actions import services
from app.extensions import db
from app.models import Action, ActionStatus, Board, Meeting, Post, Role, User
from tests import factories

HX = {"HX-Request": "true"}


class World:
    """Creates and reads test data, each call in its own app context; returns ids or detached
    objects with their columns loaded."""

    def __init__(self, app):
        self.app = app

    def _keep(self, obj):
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def user(self, role: Role = Role.MEMBER, **fields) -> User:
        with self.app.app_context():
            fields.setdefault("password", None)  # no hashing: these people never log in by form
            return self._keep(factories.user(roles=role | Role.MEMBER, **fields))

    def visitor_account(self, **fields) -> User:
        """An account without the member role (e.g. roles removed)."""
        with self.app.app_context():
            fields.setdefault("password", None)
            return self._keep(factories.user(roles=Role(0), **fields))

    def meeting(self, **fields) -> Meeting:
        with self.app.app_context():
            return self._keep(factories.meeting(**fields))

    def series_with_meetings(self, *offsets_days, **fields):
        """A series and one meeting per offset (days from now), oldest first."""
        with self.app.app_context():
            series = factories.series(**fields)
            meetings = [
                factories.meeting(series_=series, starts_in=timedelta(days=d)) for d in offsets_days
            ]
            db.session.commit()
            ids = [m.id for m in meetings]
            return series.id, ids

    def board_of(self, meeting_id: int) -> int:
        with self.app.app_context():
            return db.session.get(Meeting, meeting_id).boards[0].id

    def thread(self, board_id: int, author: User, **fields) -> int:
        with self.app.app_context():
            post = factories.thread(
                db.session.get(Board, board_id), db.session.get(User, author.id), **fields
            )
            db.session.commit()
            return post.id

    def reply(self, post_id: int, author: User) -> int:
        with self.app.app_context():
            post = factories.reply(db.session.get(Post, post_id), db.session.get(User, author.id))
            db.session.commit()
            return post.id

    def action(self, proposer: User, **fields) -> int:
        """An action through the services (see tests.factories.action); returns its id."""
        with self.app.app_context():
            action = factories.action(db.session.get(User, proposer.id), **fields)
            db.session.commit()
            return action.id

    def get(self, model, ident):
        """The row as the database holds it now (detached, columns loaded)."""
        with self.app.app_context():
            obj = db.session.get(model, ident)
            if obj is not None:
                db.session.expunge(obj)
            return obj

    def count(self, model, **where) -> int:
        with self.app.app_context():
            return db.session.query(model).filter_by(**where).count()

    def status(self, action_id: int) -> str:
        return self.get(Action, action_id).status

    def run(self, fn, *args, **kwargs):
        """Run fn inside an app context and commit (for service calls in tests)."""
        with self.app.app_context():
            result = fn(*args, **kwargs)
            db.session.commit()
            return result

    def client(self, user: User | None = None):
        """A new test client, logged in as user when given."""
        client = self.app.test_client()
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return client


@pytest.fixture
def world(app):
    return World(app)


def text(response) -> str:
    return response.get_data(as_text=True)


def today():
    return services.today()


def due_fields(day) -> dict:
    return {"due_day": str(day.day), "due_month": str(day.month), "due_year": str(day.year)}


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


__all__ = ["HX", "ActionStatus", "World", "csrf_token_from", "due_fields", "text", "today"]
