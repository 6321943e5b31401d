"""Fixtures for the agenda tests: data built in short app contexts, clients per person.

The shared `make` fixture keeps one app context (and its session) open for the whole test, which
every request then shares. Tests here build their data through `world` instead, each step in its
own short context, as a separate request would; what comes back is ids and plain values.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import template_rendered

from app.actions import reviews
from app.actions import services as actions
from app.agenda import queries, services
from app.boards import services as boards
from app.extensions import db
from app.models import Action, Agenda, AgendaItem, Board, MeetingStatus, Post, Role, User
from app.timeutil import utcnow
from tests import factories

HX = {"HX-Request": "true"}


@dataclass
class M:
    """A meeting as the tests need it: its id, its boards' ids (in theme order), its series."""

    id: int
    series_id: int
    boards: list[int] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)


class World:
    def __init__(self, app):
        self.app = app

    @contextmanager
    def ctx(self):
        with self.app.app_context():
            yield
            db.session.commit()

    def user(self, role: Role = Role.MEMBER, **fields) -> int:
        with self.ctx():
            fields.setdefault("password", None)
            return factories.user(roles=role | Role.MEMBER, **fields).id

    def meeting(
        self,
        *,
        themes=("Holistic approach",),
        status=MeetingStatus.PUBLISHED,
        starts_in=timedelta(days=7),
        length=timedelta(minutes=90),
        series_id: int | None = None,
        title=None,
    ) -> M:
        with self.ctx():
            from app.models import Series

            series = (
                db.session.get(Series, series_id) if series_id else factories.series(themes=themes)
            )
            meeting = factories.meeting(
                series_=series, status=status, starts_in=starts_in, length=length, title=title
            )
            boards_ = sorted(meeting.boards, key=lambda b: b.position)
            return M(
                meeting.id,
                series.id,
                [b.id for b in boards_],
                [b.theme_id for b in boards_],
            )

    def question(
        self,
        board_id: int,
        *,
        title=None,
        votes=0,
        author: int | None = None,
        anonymous=False,
        ago=timedelta(hours=1),
        replies=0,
    ) -> int:
        with self.ctx():
            board = db.session.get(Board, board_id)
            person = db.session.get(User, author) if author else None
            post = factories.thread(
                board, person, title=title, anonymous=anonymous, now=utcnow() - ago
            )
            for _ in range(votes):
                boards.set_vote(post, factories.user(password=None), True)
            for _ in range(replies):
                factories.reply(post)
            return post.id

    def add_question(self, meeting_id: int, post_id: int) -> int:
        with self.ctx():
            meeting = self._meeting(meeting_id)
            item, _ = services.add_question(meeting, db.session.get(Post, post_id))
            return item.id

    def add_item(self, meeting_id: int, title="Break", minutes=10, **kw) -> int:
        with self.ctx():
            return services.add_free_item(self._meeting(meeting_id), title, minutes, **kw).id

    def publish(self, meeting_id: int, when=None) -> None:
        with self.ctx():
            actor = factories.user(roles=Role.FACILITATOR, password=None)
            services.publish(self._meeting(meeting_id), actor, now=when)

    def not_taken(self, meeting_id: int, post_id: int, reason="Covered last time") -> None:
        with self.ctx():
            actor = factories.user(roles=Role.FACILITATOR, password=None)
            services.mark_not_taken(
                self._meeting(meeting_id), db.session.get(Post, post_id), reason, actor
            )

    def action(
        self,
        meeting_id: int,
        *,
        title=None,
        owners=1,
        invited=0,
        status=None,
        update=None,
        now=None,
        people: list[int] | None = None,
    ) -> int:
        """An action that came out of the meeting: a proposer who owns it, `owners - 1` more
        accepted owners and `invited` people still to answer (new people, or taken in turn from
        the ids in `people`), moved to status, with a progress update when given; its id."""
        with self.ctx():
            pool = iter(db.session.get(User, ident) for ident in people or [])

            def person():
                return next(pool, None) or factories.user(password=None)

            proposer = person()
            others = [person() for _ in range(max(owners - 1, 0))]
            waiting = [person() for _ in range(invited)]
            action = factories.action(
                proposer,
                title=title,
                owners=others,
                invited=waiting,
                status=status,
                source=("meeting", meeting_id),
                now=now,
            )
            if update:
                actions.post_update(action, proposer, update, now=now)
            return action.id

    def review(self, meeting_id: int, action_id: int, outcome="Carry on") -> None:
        """Record the action's review at the meeting, by a new facilitator."""
        with self.ctx():
            actor = factories.user(roles=Role.FACILITATOR, password=None)
            reviews.record_review(
                db.session.get(Action, action_id), self._meeting(meeting_id), actor, outcome
            )

    def add_review(self, meeting_id: int) -> int:
        """The agenda's actions review item (the "actions" quick choice); returns its id."""
        with self.ctx():
            item, _ = services.add_actions_review(self._meeting(meeting_id))
            return item.id

    def update(self, model, ident, **values) -> None:
        with self.ctx():
            obj = db.session.get(model, ident)
            for name, value in values.items():
                setattr(obj, name, value)

    def get(self, model, ident):
        with self.app.app_context():
            obj = db.session.get(model, ident)
            if obj is not None:
                db.session.expunge(obj)
            return obj

    def items(self, meeting_id: int) -> list[tuple[int, int, str]]:
        """(id, position, title) of the meeting's items as the database holds them, in order."""
        with self.app.app_context():
            agenda = queries.agenda_for(meeting_id)
            if agenda is None:
                return []
            return [
                (row.id, row.position, row.title)
                for row in db.session.execute(
                    db.select(AgendaItem.id, AgendaItem.position, AgendaItem.title)
                    .where(AgendaItem.agenda_id == agenda.id)
                    .order_by(AgendaItem.position, AgendaItem.id)
                )
            ]

    def agenda(self, meeting_id: int) -> Agenda | None:
        with self.app.app_context():
            agenda = queries.agenda_for(meeting_id)
            if agenda is not None:
                db.session.expunge(agenda)
            return agenda

    def _meeting(self, meeting_id):
        from app.models import Meeting

        return db.session.get(Meeting, meeting_id)

    def client(self, role: Role | None = None, user_id: int | None = None):
        """A test client: a visitor, a new person holding role, or user_id."""
        client = self.app.test_client()
        if role is not None and user_id is None:
            user_id = self.user(role)
        if user_id is not None:
            with self.app.app_context():
                identity = db.session.get(User, user_id).get_id()
            with client.session_transaction() as session:
                session["_user_id"] = identity
                session["_fresh"] = True
            client.user_id = user_id
        return client


@pytest.fixture
def world(app):
    return World(app)


ROLES = {
    "visitor": None,
    "member": Role.MEMBER,
    "facilitator": Role.FACILITATOR,
    "admin": Role.ADMIN,
}


@pytest.fixture
def facilitator(world):
    return world.client(Role.FACILITATOR)


@pytest.fixture
def member(world):
    return world.client(Role.MEMBER)


@contextmanager
def templates_rendered(app):
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def text(response) -> str:
    return response.get_data(as_text=True)
