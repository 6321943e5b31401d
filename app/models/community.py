"""Joining the community: the texts admins publish and the applications people send."""

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class SiteText(db.Model):
    """A page of Markdown admins edit (joining criteria, community guidelines)."""

    __tablename__ = "site_text"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    # Rendered once when saved (app.content), not on every view.
    body_html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    updated_by = relationship("User")


class ApplicationStatus:
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


def _status_token() -> str:
    return secrets.token_urlsafe(24)


class Application(db.Model):
    """A request to join, judged against the published joining criteria."""

    __table_args__ = (
        # One pending application per address; decided ones may pile up (people reapply).
        Index(
            "uq_application_pending_email",
            "email",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_application_status_created", "status", "created_at"),
        # The queue's "decided" tab lists newest decisions first.
        Index("ix_application_status_decided", "status", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120))
    job_role: Mapped[str] = mapped_column(String(120))
    criteria_statement: Mapped[str] = mapped_column(Text)
    agreed_guidelines: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=ApplicationStatus.PENDING)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The applicant's private link to their status; unguessable, never an id.
    status_token: Mapped[str] = mapped_column(String(64), unique=True, default=_status_token)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    decided_by = relationship("User", foreign_keys=[decided_by_id])
    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_pending(self) -> bool:
        return self.status == ApplicationStatus.PENDING
