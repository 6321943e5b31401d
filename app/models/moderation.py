"""Moderation: reports (flags) on posts, the review queue, warnings, suspensions and appeals,
and the one visibility rule that every list and count of posts follows (STYLE.md rule 13).

A post's moderation state lives in columns on Post (held_at, hidden_at, ...). Two derived states
matter everywhere:

- *in place*: not held. A held post waits for review and only its author and moderators see it.
  A hidden reply keeps its place in its thread, shown as "Hidden by the moderators".
- *published*: neither held nor hidden. Only published posts are listed and counted for members.

Decisions themselves are AuditEvents (app/models/audit.py): they are never edited, and an author
appeals one of them by its id.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.models.posts import Post
from app.models.users import Role
from app.timeutil import utcnow


class FlagReason:
    """Why a member reports a post (a note is required for OTHER)."""

    SPAM = "spam"
    ABUSIVE = "abusive"
    PERSONAL = "personal"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    LABELS = {
        SPAM: "Spam or advertising",
        ABUSIVE: "Abusive or discriminatory",
        PERSONAL: "Shares someone's personal information",
        OFF_TOPIC: "Off topic",
        OTHER: "Something else",
    }
    ALL = tuple(LABELS)


class HoldReason:
    """Why a post waits for review before others see it; the text is what its author reads."""

    FIRST_POSTS = "first_posts"
    BOARD = "board"
    LINKS = "links"

    LABELS = {
        FIRST_POSTS: "A new member's first posts are read by a moderator before others see them.",
        BOARD: "The facilitators asked for every post on this board to be read by a moderator.",
        LINKS: "Posts with many links from newer members are read by a moderator first.",
    }
    SHORT = {FIRST_POSTS: "first posts", BOARD: "board holds every post", LINKS: "many links"}


class HideReason:
    FLAGS = "flags"  # hidden automatically when enough members reported it
    MODERATOR = "moderator"


class ReviewCause:
    HELD = "held"
    FLAGS = "flags"
    APPEAL = "appeal"

    LABELS = {HELD: "Held for review", FLAGS: "Reported", APPEAL: "Appeal"}


class Outcome:
    """How a review ended: the decision verbs, also the suffix of their audit actions."""

    APPROVED = "approved"
    HIDDEN = "hidden"
    RESTORED = "restored"
    REDACTED = "redacted"

    ALL = (APPROVED, HIDDEN, RESTORED, REDACTED)


class Flag(db.Model):
    """One member's report on one post; the unique constraint makes it one at most."""

    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_flag_created", "created_at"),
        Index("ix_flag_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a moderator decides on the post: the report has been dealt with.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post = relationship("Post")
    user = relationship("User")

    @property
    def reason_label(self) -> str:
        return FlagReason.LABELS.get(self.reason, self.reason)


class Review(db.Model):
    """One turn of a post in the moderation queue: opened when the post is held, reported or
    appealed, closed by a moderator's decision. At most one is open per post (partial unique
    index), so concurrent reports open one review."""

    __table_args__ = (
        Index(
            "uq_review_open_post",
            "post_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_review_queue", "closed_at", "opened_at"),
        Index("ix_review_post", "post_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    cause: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str] = mapped_column(String(20), default="")
    # Seconds from opening to the decision: the open report's median needs no date arithmetic.
    wait_seconds: Mapped[int | None]
    # A moderator looking at it; the claim lapses after MODERATION_CLAIM_MINUTES.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeal.id"))

    post = relationship("Post")
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    appeal = relationship("Appeal", foreign_keys=[appeal_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Appeal(db.Model):
    """An author's one appeal against one decision (an audit event) about their post."""

    __table_args__ = (Index("ix_appeal_user", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), unique=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str] = mapped_column(String(20), default="")

    event = relationship("AuditEvent")
    post = relationship("Post")


class MemberWarning(db.Model):
    """A moderator's message to a member; shown as a banner until they dismiss it."""

    __tablename__ = "member_warning"
    __table_args__ = (Index("ix_member_warning_user_seen", "user_id", "seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post = relationship("Post")


class Suspension(db.Model):
    """A period in which a member can read but not post, vote, report or register."""

    __table_args__ = (Index("ix_suspension_user_ends", "user_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User", foreign_keys=[user_id])

    @staticmethod
    def active(now: datetime):
        """A SQL condition: suspensions in force at now."""
        return and_(
            Suspension.lifted_at.is_(None),
            Suspension.starts_at <= now,
            Suspension.ends_at > now,
        )


class Redaction(db.Model):
    """A post's text as it was before a moderator removed personal information from it.

    Kept apart from PostRevision (which the author reads): only moderators and admins see it.
    """

    __table_args__ = (Index("ix_redaction_post", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The visibility rule -------------------------------------------------------------------------


def _viewer(user) -> tuple[int | None, bool]:
    """(id, sees everything) for a viewer; visitors and None are the public."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None, False
    return user.id, user.has_role(Role.MODERATOR)


def visibility(user, *, in_place: bool = False, post=Post):
    """The SQL condition behind visible(), or None when the viewer sees every post.

    `post` may be an alias of Post (for queries that join posts twice).
    """
    user_id, moderator = _viewer(user)
    if moderator:
        return None
    shown = post.held_at.is_(None)
    if not in_place:
        shown = and_(shown, post.hidden_at.is_(None))
    if user_id is None:
        return shown
    # Authors see their own held and hidden posts, labelled.
    return or_(shown, post.author_id == user_id)


def visible(query: Select, user, *, in_place: bool = False, post=Post) -> Select:
    """Limit a query of posts to those user may see: the one rule for every list and count.

    - the public (user None or a visitor): published posts only, neither held nor hidden;
    - a member: the same, plus their own held and hidden posts (shown with a label);
    - moderators and admins: every post (shown with a label).

    in_place=True is for a thread's replies: a hidden reply keeps its place there (shown as
    "Hidden by the moderators"), so only held posts are left out. Counts meant for everyone
    (agenda candidates, the board counters) use user=None.
    """
    condition = visibility(user, in_place=in_place, post=post)
    return query if condition is None else query.where(condition)


def can_see(post: Post, user, *, in_place: bool = True) -> bool:
    """visible() for one post already loaded (a thread page, a link to a reply): the same rule
    in Python, so a single post never needs a second query."""
    user_id, moderator = _viewer(user)
    if moderator or (user_id is not None and post.author_id == user_id):
        return True
    return post.held_at is None and (in_place or post.hidden_at is None)


def sees_everything(user) -> bool:
    """Moderators and admins see every post, labelled."""
    return _viewer(user)[1]


# Standing: what a member's own moderation record means for them now --------------------------


def approved_posts(user_id: int) -> Select:
    """How many of the member's posts are published (not held, not hidden): one count."""
    return select(func.count(Post.id)).where(
        Post.author_id == user_id, Post.held_at.is_(None), Post.hidden_at.is_(None)
    )


@functools.cache
def standing_query() -> Select:
    """Unseen warnings and the suspension in force, in one statement (a banner on every page),
    for the parameters user_id and now. Built once: building it was a visible share of every
    member's page."""
    user_id = bindparam("user_id")
    now = bindparam("now", type_=UTCDateTime())
    warnings = select(
        literal_column("'warning'").label("kind"),
        MemberWarning.id.label("id"),
        MemberWarning.created_at.label("moment"),
        MemberWarning.message.label("text"),
    ).where(_unseen_warning(user_id))
    suspensions = select(
        literal_column("'suspension'").label("kind"),
        Suspension.id.label("id"),
        Suspension.ends_at.label("moment"),
        Suspension.reason.label("text"),
    ).where(_suspension_in_force(user_id, now))
    return union_all(warnings, suspensions)


def has_notices(user_id):
    """A SQL condition: standing_query() would find a row for user_id at the parameter now."""
    now = bindparam("now", type_=UTCDateTime())
    return or_(
        exists().where(_unseen_warning(user_id)),
        exists().where(_suspension_in_force(user_id, now)),
    )


def _unseen_warning(user_id):
    return and_(MemberWarning.user_id == user_id, MemberWarning.seen_at.is_(None))


def _suspension_in_force(user_id, now):
    return and_(Suspension.user_id == user_id, Suspension.active(now))


@dataclass(frozen=True)
class Notice:
    kind: str  # "warning" or "suspension"
    id: int
    moment: datetime  # when the warning was given; when the suspension ends
    text: str


@dataclass(frozen=True)
class Standing:
    """A member's moderation standing now: their unseen warnings and any suspension."""

    warnings: tuple[Notice, ...] = ()
    suspension: Notice | None = None

    @property
    def suspended_until(self) -> datetime | None:
        return self.suspension.moment if self.suspension else None
