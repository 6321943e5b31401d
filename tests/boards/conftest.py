"""Fixtures for the boards tests: data built in short app contexts, clients per person.

The shared `make` fixture keeps one app context open for the whole test, and Flask reuses an
open app context (its `g`, where Flask-Login caches the current user, and its session) for
every request: a second client would see the first one's login. Tests that make requests with
several people build their data through `world` instead, each step in its own short context.
"""

import re
from datetime import timedelta

import pytest

from app.boards import services
from app.extensions import db
from app.models import Board, MeetingStatus, Post, Role, User, Vote
from app.timeutil import utcnow
from tests import factories

HX = {"HX-Request": "true"}

# Meeting start times that put a board in each phase.
PHASES = {
    "before": timedelta(days=7),
    "during": timedelta(minutes=-30),
    "after": timedelta(days=-7),
}


class World:
    """Creates and reads test data, each call in its own app context; returns detached objects
    with their columns loaded (relationships are not: use ids)."""

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

    def board(
        self,
        *,
        phase: str = "before",
        status: str = MeetingStatus.PUBLISHED,
        closed: bool = False,
        hide_votes: bool = False,
        **fields,
    ) -> Board:
        with self.app.app_context():
            meeting = factories.meeting(starts_in=PHASES[phase], status=status, **fields)
            board = meeting.boards[0]
            if closed:
                board.closed_at = utcnow()
            board.hide_votes_until_start = hide_votes
            return self._keep(board)

    def thread(self, board: Board, author: User, **fields) -> Post:
        with self.app.app_context():
            return self._keep(
                factories.thread(
                    db.session.get(Board, board.id), db.session.get(User, author.id), **fields
                )
            )

    def reply(self, parent: Post, author: User, **fields) -> Post:
        with self.app.app_context():
            return self._keep(
                factories.reply(
                    db.session.get(Post, parent.id), db.session.get(User, author.id), **fields
                )
            )

    def vote(self, post: Post, voter: User) -> None:
        with self.app.app_context():
            services.set_vote(db.session.get(Post, post.id), db.session.get(User, voter.id), True)
            db.session.commit()

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

    def update(self, model, ident, **values) -> None:
        with self.app.app_context():
            obj = db.session.get(model, ident)
            for name, value in values.items():
                setattr(obj, name, value)
            db.session.commit()

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


def votes_and_count(world: World, post_id: int) -> tuple[int, int]:
    """(vote_count column, number of vote rows) for a post, as the database holds them."""
    return world.get(Post, post_id).vote_count, world.count(Vote, post_id=post_id)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def text(response) -> str:
    return response.get_data(as_text=True)
