"""Fixtures for the moderation tests: the boards' World (data built in short app contexts, one
client per person) plus reports, holds and decisions made through the services."""

import pytest

from app.extensions import db
from app.models import AuditEvent, Board, Post, Review, Role, User
from app.moderation import decisions, people, services
from tests.boards.conftest import HX, World, csrf_token_from, text  # noqa: F401  (re-exported)


class ModerationWorld(World):
    """World, plus moderation done through the services (each step committed)."""

    def moderator(self, **fields) -> User:
        return self.user(Role.MODERATOR, **fields)

    def flag(self, post: Post, member: User, reason: str = "spam", note: str = ""):
        with self.app.app_context():
            result = services.flag_post(
                db.session.get(Post, post.id), db.session.get(User, member.id), reason, note
            )
            db.session.commit()
            return result.hidden_now

    def held(self, board: Board, author: User, reason: str = "first_posts", **fields) -> Post:
        """A thread created held (as the boards' route does for a first post)."""
        from app.boards import services as boards

        with self.app.app_context():
            post = boards.create_thread(
                db.session.get(Board, board.id),
                db.session.get(User, author.id),
                kind=fields.pop("kind", "question"),
                title=fields.pop("title", "A held question"),
                body=fields.pop("body", ""),
                held_reason=reason,
                **fields,
            )
            services.record_hold(post)
            return self._keep(post)

    def held_reply(self, parent: Post, author: User, body="A held reply") -> Post:
        from app.boards import services as boards

        with self.app.app_context():
            post = boards.create_reply(
                db.session.get(Post, parent.id),
                db.session.get(User, author.id),
                body=body,
                held_reason="first_posts",
            )
            services.record_hold(post)
            return self._keep(post)

    def decide(self, post: Post, moderator: User, outcome: str, reason: str = "A reason"):
        with self.app.app_context():
            decided = decisions.decide(
                db.session.get(Post, post.id), db.session.get(User, moderator.id), outcome, reason
            )
            db.session.commit()
            return decided.event.id

    def suspend(self, member: User, moderator: User, days: int = 1, post: Post | None = None):
        with self.app.app_context():
            event = people.suspend(
                db.session.get(User, member.id),
                db.session.get(User, moderator.id),
                days,
                "Repeated personal attacks",
                db.session.get(Post, post.id) if post else None,
            )
            db.session.commit()
            return event.id

    def warn(self, member: User, moderator: User, message="Please keep it kind", post=None):
        with self.app.app_context():
            event = people.warn(
                db.session.get(User, member.id),
                db.session.get(User, moderator.id),
                message,
                db.session.get(Post, post.id) if post else None,
            )
            db.session.commit()
            return event.id

    def review_of(self, post: Post) -> Review | None:
        with self.app.app_context():
            review = services.open_review_for(post.id)
            if review is not None:
                db.session.expunge(review)
            return review

    def events(self, action: str | None = None) -> list[AuditEvent]:
        with self.app.app_context():
            query = db.session.query(AuditEvent).order_by(AuditEvent.id)
            if action:
                query = query.filter(AuditEvent.action == action)
            found = query.all()
            for event in found:
                db.session.expunge(event)
            return found


@pytest.fixture
def world(app):
    return ModerationWorld(app)


@pytest.fixture
def holding(app):
    """Hold a member's first post for review (TestConfig switches it off for other areas)."""
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 1
    return app
