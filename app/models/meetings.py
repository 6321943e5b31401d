"""Series of themed meetings, their themes, and the meetings themselves."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import format_range, utcnow


class Series(db.Model):
    """A run of meetings (e.g. "Levelling Up") that owns a set of themes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themes = relationship("Theme", back_populates="series", order_by="Theme.id")
    meetings = relationship("Meeting", back_populates="series", order_by="Meeting.starts_at")


class Theme(db.Model):
    """A subject a series returns to; each meeting that takes it up gets a board for it."""

    __table_args__ = (UniqueConstraint("series_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")

    series = relationship("Series", back_populates="themes")


class MeetingStatus:
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Meeting(db.Model):
    """One online or in-person meeting of a series, with a board per theme."""

    __table_args__ = (
        Index("ix_meeting_status_starts", "status", "starts_at"),
        Index("ix_meeting_series_starts", "series_id", "starts_at"),
        # The meetings page splits upcoming from past on ends_at, within the visible statuses.
        Index("ix_meeting_status_ends", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Shown to registered members only.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    # None means no limit.
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    # Places taken and people waiting, kept exact by app.meetings.registration in the same
    # transaction as the Registration rows: a conditional UPDATE on registered_count is what
    # stops over-booking, and pages read the numbers without counting rows.
    registered_count: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlist_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # iCalendar SEQUENCE: bumped on every change people's calendars should pick up.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    series = relationship("Series", back_populates="meetings")
    boards = relationship("Board", back_populates="meeting", order_by="Board.position")

    @property
    def when(self) -> str:
        """'Thursday 24 February 2022, 12:00-13:30 GMT'."""
        return format_range(self.starts_at, self.ends_at)

    @property
    def is_published(self) -> bool:
        return self.status == MeetingStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_draft(self) -> bool:
        return self.status == MeetingStatus.DRAFT

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registered_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        """Free places, or None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.registered_count, 0)

    def phase(self, now: datetime | None = None) -> str:
        """'before', 'during' or 'after', following the clock."""
        return phase_at(self.starts_at, self.ends_at, now)


def phase_at(starts_at: datetime, ends_at: datetime, now: datetime | None = None) -> str:
    """Meeting.phase() from the two times alone (for a poll that loads no Meeting)."""
    now = now or utcnow()
    if now < starts_at:
        return "before"
    if now < ends_at:
        return "during"
    return "after"


class RegistrationStatus:
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"


class Registration(db.Model):
    """A member's place at a meeting, or their place in its waiting list (first come, first served).

    Cancelling deletes the row: registering again joins the back of the queue.
    """

    __table_args__ = (
        # One registration per member per meeting, whatever the number of clicks or workers.
        UniqueConstraint("meeting_id", "user_id"),
        # Registrants list, waiting-list order and promotion: meeting, status, then time.
        Index("ix_registration_meeting_status_created", "meeting_id", "status", "created_at"),
        # A member's own registrations (calendar feed, meetings page).
        Index("ix_registration_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(10), default=RegistrationStatus.REGISTERED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a place freed up and this member moved from the waiting list to registered.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting = relationship("Meeting")
    user = relationship("User")

    @property
    def is_registered(self) -> bool:
        return self.status == RegistrationStatus.REGISTERED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED
