"""People: accounts, their roles, and what they tell the community about themselves."""

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class Role(enum.IntFlag):
    """Roles a person may hold, several at once; stored as bits in one column.

    Bits keep every request to one query for the user and their roles, and a role filter is a
    bitwise AND that SQLite and PostgreSQL both run.
    """

    MEMBER = 1
    FACILITATOR = 2
    MODERATOR = 4
    ADMIN = 8

    @property
    def label(self) -> str:
        return self.name.capitalize()


ALL_ROLES = (Role.MEMBER, Role.FACILITATOR, Role.MODERATOR, Role.ADMIN)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: addresses are compared case-insensitively everywhere.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # None until the person sets a password from their welcome link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    roles: Mapped[int] = mapped_column(default=int(Role.MEMBER), server_default="1")
    # Bumped on password change or reset: every other session and remember-me cookie then fails.
    session_gen: Mapped[int] = mapped_column(default=0, server_default="0")
    # False closes the account (no log-in); what they wrote stays.
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The secret in the member's private calendar-feed URL; None until they ask for one.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Unread notifications, kept exact by app.notifications.services with atomic UPDATEs: the
    # bell in every page's header reads it from the user already loaded, with no query.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    # Flask-Login ---------------------------------------------------------------------------
    def get_id(self) -> str:
        """The session identity: id plus generation, so that bumping session_gen signs out."""
        return f"{self.id}:{self.session_gen}"

    @property
    def is_active(self) -> bool:
        return self.active

    # Passwords -----------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        """Hash with werkzeug's scrypt and sign out every other session of this person."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_gen = (self.session_gen or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def password_fingerprint(self) -> str:
        """A short digest of the current hash: a token carrying it dies when the password changes.

        This makes reset and welcome links single-use without storing them.
        """
        source = (self.password_hash or "unset").encode()
        return hashlib.sha256(source).hexdigest()[:16]

    # Roles ---------------------------------------------------------------------------------
    def has_role(self, role: Role) -> bool:
        """True when the person holds the role; admins can do what every other role can."""
        held = Role(self.roles or 0)
        return role in held or Role.ADMIN in held

    def holds(self, role: Role) -> bool:
        """True only when the role itself is granted (no admin shortcut), for the roles page."""
        return role in Role(self.roles or 0)

    @property
    def role_names(self) -> list[str]:
        return [r.label for r in ALL_ROLES if self.holds(r)]

    @staticmethod
    def with_role(role: Role):
        """A SQL condition selecting people who hold the role (or are admins)."""
        mask = int(role | Role.ADMIN)
        return User.roles.op("&")(mask) != 0

    @staticmethod
    def email_matches(email: str):
        return func.lower(User.email) == email.strip().lower()
