"""Demo follows and notifications (`flask seed-demo`, run last by app.demo.seed()).

Posts written through the boards' services already told people (and made their authors follow
their threads); this adds what the other areas' demo data would have told people had it happened
through their pages: questions put on agendas and discussed, invitations, status changes,
updates and comments on actions. Everyone's older notifications are marked read so that each
demo member finds a few new ones. Nothing here is emailed. Idempotent: every event tells each
person once, so a second run creates nothing.
"""

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    Action,
    ActionEvent,
    Agenda,
    AgendaItem,
    Board,
    Follow,
    ItemStatus,
    Meeting,
    Notification,
    Post,
    User,
)
from app.notifications import delivery, follows
from app.notifications import services as notify
from app.timeutil import utcnow

AMARA = "member@example.org"
RHYS = "member2@example.org"
# Each demo member keeps this many of their newest notifications unread.
LEFT_UNREAD = 3


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id))) or 0


def seed() -> bool:
    """Create the demo's follows and notifications; True when anything was created."""
    before = _count(Notification) + _count(Follow)
    _follow_threads()
    _follow_demo_picks()
    _tell_about_posts()
    _tell_about_agendas()
    _tell_about_actions()
    db.session.flush()
    _leave_a_few_unread()
    # The demo's events are made up: email nobody about them.
    delivery.silence_created()
    return _count(Notification) + _count(Follow) > before


def _follow_threads() -> None:
    """Authors follow their threads (the boards' hook does it for threads written from now on)."""
    for thread_id, author_id in db.session.execute(
        select(Post.id, Post.author_id).where(Post.parent_id.is_(None)).order_by(Post.id)
    ):
        follows.follow(author_id, follows.THREAD, thread_id)


def _follow_demo_picks() -> None:
    """Amara follows the next meeting's first board; Rhys follows Amara's first question."""
    people = dict(
        db.session.execute(select(User.email, User.id).where(User.email.in_([AMARA, RHYS]))).all()
    )
    if len(people) < 2:
        return
    board_id = db.session.scalar(
        select(Board.id)
        .join(Meeting, Meeting.id == Board.meeting_id)
        .where(Meeting.starts_at > utcnow(), Meeting.status == "published")
        .order_by(Meeting.starts_at, Board.position)
        .limit(1)
    )
    if board_id is not None:
        follows.follow(people[AMARA], follows.BOARD, board_id)
    thread_id = db.session.scalar(
        select(Post.id)
        .where(Post.author_id == people[AMARA], Post.parent_id.is_(None))
        .order_by(Post.created_at)
        .limit(1)
    )
    if thread_id is not None:
        follows.follow(people[RHYS], follows.THREAD, thread_id)


def _tell_about_posts() -> None:
    """Every post as if written now through the boards (the hook already ran for most)."""
    for post in db.session.scalars(select(Post).order_by(Post.created_at, Post.id)):
        if post.is_thread:
            notify.thread_created(post)
        else:
            notify.reply_posted(post)


def _tell_about_agendas() -> None:
    for agenda in db.session.scalars(
        select(Agenda).where(Agenda.published_at.is_not(None)).order_by(Agenda.id)
    ):
        notify.agenda_changed(agenda.meeting, None, now=agenda.published_at)
        for item in db.session.scalars(
            select(AgendaItem).where(
                AgendaItem.agenda_id == agenda.id, AgendaItem.status == ItemStatus.DISCUSSED
            )
        ):
            notify.question_discussed(item, None, now=agenda.meeting.ends_at)


def _tell_about_actions() -> None:
    rows = db.session.execute(
        select(Action, ActionEvent)
        .join(ActionEvent, ActionEvent.action_id == Action.id)
        .order_by(ActionEvent.created_at, ActionEvent.id)
    ).all()
    for action, entry in rows:
        notify.action_event(action, entry)


def _leave_a_few_unread() -> None:
    """Mark read what this run created, except each member's few newest; counts recomputed."""
    created = db.session.info.get(delivery.CREATED, set())
    if not created:
        return
    owners = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.id.in_(created)).distinct()
        )
    )
    for user_id in owners:
        newest = db.session.scalars(
            select(Notification.id)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(LEFT_UNREAD)
        ).all()
        db.session.execute(
            update(Notification)
            .where(
                Notification.id.in_(created),
                Notification.user_id == user_id,
                Notification.id.not_in(newest),
                Notification.read_at.is_(None),
            )
            .values(read_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
    delivery.recount(owners)
