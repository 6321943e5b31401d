"""`flask seed-demo` leaves notifications and followed threads, emails nobody, and is idempotent."""

from sqlalchemy import func, select

from app import demo
from app.extensions import db
from app.models import Follow, Notification, User
from app.models.notifications import Kind


def test_the_demo_has_notifications_and_follows_and_sends_no_email(make, outbox):
    assert demo.seed() is True
    db.session.commit()

    amara = db.session.scalar(select(User).where(User.email == "member@example.org"))
    mine = db.session.scalars(select(Notification).where(Notification.user_id == amara.id)).all()
    assert {n.kind for n in mine} >= {Kind.REPLY}
    assert 0 < amara.unread_notifications <= 3
    assert (
        db.session.scalar(
            select(func.count(Follow.id)).where(
                Follow.user_id == amara.id, Follow.board_id.is_not(None)
            )
        )
        == 1
    )
    assert db.session.scalar(select(func.count(Follow.id)).where(Follow.thread_id.is_not(None))) > 3
    kinds = set(db.session.scalars(select(Notification.kind).distinct()))
    assert {Kind.REPLY, Kind.AGENDA, Kind.ACTION} <= kinds
    for person in db.session.scalars(select(User)):
        unread = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == person.id, Notification.read_at.is_(None)
            )
        )
        assert person.unread_notifications == unread
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.email != "")) == 0
    )
    assert outbox() == []

    before = db.session.scalar(select(func.count(Notification.id)))
    assert demo.seed() is False
    assert db.session.scalar(select(func.count(Notification.id))) == before
