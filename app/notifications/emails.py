"""Notification emails: one at a time for "immediately", and what every email shares (links to
the settings, a one-click unsubscribe link and its RFC 8058 headers).

An immediate email goes once the transaction that created its notification commits: the ids
wait in session.info and an after_commit listener queues their emails with a session of its own
(the committed one may not run SQL any more). Each notification is claimed by a conditional
UPDATE of emailed_at in the transaction that queues its email, so the listener and
`flask notifications send-digests` (which sweeps up anything left) never both email it. The
mail queue (app/mail.py) then sends it, and keeps it for a retry if the mail server fails.
"""

import logging
from contextlib import nullcontext

from flask import current_app, has_app_context, has_request_context, render_template
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, joinedload

from app.extensions import db
from app.mail import external_url, send_email
from app.models import Notification, Post
from app.models.notifications import EmailMode, Kind
from app.notifications import delivery
from app.notifications.settings import UNSUBSCRIBE_LABELS, unsubscribe_token
from app.timeutil import utcnow

log = logging.getLogger(__name__)
SUBJECT_MAX = 150


def links_context():
    """A request context for building absolute links, made up when there is none (commands)."""
    return nullcontext() if has_request_context() else current_app.test_request_context()


def footer_links(user_id: int, what: str) -> dict:
    """The settings and unsubscribe links every email ends with (needs links_context())."""
    return {
        "settings_url": external_url("notifications.settings"),
        "unsubscribe_url": external_url(
            "notifications.unsubscribe", token=unsubscribe_token(user_id, what)
        ),
        "unsubscribe_label": UNSUBSCRIBE_LABELS[what],
    }


def unsubscribe_headers(url: str) -> dict[str, str]:
    """List-Unsubscribe with one-click (RFC 8058): mail apps show an Unsubscribe button that
    POSTs to url, which works without logging in."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def subject_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUBJECT_MAX else text[: SUBJECT_MAX - 1] + "\u2026"


def still_shown(notification: Notification, post: Post | None) -> bool:
    """Python twin of delivery.shown(): nothing about a post others can no longer read."""
    if post is None or notification.kind == Kind.MODERATION:
        return True
    return post.held_at is None and post.hidden_at is None and post.removed_at is None


def send_one(notification: Notification, session: Session | None = None) -> None:
    """Queue the email of one notification to its member, in session's transaction."""
    user = notification.user
    endpoint, values = delivery.target(notification)
    with links_context():
        links = footer_links(user.id, notification.kind)
        body = render_template(
            "notifications/email/notification.txt",
            person=user,
            notification=notification,
            url=external_url(endpoint, **values),
            label=Kind.LABELS[notification.kind],
            **links,
        )
    send_email(
        user.email,
        subject_line(notification.text),
        body,
        headers=unsubscribe_headers(links["unsubscribe_url"]),
        session=session,
    )


def _claim(session: Session, ids: set[int] | None, now) -> list[int]:
    condition = [
        Notification.email == EmailMode.IMMEDIATE,
        Notification.emailed_at.is_(None),
    ]
    if ids is not None:
        condition.append(Notification.id.in_(ids))
    claimed = session.scalars(
        update(Notification).where(*condition).values(emailed_at=now).returning(Notification.id),
        execution_options={"synchronize_session": False},
    ).all()
    return list(claimed)


def send_immediate(ids: set[int] | None = None) -> int:
    """Queue the immediate emails of ids (or every one still waiting), claimed in the same
    transaction, and send them once it commits; returns how many were queued."""
    now = utcnow()
    sent = 0
    with Session(db.engine) as session:
        claimed = _claim(session, ids, now)
        if not claimed:
            session.commit()
            return 0
        rows = session.execute(
            select(Notification, Post)
            .outerjoin(Post, Post.id == Notification.post_id)
            .options(joinedload(Notification.user))
            .where(Notification.id.in_(claimed))
            .order_by(Notification.id)
        ).all()
        for notification, post in rows:
            if not notification.user.active or not still_shown(notification, post):
                continue
            try:
                send_one(notification, session)
            except Exception:  # it could not be written: give the claim back for the next sweep
                log.exception("could not email notification %s", notification.id)
                session.execute(
                    update(Notification)
                    .where(Notification.id == notification.id)
                    .values(emailed_at=None)
                )
                continue
            sent += 1
        session.commit()
    return sent


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    """Send the immediate emails of notifications this transaction created (see module doc).

    A savepoint's release (begin_nested) also calls this: it commits nothing yet, so wait.
    """
    if session.in_nested_transaction():
        return
    ids = session.info.pop(delivery.EMAIL_QUEUE, None)
    session.info.pop(delivery.CREATED, None)
    if not ids or not has_app_context():
        return
    try:
        send_immediate(ids)
    except Exception:  # the data is committed; the next sweep sends what is left
        log.exception("could not send notification emails")


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    """Notifications rolled back were never made: email none of them. A savepoint's rollback
    (begin_nested) leaves the transaction's other notifications in place; any id of its own left
    queued finds no row to claim."""
    if previous_transaction.parent is None:
        session.info.pop(delivery.EMAIL_QUEUE, None)
        session.info.pop(delivery.CREATED, None)
