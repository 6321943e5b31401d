"""Reminder emails to action owners, and `flask actions remind`, which sends them.

Three kinds: a few days before the due date (ACTIONS_REMIND_DAYS), once it has passed, and
before the meeting where the action will be reviewed (ACTIONS_REVIEW_REMIND_DAYS). Each
reminder is recorded in action_reminder under a unique key (action, owner, kind, due date or
meeting), and its email queued in the same transaction: a second run, even one running at the
same time on another host, cannot insert the same key, so nobody gets the same reminder twice.
If the mail server fails, the email stays queued and `flask send-queued-email` sends it later.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app, has_request_context
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from app.actions import bp
from app.actions.reviews import review_condition
from app.actions.services import london_date, long_date
from app.extensions import db
from app.mail import external_url, send_email
from app.models import (
    Action,
    ActionOwner,
    ActionReminder,
    ActionStatus,
    Meeting,
    MeetingStatus,
    OwnerState,
    ReminderKind,
    User,
)
from app.timeutil import format_datetime, utcnow

# Reminders go to owners of accepted actions that are still being worked on.
REMINDED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Reminder:
    action_id: int
    user_id: int
    kind: str
    key: str
    email: str
    name: str
    title: str
    due: str
    meeting: str = ""


def _owners():
    """(Action, User) for accepted, active owners of actions still being worked on."""
    return (
        select(Action, User)
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .join(User, User.id == ActionOwner.user_id)
        .where(
            Action.status.in_(REMINDED),
            ActionOwner.state == OwnerState.ACCEPTED,
            User.active.is_(True),
        )
    )


def due_reminders(now: datetime) -> list[Reminder]:
    """Due-soon (within the setting's days, today included) and overdue reminders."""
    today = london_date(now)
    horizon = today + timedelta(days=current_app.config.get("ACTIONS_REMIND_DAYS", 3))
    found = []
    for action, user in db.session.execute(_owners().where(Action.due_on <= horizon)):
        kind = ReminderKind.OVERDUE if action.due_on < today else ReminderKind.DUE_SOON
        found.append(_reminder(action, user, kind, action.due_on.isoformat()))
    return found


def review_reminders(now: datetime) -> list[Reminder]:
    """Reminders before a published meeting starting within the setting's days, to the owners
    of the actions that will be reviewed there (one query per such meeting)."""
    days = current_app.config.get("ACTIONS_REVIEW_REMIND_DAYS", 2)
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.PUBLISHED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(days=days),
        )
        .order_by(Meeting.starts_at)
    ).all()
    found = []
    for meeting in meetings:
        for action, user in db.session.execute(_owners().where(review_condition(meeting))):
            found.append(
                _reminder(
                    action,
                    user,
                    ReminderKind.REVIEW,
                    str(meeting.id),
                    meeting=f"{meeting.title}, {format_datetime(meeting.starts_at)}",
                )
            )
    return found


def _reminder(action: Action, user: User, kind: str, key: str, meeting: str = "") -> Reminder:
    return Reminder(
        action_id=action.id,
        user_id=user.id,
        kind=kind,
        key=key,
        email=user.email,
        name=user.display_name,
        title=action.title,
        due=long_date(action.due_on),
        meeting=meeting,
    )


def _already_sent(candidates: list[Reminder]) -> set[tuple]:
    if not candidates:
        return set()
    keys = {(c.action_id, c.user_id, c.kind, c.key) for c in candidates}
    rows = db.session.execute(
        select(
            ActionReminder.action_id,
            ActionReminder.user_id,
            ActionReminder.kind,
            ActionReminder.key,
        ).where(
            tuple_(
                ActionReminder.action_id,
                ActionReminder.user_id,
                ActionReminder.kind,
                ActionReminder.key,
            ).in_(list(keys))
        )
    )
    return {tuple(row) for row in rows}


def run(now: datetime | None = None) -> int:
    """Send every reminder due now that was not sent before; returns how many were sent.
    Commits: it is a job of its own (the CLI), not part of a request."""
    now = now or utcnow()
    candidates = due_reminders(now) + review_reminders(now)
    sent = _already_sent(candidates)
    count = 0
    for reminder in candidates:
        key = (reminder.action_id, reminder.user_id, reminder.kind, reminder.key)
        if key in sent:
            continue
        db.session.add(
            ActionReminder(
                action_id=reminder.action_id,
                user_id=reminder.user_id,
                kind=reminder.kind,
                key=reminder.key,
                sent_at=now,
            )
        )
        _send(reminder)
        try:
            db.session.commit()
        except IntegrityError:
            # Another run recorded it first: it sends that one (this email goes with the rollback).
            db.session.rollback()
            continue
        sent.add(key)
        count += 1
    return count


def _link(action_id: int) -> str:
    """The action's absolute URL; the command runs outside any request, so make one up."""
    if has_request_context():
        return external_url("actions.action", action_id=action_id)
    with current_app.test_request_context():
        return external_url("actions.action", action_id=action_id)


def _send(r: Reminder) -> None:
    link = _link(r.action_id)
    if r.kind == ReminderKind.DUE_SOON:
        subject = f"Reminder: \u201c{r.title}\u201d is due on {r.due}"
        lead = f"Your action \u201c{r.title}\u201d is due on {r.due}."
    elif r.kind == ReminderKind.OVERDUE:
        subject = f"Overdue: \u201c{r.title}\u201d was due on {r.due}"
        lead = (
            f"Your action \u201c{r.title}\u201d was due on {r.due}. Post an update, mark it "
            "done, or drop it with a reason."
        )
    else:
        subject = f"\u201c{r.title}\u201d will be reviewed at the next meeting"
        lead = (
            f"Your action \u201c{r.title}\u201d will be reviewed at {r.meeting}. A short "
            "progress update before then helps everyone."
        )
    send_email(r.email, subject, f"Hello {r.name},\n\n{lead}\n\n{link}\n")


@bp.cli.command("remind")
def remind_command():
    """Email owners about actions due soon, overdue, or up for review (safe to run hourly)."""
    count = run()
    click.echo(f"{count} reminder{'' if count == 1 else 's'} sent.")
