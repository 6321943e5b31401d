"""Outgoing email, through a queue in the database: an email is stored in the transaction of the
change it reports and sent once that transaction commits.

So a change is never lost because the mail server failed, and an email never goes about a change
that was rolled back. Delivery is SMTP when MAIL_SERVER is set, else each message is logged and
kept as a .eml file in MAIL_OUTBOX. A message the server refuses (or that cannot reach it) stays
queued; `flask send-queued-email` retries it later, waiting twice as long after each failure.
Each email is claimed before it is handed over, so two senders (the app after a commit, the
command on several hosts) never both send it. The one case left is a sender that dies after
the server took the message and before the row is deleted: once its claim lapses the email
goes again, with the same Message-ID, which mail systems use to spot the repeat.
"""

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import delete, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import OutgoingEmail
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# session.info key: the emails queued in the session's transaction, sent when it commits.
QUEUED = "outgoing_emails"
# Longer than any one hand-over can take (the SMTP timeout is 30 s): a claim older than this
# belongs to a sender that died, and the email may be taken again.
CLAIM_SECONDS = 300
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 6 * 60 * 60


@dataclass(frozen=True)
class Delivery:
    """What one pass over the queue did."""

    sent: int = 0
    failed: int = 0


def send_email(
    to: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    *,
    session: Session | None = None,
) -> EmailMessage:
    """Queue one plain-text email in the current transaction and return it; headers adds more
    (e.g. List-Unsubscribe).

    It goes once the transaction commits, and never if it rolls back: the caller commits, as
    for any other change. session: the session whose transaction it joins (db.session unless
    given).
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="roundtable")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)

    session = session if session is not None else db.session()
    email = OutgoingEmail(recipient=to, subject=subject, message=bytes(message))
    session.add(email)
    session.info.setdefault(QUEUED, []).append(email)
    return message


def send_queued(ids: list[int] | None = None, *, now: datetime | None = None) -> Delivery:
    """Send the queued emails that are due (only those of ids, when given).

    Each is claimed first; one sent is deleted, one that failed stays queued with its next
    attempt put off. Uses a session of its own, committing after each email.
    """
    now = now or utcnow()
    sent = failed = 0
    with Session(db.engine) as session:
        due = select(OutgoingEmail.id).where(*_claimable(now)).order_by(OutgoingEmail.id)
        if ids is not None:
            due = due.where(OutgoingEmail.id.in_(ids))
        candidates = session.scalars(due).all()
        # End the read before writing: SQLite cannot turn a stale read into a write.
        session.commit()
        for email_id in candidates:
            claimed = session.execute(
                update(OutgoingEmail)
                .where(OutgoingEmail.id == email_id, *_claimable(now))
                .values(
                    claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                    attempts=OutgoingEmail.attempts + 1,
                )
                .returning(OutgoingEmail.recipient, OutgoingEmail.message, OutgoingEmail.attempts)
            ).first()
            session.commit()
            if claimed is None:
                continue  # another sender has it, or sent it
            recipient, data, attempts = claimed
            try:
                _transport(recipient, data)
            except Exception as error:  # SMTP, DNS, disk: keep it for a later attempt
                log.warning("could not send email %s to %s: %s", email_id, recipient, error)
                session.execute(
                    update(OutgoingEmail)
                    .where(OutgoingEmail.id == email_id)
                    .values(
                        claimed_until=None,
                        next_attempt_at=utcnow() + retry_delay(attempts),
                        last_error=f"{type(error).__name__}: {error}"[:1000],
                    )
                )
                session.commit()
                failed += 1
                continue
            session.execute(delete(OutgoingEmail).where(OutgoingEmail.id == email_id))
            session.commit()
            sent += 1
    return Delivery(sent, failed)


def waiting_count() -> int:
    """How many emails are in the queue (due now or later)."""
    return db.session.scalar(select(func.count()).select_from(OutgoingEmail))


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the attempts-th failure: 1 minute, then doubling, up to 6 hours."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(0, min(attempts - 1, 20))
    return timedelta(seconds=min(seconds, LONGEST_RETRY_SECONDS))


def _claimable(now: datetime):
    return (
        OutgoingEmail.next_attempt_at <= now,
        or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until < now),
    )


def _transport(recipient: str, data: bytes) -> None:
    """Hand one message to the mail server, or write it to the outbox (the default)."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        message = message_from_bytes(data, policy=policy.SMTP)
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    # Sortable by time, unique across workers.
    path = outbox / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(data)
    message = message_from_bytes(data, policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    log.info("email to %s: %s (written to %s)\n%s", recipient, message["Subject"], path, body)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    """Send the emails this transaction queued. A savepoint's release commits nothing yet."""
    if session.in_nested_transaction():
        return
    queued = session.info.pop(QUEUED, None)
    if not queued or not has_app_context():
        return
    # Rows rolled back with a savepoint have no identity: they were never stored.
    ids = [key[0] for email in queued if (key := inspect(email).identity)]
    try:
        send_queued(ids)
    except Exception:  # the emails are stored; `flask send-queued-email` sends them
        log.exception("could not send queued emails %s", ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    """A rolled-back transaction stored no email: forget the ones it queued."""
    if previous_transaction.parent is None:
        session.info.pop(QUEUED, None)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built on BASE_URL (requests may come through a proxy)."""
    from flask import url_for

    return current_app.config["BASE_URL"] + url_for(endpoint, **values)
