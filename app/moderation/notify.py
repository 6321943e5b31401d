"""Emails about moderation, queued by the routes with the change and sent once they commit:
moderators told of a post hidden by reports, authors told of each decision about them."""

import logging

from flask import render_template
from sqlalchemy import select

from app.extensions import db
from app.mail import external_url, send_email
from app.models import AuditEvent, Post, Role, User
from app.moderation.services import APPEALABLE, AUTHOR_DECISIONS, setting

log = logging.getLogger(__name__)


def moderators() -> list[User]:
    """Everyone who moderates (admins included), by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.with_role(Role.MODERATOR), User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    )


def _send(to: str, subject: str, template: str, **context) -> bool:
    """Queue one email; if it cannot be written, log it and return False (the change stands)."""
    try:
        send_email(to, subject, render_template(template, **context))
    except Exception:  # template or URL-building errors alike: report, don't undo the decision
        log.exception("could not send %r to %s", subject, to)
        return False
    return True


def send_hidden_alert(post: Post) -> int:
    """Tell every moderator that reports hid a post; returns how many emails went out."""
    url = external_url("moderation.item", post_id=post.id)
    sent = 0
    for person in moderators():
        sent += _send(
            person.email,
            "A post was hidden after reports",
            "moderation/email/hidden_alert.txt",
            person=person,
            post=post,
            url=url,
            threshold=setting("MODERATION_FLAG_THRESHOLD"),
        )
    return sent


def send_decision(event: AuditEvent) -> bool:
    """Tell the author of a decision about them, its reason, and where to appeal."""
    author = event.subject_user
    if author is None or event.action not in AUTHOR_DECISIONS:
        return False
    return _send(
        author.email,
        AUTHOR_DECISIONS[event.action],
        "moderation/email/decision.txt",
        person=author,
        event=event,
        headline=AUTHOR_DECISIONS[event.action],
        appealable=event.action in APPEALABLE,
        url=external_url("moderation.mine"),
    )
