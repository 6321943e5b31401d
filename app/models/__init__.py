"""Every model, re-exported so that Alembic, the shell and the tests see the whole schema."""

from app.models.actions import (
    Action,
    ActionEvent,
    ActionEventImmutable,
    ActionFollower,
    ActionOwner,
    ActionReminder,
    ActionStatus,
    EventKind,
    OwnerState,
    ReminderKind,
    SourceType,
)
from app.models.agendas import (
    Agenda,
    AgendaItem,
    CarriedQuestion,
    ItemKind,
    ItemStatus,
    NotTaken,
)
from app.models.audit import AuditEvent, AuditEventImmutable
from app.models.boards import Board
from app.models.cache import ContentGeneration
from app.models.community import Application, ApplicationStatus, SiteText
from app.models.insights import InsightPin, MeetingInsight
from app.models.mail import OutgoingEmail
from app.models.meetings import (
    Meeting,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
)
from app.models.moderation import (
    Appeal,
    Flag,
    FlagReason,
    HoldReason,
    MemberWarning,
    Redaction,
    Review,
    Suspension,
    visible,
)
from app.models.notifications import (
    DigestRun,
    Follow,
    Notification,
    NotificationSettings,
)
from app.models.posts import Phase, Post, PostKind, PostRevision, Vote
from app.models.search import DocKind, SearchDocument
from app.models.users import ALL_ROLES, Role, User

__all__ = [
    "ALL_ROLES",
    "Action",
    "ActionEvent",
    "ActionEventImmutable",
    "ActionFollower",
    "ActionOwner",
    "ActionReminder",
    "ActionStatus",
    "Agenda",
    "AgendaItem",
    "Appeal",
    "Application",
    "ApplicationStatus",
    "AuditEvent",
    "AuditEventImmutable",
    "Board",
    "ContentGeneration",
    "CarriedQuestion",
    "DigestRun",
    "DocKind",
    "EventKind",
    "Flag",
    "FlagReason",
    "Follow",
    "HoldReason",
    "InsightPin",
    "ItemKind",
    "ItemStatus",
    "Meeting",
    "MeetingInsight",
    "MeetingStatus",
    "MemberWarning",
    "NotTaken",
    "Notification",
    "NotificationSettings",
    "OutgoingEmail",
    "OwnerState",
    "Phase",
    "Post",
    "PostKind",
    "PostRevision",
    "Redaction",
    "Registration",
    "RegistrationStatus",
    "ReminderKind",
    "Review",
    "Role",
    "SearchDocument",
    "Series",
    "SiteText",
    "SourceType",
    "Suspension",
    "Theme",
    "User",
    "Vote",
    "visible",
]
