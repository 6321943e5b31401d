"""Digests, and `flask notifications send-digests`, which sends them (safe to run often).

Three things go out on each run:
- immediate emails still waiting (the app sends them on commit; this catches any that failed);
- the daily digest: a member's notifications set to "daily", once per member per UK day, by
  the first run at or after NOTIFICATIONS_DIGEST_HOUR;
- before each meeting a member registered for (a number of days they choose): its top questions
  and the actions it will review, with links to vote; once per member per meeting.

Each digest is recorded in notification_digest under a unique key (member, kind, day or meeting),
and its email queued in the same transaction: a second run, even one running at the same time on
another host, cannot insert the same key, so nobody gets a digest twice. The mail queue
(app/mail.py) sends it after the commit, and keeps it for a retry if the mail server fails.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app, render_template
from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.mail import external_url, send_email
from app.models import (
    Board,
    DigestRun,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationSettings,
    Post,
    PostKind,
    Registration,
    RegistrationStatus,
    User,
)
from app.models.notifications import DEFAULT_MEETING_DIGEST_DAYS, DigestKind, EmailMode, Kind
from app.notifications import bp, delivery, emails
from app.notifications.settings import DIGEST, MEETING_DIGEST, MEETING_DIGEST_DAYS_MAX
from app.timeutil import format_day, to_london, utcnow

TOP_QUESTIONS = 5


@dataclass(frozen=True)
class Report:
    immediate: int
    daily: int
    meetings: int


def run(now: datetime | None = None) -> Report:
    """Send whatever is due now; returns how many emails of each sort went."""
    now = now or utcnow()
    db.session.commit()  # the sends below use their own connections: hold no lock meanwhile
    return Report(emails.send_immediate(), send_daily(now), send_meeting_digests(now))


def _insert_run(user_id: int, kind: str, key: str, now: datetime, items: int = 0) -> bool:
    """Record the digest; False when one with the same key exists (another run sent it)."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(DigestRun)
    # RETURNING, not rowcount: an ORM-run INSERT's rowcount is not reliable on every driver.
    added = db.session.scalar(
        insert.values(user_id=user_id, kind=kind, key=key, sent_at=now, items=items)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
        .returning(DigestRun.id)
    )
    return added is not None


# The daily digest ----------------------------------------------------------------------------


def send_daily(now: datetime) -> int:
    """Send each member with "daily" notifications waiting their digest for today (UK)."""
    local = to_london(now)
    if local.hour < current_app.config["NOTIFICATIONS_DIGEST_HOUR"]:
        return 0
    key = local.date().isoformat()
    done = exists().where(
        DigestRun.user_id == Notification.user_id,
        DigestRun.kind == DigestKind.DAILY,
        DigestRun.key == key,
    )
    user_ids = db.session.scalars(
        select(Notification.user_id)
        .where(Notification.email == EmailMode.DAILY, Notification.emailed_at.is_(None), ~done)
        .distinct()
    ).all()
    sent = 0
    for user_id in user_ids:
        sent += _daily_for(user_id, key, now)
    return sent


def _daily_for(user_id: int, key: str, now: datetime) -> int:
    if not _insert_run(user_id, DigestKind.DAILY, key, now):
        db.session.rollback()
        return 0
    claimed = db.session.scalars(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.email == EmailMode.DAILY,
            Notification.emailed_at.is_(None),
        )
        .values(emailed_at=now)
        .returning(Notification.id),
        execution_options={"synchronize_session": False},
    ).all()
    db.session.execute(
        update(DigestRun)
        .where(
            DigestRun.user_id == user_id, DigestRun.kind == DigestKind.DAILY, DigestRun.key == key
        )
        .values(items=len(claimed))
    )
    rows = db.session.execute(
        select(Notification, Post)
        .outerjoin(Post, Post.id == Notification.post_id)
        .where(Notification.id.in_(claimed))
        .order_by(Notification.created_at, Notification.id)
    ).all()
    items = [n for n, post in rows if emails.still_shown(n, post)]
    user = db.session.get(User, user_id)
    if not items or user is None or not user.active:
        db.session.commit()
        return 0
    try:
        _send_daily(user, items, now)
    except Exception:  # the email could not be written: record nothing, retry on the next run
        current_app.logger.exception("could not send the daily digest to user %s", user_id)
        db.session.rollback()
        return 0
    db.session.commit()
    return 1


def _send_daily(user: User, items: list[Notification], now: datetime) -> None:
    with emails.links_context():
        entries = []
        for n in items:
            endpoint, values = delivery.target(n)
            entries.append((n, external_url(endpoint, **values)))
        links = emails.footer_links(user.id, DIGEST)
        body = render_template(
            "notifications/email/daily.txt",
            person=user,
            entries=entries,
            day=format_day(now),
            labels=Kind.LABELS,
            all_url=external_url("notifications.index"),
            **links,
        )
    count = len(items)
    subject = f"Your Roundtable digest: {count} new notification{'' if count == 1 else 's'}"
    send_email(
        user.email, subject, body, headers=emails.unsubscribe_headers(links["unsubscribe_url"])
    )


# Before each meeting -------------------------------------------------------------------------


def send_meeting_digests(now: datetime) -> int:
    """Send each member registered for a coming meeting its digest, once, when the meeting is
    no more than their chosen number of days away."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.PUBLISHED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(days=MEETING_DIGEST_DAYS_MAX),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    sent = 0
    for meeting in meetings:
        due = _due_members(meeting, now)
        if not due:
            continue
        content = meeting_content(meeting) | {"id": meeting.id}
        for user in due:
            sent += _meeting_for(user, content, now)
    return sent


def _due_members(meeting: Meeting, now: datetime) -> list[User]:
    """Members registered (not waiting) whose digest for meeting is due and not yet sent."""
    key = str(meeting.id)
    sent = exists().where(
        DigestRun.user_id == User.id,
        DigestRun.kind == DigestKind.MEETING,
        DigestRun.key == key,
    )
    rows = db.session.execute(
        select(User, NotificationSettings.meeting_digest_days, NotificationSettings.user_id)
        .join(Registration, Registration.user_id == User.id)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == RegistrationStatus.REGISTERED,
            User.active.is_(True),
            ~sent,
        )
        .order_by(User.id)
    ).all()
    due = []
    for user, days, has_settings in rows:
        days = days if has_settings is not None else DEFAULT_MEETING_DIGEST_DAYS
        if days and meeting.starts_at - timedelta(days=days) <= now:
            due.append(user)
    return due


def meeting_content(meeting: Meeting) -> dict:
    """What a meeting's digest shows, as plain values (the sends commit between members):
    each board's top questions (published, not removed) with links to vote, and the open
    actions to be reviewed there (from the actions area, when it is installed)."""
    boards = db.session.scalars(
        select(Board)
        .options(joinedload(Board.theme))
        .where(Board.meeting_id == meeting.id)
        .order_by(Board.position)
    ).all()
    with emails.links_context():
        shown = []
        for board in boards:
            top = db.session.scalars(
                select(Post)
                .where(
                    Post.board_id == board.id,
                    Post.parent_id.is_(None),
                    Post.kind == PostKind.QUESTION,
                    Post.held_at.is_(None),
                    Post.hidden_at.is_(None),
                    Post.removed_at.is_(None),
                )
                .order_by(*_order(board))
                .limit(TOP_QUESTIONS)
            ).all()
            questions = [
                {
                    "title": p.title,
                    "votes": None if board.hide_votes_until_start else p.vote_count,
                    "url": external_url("boards.thread", post_id=p.id),
                }
                for p in top
            ]
            top_first = {} if board.hide_votes_until_start else {"sort": "top"}
            url = external_url("boards.board", board_id=board.id, **top_first)
            shown.append(
                {
                    "title": board.theme.title,
                    "url": url,
                    "questions": questions,
                    "newest": board.hide_votes_until_start,
                }
            )
        review = [
            {
                "title": a.title,
                "status": a.status_label,
                "due": f"{a.due_on:%A} {a.due_on.day} {a.due_on:%B %Y}",
                "url": external_url("actions.action", action_id=a.id),
            }
            for a in _review_actions(meeting)
        ]
        return {
            "title": meeting.title,
            "when": meeting.when,
            "url": external_url("meetings.meeting", meeting_id=meeting.id),
            "boards": shown,
            "review": review,
        }


def _order(board: Board) -> tuple:
    """Most voted first; newest first on a board that hides its counts until the meeting starts
    (a digest is sent before it): the order would give the counts away."""
    if board.hide_votes_until_start:
        return (Post.created_at.desc(), Post.id.desc())
    return (Post.vote_count.desc(), Post.created_at, Post.id)


def _review_actions(meeting: Meeting) -> list:
    """Actions still open that the meeting will review; [] without the actions area.

    Imported here, not at the top: this module is loaded with the blueprint, before the other
    areas may be (they import app.notifications.services themselves).
    """
    try:
        from app.actions.reviews import actions_for_review
    except ImportError:
        return []
    return [entry.action for entry in actions_for_review(meeting) if entry.action.is_active]


def _meeting_for(user: User, meeting: dict, now: datetime) -> int:
    user_id, address, key = user.id, user.email, str(meeting["id"])
    with emails.links_context():
        links = emails.footer_links(user_id, MEETING_DIGEST)
        body = render_template(
            "notifications/email/meeting.txt", person=user, meeting=meeting, **links
        )
    subject = f"Before {meeting['title']}: top questions and actions to review"
    if not _insert_run(user_id, DigestKind.MEETING, key, now):
        db.session.rollback()
        return 0
    try:
        send_email(
            address, subject, body, headers=emails.unsubscribe_headers(links["unsubscribe_url"])
        )
    except Exception:  # the email could not be written: record nothing, retry on the next run
        current_app.logger.exception("could not send meeting %s digest to %s", key, user_id)
        db.session.rollback()
        return 0
    db.session.commit()
    return 1


@bp.cli.command("send-digests")
def send_digests_command():
    """Send waiting immediate emails, daily digests and pre-meeting digests (run it hourly)."""
    report = run()
    click.echo(
        f"{report.immediate} immediate, {report.daily} daily and {report.meetings} "
        "meeting digest emails sent."
    )
