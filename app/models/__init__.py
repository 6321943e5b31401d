"""Every model, re-exported so that Alembic, the shell and the tests see the whole schema."""

from app.models.audit import AuditEvent, AuditEventImmutable
from app.models.boards import Board
from app.models.community import Application, ApplicationStatus, SiteText
from app.models.meetings import Meeting, MeetingStatus, Series, Theme
from app.models.users import ALL_ROLES, Role, User

__all__ = [
    "ALL_ROLES",
    "Application",
    "ApplicationStatus",
    "AuditEvent",
    "AuditEventImmutable",
    "Board",
    "Meeting",
    "MeetingStatus",
    "Role",
    "Series",
    "SiteText",
    "Theme",
    "User",
]
