"""The outgoing email queue: every email is a row here until the mail server has taken it."""

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class OutgoingEmail(db.Model):
    """One email waiting to be sent (app/mail.py).

    It is added in the transaction of the change it reports, so the email exists exactly when
    the change does, and deleted once the mail server has accepted it. `claimed_until` is set
    by the sender that is handing it over: no other sender touches it until then. A failed
    attempt leaves it queued, to be tried again from `next_attempt_at` (the delay doubles with
    each attempt). `message` is the whole message as it will be sent, Message-ID included, so a
    retry is the same email.
    """

    __tablename__ = "outgoing_email"
    __table_args__ = (Index("ix_outgoing_email_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutgoingEmail {self.id} to {self.recipient!r}: {self.subject!r}>"
