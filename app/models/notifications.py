"""Notifications: what members are told about (in the app and by email), what they follow, how
they want to be emailed, and the digests already sent.

A member's unread count lives on User.unread_notifications, kept exact by the services with
atomic UPDATEs in the same transaction as the rows it counts: the bell in every page's header
then costs no query at all.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class Kind:
    """What a notification is about; each kind a member can email-tune has a settings column."""

    REPLY = "reply"  # a reply to my post
    MENTION = "mention"  # @me in a post
    FOLLOW = "follow"  # a new post in a thread or on a board I follow
    AGENDA = "agenda"  # my question put on an agenda, or discussed
    ACTION_INVITE = "action_invite"  # I am asked to own an action
    ACTION = "action"  # a status change, update or comment on an action I own or follow
    MODERATION = "moderation"  # a decision about my post
    MEETING = "meeting"  # a meeting I registered for changed or was cancelled
    APPLICATION = "application"  # my application to join was approved (the new account)

    # Emailed as each member chooses (immediately, in a daily digest, or never).
    EMAILED = (REPLY, MENTION, FOLLOW, AGENDA, ACTION, MEETING)
    # In the app only here: their own area already emails every one of them, whatever the
    # settings (invitations, cancellations, moderation decisions, the welcome email).
    LABELS = {
        REPLY: "Replies to your posts",
        MENTION: "Mentions of you",
        FOLLOW: "New posts in threads and boards you follow",
        AGENDA: "Your questions put on an agenda or discussed",
        ACTION: "Changes, updates and comments on actions you own or follow",
        MEETING: "Changes to meetings you registered for",
        ACTION_INVITE: "Invitations to own an action",
        MODERATION: "Moderation decisions about your posts",
        APPLICATION: "Your application to join",
    }


class EmailMode:
    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"

    ALL = (IMMEDIATE, DAILY, OFF)
    LABELS = {IMMEDIATE: "Immediately", DAILY: "In a daily digest", OFF: "Never"}


# What a member who never opened the settings page gets: time-sensitive news at once, the rest
# gathered once a day.
DEFAULT_MODES = {
    Kind.REPLY: EmailMode.DAILY,
    Kind.MENTION: EmailMode.DAILY,
    Kind.FOLLOW: EmailMode.DAILY,
    Kind.AGENDA: EmailMode.DAILY,
    Kind.ACTION: EmailMode.DAILY,
    Kind.MEETING: EmailMode.IMMEDIATE,
}
DEFAULT_MEETING_DIGEST_DAYS = 3


class Notification(db.Model):
    """One thing one member is told about.

    `text` is the line shown, written once when the event happens (it never names the author of
    an anonymous post). `key` names the event (e.g. "post:42"), so that nobody is told about the
    same event twice, however many hooks or runs reach it. `email` is how it is to be emailed,
    decided when it was created ("" when it is not emailed by us); `emailed_at` is set when the
    email (alone or in a digest) went.
    """

    __table_args__ = (
        # The notifications page: mine, newest first.
        Index("ix_notification_user_created", "user_id", "created_at"),
        # "Was this member already told about this event?"
        Index("ix_notification_key_user", "key", "user_id"),
        # Digests and immediate emails still to send.
        Index("ix_notification_email_pending", "email", "emailed_at"),
        # Withdrawing what was said about a post the moderators hid.
        Index("ix_notification_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(60))
    # Who caused it (never shown: the text names them, or says "A member").
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(String(400))
    # A few words of the post, update or comment, as plain text.
    excerpt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # What it leads to (one of them, or none for the welcome).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email: Mapped[str] = mapped_column(String(10), default="", server_default="")
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Follow(db.Model):
    """A member following a thread (told of its replies) or a board (told of its new threads)."""

    __table_args__ = (
        UniqueConstraint("user_id", "thread_id", name="uq_follow_user_thread"),
        UniqueConstraint("user_id", "board_id", name="uq_follow_user_board"),
        CheckConstraint("(thread_id IS NULL) <> (board_id IS NULL)", name="one_target"),
        Index("ix_follow_thread", "thread_id"),
        Index("ix_follow_board", "board_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("board.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationSettings(db.Model):
    """How a member wants to be emailed: a mode per kind, and the digest before meetings.

    No row means the defaults (DEFAULT_MODES, DEFAULT_MEETING_DIGEST_DAYS).
    """

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    reply: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODES[Kind.REPLY])
    mention: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODES[Kind.MENTION])
    follow: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODES[Kind.FOLLOW])
    agenda: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODES[Kind.AGENDA])
    action: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODES[Kind.ACTION])
    meeting: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODES[Kind.MEETING])
    # Days before each meeting I registered for to send its digest; 0: no such digest.
    meeting_digest_days: Mapped[int] = mapped_column(default=DEFAULT_MEETING_DIGEST_DAYS)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def mode(self, kind: str) -> str:
        return getattr(self, kind) or DEFAULT_MODES[kind]

    @classmethod
    def defaults(cls, user_id: int) -> "NotificationSettings":
        """An unsaved row holding the defaults (what a member without a row gets)."""
        return cls(
            user_id=user_id,
            meeting_digest_days=DEFAULT_MEETING_DIGEST_DAYS,
            **DEFAULT_MODES,
        )


class DigestKind:
    DAILY = "daily"
    MEETING = "meeting"


class DigestRun(db.Model):
    """A digest sent (or being sent) to one member: the unique key makes it once only.

    key is the UK date for the daily digest and the meeting id for a meeting's digest. The row
    is committed with the digest's queued email, so two runs at once never send it twice.
    """

    __tablename__ = "notification_digest"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key", name="uq_notification_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    items: Mapped[int] = mapped_column(default=0)
