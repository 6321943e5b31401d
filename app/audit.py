"""Recording decisions in the audit trail (the model refuses edits; this only adds)."""

from app.extensions import db
from app.models import AuditEvent, User


def record(
    actor: User | None,
    action: str,
    subject_type: str,
    subject_id: int | None = None,
    *,
    subject_user: User | None = None,
    reason: str = "",
    detail: str = "",
) -> AuditEvent:
    """Add one event (e.g. action="role.granted", subject_type="user") and flush it."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_user_id=subject_user.id if subject_user else None,
        reason=reason,
        detail=detail[:255],
    )
    db.session.add(event)
    db.session.flush()
    return event
