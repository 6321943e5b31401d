"""Boards: one discussion board per theme of a meeting."""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime


class Board(db.Model):
    """The board where one theme of one meeting is discussed before, during and after it."""

    __table_args__ = (UniqueConstraint("meeting_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # Set by a facilitator: read-only, voting stops.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Early votes must not herd later ones: counts stay hidden until the meeting starts.
    hide_votes_until_start: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Set by a facilitator: every member's post waits for a moderator before others see it.
    hold_posts: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Kept exact by the board services in the same transaction as the post, so that lists of
    # boards never count rows. They count published posts (a removed post keeps its row and
    # its count; a held or hidden one is not counted, so counts reveal nothing moderated).
    question_count: Mapped[int] = mapped_column(default=0, server_default="0")
    post_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped by every post, edit, removal and vote in the same transaction: the live region's
    # ETag, so that an unchanged board answers a poll with one cheap query and a 304.
    version: Mapped[int] = mapped_column(default=0, server_default="0")

    meeting = relationship("Meeting", back_populates="boards")
    theme = relationship("Theme")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
