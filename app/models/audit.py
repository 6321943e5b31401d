"""The audit trail: one row per decision (role changes, applications, moderation), never edited."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class AuditEventImmutable(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEvent(db.Model):
    """Who did what, to whom or what, why, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_created", "created_at"),
        Index("ix_audit_event_action_created", "action", "created_at"),
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None for the system itself (an automatic hide, a scheduled job).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None]
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    detail: Mapped[str] = mapped_column(String(255), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User", foreign_keys=[actor_id])
    subject_user = relationship("User", foreign_keys=[subject_user_id])


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditEventImmutable("audit events are never edited")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditEventImmutable("audit events are never deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    """Bulk UPDATE/DELETE statements skip the mapper events above, so catch them here too."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is AuditEvent:
        raise AuditEventImmutable("audit events are never edited or deleted")
