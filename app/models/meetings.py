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

    def phase(self, now: datetime | None = None) -> str:
        """'before', 'during' or 'after', following the clock."""
        now = now or utcnow()
        if now < self.starts_at:
            return "before"
        if now < self.ends_at:
            return "during"
        return "after"
