"""A meeting's agenda: its ordered items, the questions not taken, and questions carried on."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class ItemStatus:
    PLANNED = "planned"
    DISCUSSED = "discussed"
    SKIPPED = "skipped"

    ALL = (PLANNED, DISCUSSED, SKIPPED)


class ItemKind:
    """What an agenda item is: a question from a board, a free item (welcome, break, close),
    or the accountability review of the series' earlier actions (one per agenda at most)."""

    QUESTION = "question"
    FREE = "free"
    ACTIONS_REVIEW = "actions_review"

    ALL = (QUESTION, FREE, ACTIONS_REVIEW)


class Agenda(db.Model):
    """One meeting's agenda: a draft for facilitators until published_at is set.

    `version` is bumped by every change, in the same transaction, with a conditional UPDATE
    that also serialises writers: it is the lock that keeps positions a clean 1..n, and the
    ETag of the live region on the meeting page.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), unique=True)
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The last change to the items (added, edited, moved, removed): "changed since published".
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The item running now. A plain id, not a foreign key: agenda and item would otherwise
    # reference each other; services clear it when the item is removed.
    current_item_id: Mapped[int | None]
    # How many people took part, recorded by the facilitator after the meeting.
    attendance: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting = relationship("Meeting")
    items = relationship(
        "AgendaItem",
        back_populates="agenda",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def changed_since_published(self) -> bool:
        return bool(self.published_at and self.changed_at and self.changed_at > self.published_at)


class AgendaItem(db.Model):
    """A slot in the agenda: a question from a board, a free item (welcome, break, close), or
    the actions review, which lists the open actions of the series' earlier meetings."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        # A question is on a meeting's agenda once at most, however many facilitators add it.
        UniqueConstraint("meeting_id", "post_id"),
        # The agenda in order.
        Index("ix_agenda_item_agenda_position", "agenda_id", "position"),
        # A question's statuses on its board ("On the agenda for", "Discussed at").
        Index("ix_agenda_item_post", "post_id"),
        # One actions review per agenda, however it is added (preset, fill, first item).
        Index(
            "uq_agenda_item_actions_review",
            "agenda_id",
            unique=True,
            sqlite_where=text("kind = 'actions_review'"),
            postgresql_where=text("kind = 'actions_review'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("agenda.id"))
    # Repeated from the agenda so that the unique constraint above can hold.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(160))
    minutes: Mapped[int]
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    kind: Mapped[str] = mapped_column(String(16), default=ItemKind.FREE, server_default="free")
    status: Mapped[str] = mapped_column(String(10), default=ItemStatus.PLANNED)
    # Markdown as written, and its sanitised HTML rendered when saved.
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_html: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Added, edited or moved: compared with the agenda's published_at.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agenda = relationship("Agenda", back_populates="items")
    post = relationship("Post")

    @property
    def is_question(self) -> bool:
        return self.post_id is not None

    @property
    def is_actions_review(self) -> bool:
        return self.kind == ItemKind.ACTIONS_REVIEW


class NotTaken(db.Model):
    """A candidate question a facilitator chose not to take this time, and why (shown openly)."""

    __tablename__ = "agenda_not_taken"
    __table_args__ = (
        UniqueConstraint("meeting_id", "post_id"),
        Index("ix_agenda_not_taken_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    reason: Mapped[str] = mapped_column(String(200))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post")


class CarriedQuestion(db.Model):
    """A question not reached at one meeting, moved with its votes and replies to a board of
    the next meeting of the series: where it came from, for the link back."""

    __tablename__ = "carried_question"
    __table_args__ = (
        UniqueConstraint("post_id", "from_meeting_id"),
        Index("ix_carried_question_from_meeting", "from_meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    from_meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    from_board_id: Mapped[int] = mapped_column(ForeignKey("board.id"))
    to_meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    to_board_id: Mapped[int] = mapped_column(ForeignKey("board.id"))
    carried_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    carried_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post")
    from_meeting = relationship("Meeting", foreign_keys=[from_meeting_id])
    to_meeting = relationship("Meeting", foreign_keys=[to_meeting_id])
