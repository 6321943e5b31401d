"""Insights: the story facilitators tell beside a meeting's numbers, and the summary members read.

A meeting's MeetingInsight holds the facilitators' narrative (a draft they keep editing) and,
once published, a frozen copy of what members see: the narrative as published and the
aggregate figures at that moment (numbers only, no personal data). InsightPins are the posts
facilitators chose to quote beside the numbers.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow

# A short narrative: what the figures mean, in a few paragraphs.
NARRATIVE_MAX = 3000


class MeetingInsight(db.Model):
    """One meeting's narrative (draft) and its published member-facing summary.

    `version` goes up with every narrative save, by a conditional UPDATE: a facilitator saving
    from a stale page is told, instead of silently overwriting a colleague's text.
    """

    __tablename__ = "meeting_insight"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    # Markdown as written, and its sanitised HTML rendered when saved.
    narrative: Mapped[str] = mapped_column(Text, default="")
    narrative_html: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The narrative or the pins changed: compared with published_at ("changed since published").
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The summary as members read it, frozen when published (None: a draft, members see nothing).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_html: Mapped[str] = mapped_column(Text, default="")
    # Aggregate numbers only (app.insights.services.summary_figures) and the pinned post ids.
    published_figures: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def changed_since_published(self) -> bool:
        return bool(self.published_at and self.changed_at and self.changed_at > self.published_at)


class InsightPin(db.Model):
    """A post (a thread, a reply, a reflection) a facilitator pinned beside a meeting's figures."""

    __tablename__ = "insight_pin"
    __table_args__ = (
        # Pinned once per meeting, however many facilitators press the button at once.
        UniqueConstraint("meeting_id", "post_id"),
        # The meeting's pins in the order they were pinned.
        Index("ix_insight_pin_meeting_created", "meeting_id", "created_at"),
        Index("ix_insight_pin_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    pinned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post")
