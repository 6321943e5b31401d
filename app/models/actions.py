"""Actions: commitments that came out of a meeting, a board, a thread or an agenda item, owned
by one or several members, with a timeline that is only ever added to."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow

# Limits of what members write (the forms and services check them, with messages).
TITLE_MAX = 160
DETAIL_MAX = 5000
TEXT_MAX = 5000
REASON_MAX = 1000


class ActionStatus:
    PROPOSED = "proposed"  # no owner has accepted yet
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    ALL = (PROPOSED, OPEN, IN_PROGRESS, DONE, DROPPED)
    # Still to be delivered: these are reminded, reviewed and can be overdue.
    ACTIVE = (PROPOSED, OPEN, IN_PROGRESS)
    CLOSED = (DONE, DROPPED)
    # What an owner may move an accepted action to (proposed only ends by an acceptance).
    CHOOSABLE = (OPEN, IN_PROGRESS, DONE, DROPPED)
    LABELS = {
        PROPOSED: "Proposed",
        OPEN: "Open",
        IN_PROGRESS: "In progress",
        DONE: "Done",
        DROPPED: "Dropped",
    }


class SourceType:
    """Where an action came from. An agenda item is kept as (source_type, source_id) only: the
    agenda_item table did not exist when actions were built, so there is no foreign key to it."""

    MEETING = "meeting"
    BOARD = "board"
    POST = "post"
    AGENDA_ITEM = "agenda_item"

    ALL = (MEETING, BOARD, POST, AGENDA_ITEM)


class OwnerState:
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class HasOwners:
    """Who owns what, for anything with `owners` (each with user_id and state): an action, or a
    card drawn from plain rows (app.actions.cards.Card)."""

    __slots__ = ()  # a card keeps its slots

    @property
    def accepted_owners(self) -> list:
        return [o for o in self.owners if o.state == OwnerState.ACCEPTED]

    @property
    def invited_owners(self) -> list:
        return [o for o in self.owners if o.state == OwnerState.INVITED]

    def owner_state(self, user_id: int | None) -> str | None:
        """'invited', 'accepted', 'declined' or None for this person (owners must be loaded)."""
        for owner in self.owners:
            if owner.user_id == user_id:
                return owner.state
        return None


class Action(HasOwners, db.Model):
    """A commitment with one or several owners, a due date and a status.

    meeting_id, board_id and post_id are the chain the source sits in (a thread's board and
    meeting are filled in too), so that a meeting, a theme or a thread lists its actions with one
    indexed query. `version` goes up with every status change or edit: forms carry it, and a
    change made from a stale form is refused instead of silently overwriting another one.
    """

    __table_args__ = (
        Index("ix_action_status_due", "status", "due_on"),
        Index("ix_action_meeting_status", "meeting_id", "status"),
        Index("ix_action_board", "board_id"),
        Index("ix_action_post", "post_id"),
        Index("ix_action_source", "source_type", "source_id"),
        Index("ix_action_proposer", "proposer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    detail: Mapped[str] = mapped_column(Text, default="")
    # Rendered (app.content) when saved, never on view.
    detail_html: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=ActionStatus.PROPOSED)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    proposer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    source_type: Mapped[str] = mapped_column(String(12), default="")
    source_id: Mapped[int | None]
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("board.id"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    # The agenda item's title when the action came from one (shown without reading its table).
    source_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The UK date it was marked done (None otherwise): "done on time" is done_on <= due_on.
    done_on: Mapped[date | None] = mapped_column(Date)
    dropped_reason: Mapped[str] = mapped_column(Text, default="")
    # The latest progress update, copied here in the same transaction as its timeline row, so
    # that lists show it without a query per action.
    last_update: Mapped[str] = mapped_column(Text, default="")
    last_update_html: Mapped[str] = mapped_column(Text, default="")
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposer = relationship("User", foreign_keys=[proposer_id])
    meeting = relationship("Meeting")
    board = relationship("Board")
    post = relationship("Post")
    owners = relationship(
        "ActionOwner",
        back_populates="action",
        order_by="ActionOwner.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status}>"

    @property
    def status_label(self) -> str:
        return ActionStatus.LABELS[self.status]

    @property
    def is_active(self) -> bool:
        return self.status in ActionStatus.ACTIVE

    def is_overdue(self, today: date) -> bool:
        return self.is_active and self.due_on < today

    @property
    def done_on_time(self) -> bool:
        return (
            self.status == ActionStatus.DONE
            and self.done_on is not None
            and (self.done_on <= self.due_on)
        )


class ActionOwner(db.Model):
    """One member's part in an action: invited, then accepted or declined (explicit ownership)."""

    __tablename__ = "action_owner"
    __table_args__ = (
        UniqueConstraint("action_id", "user_id"),
        # "My actions": what I own and what I am invited to.
        Index("ix_action_owner_user_state", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(10), default=OwnerState.INVITED)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action = relationship("Action", back_populates="owners")
    user = relationship("User", foreign_keys=[user_id])


class ActionFollower(db.Model):
    """A member who follows an action (it shows in their "My actions")."""

    __tablename__ = "action_follower"
    __table_args__ = (
        UniqueConstraint("action_id", "user_id"),
        Index("ix_action_follower_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventKind:
    PROPOSED = "proposed"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STATUS = "status"
    UPDATE = "update"
    COMMENT = "comment"
    REVIEW = "review"
    EDITED = "edited"


class ActionEventImmutable(Exception):
    """Raised when code tries to change or remove a timeline entry."""


class ActionEvent(db.Model):
    """One dated line of an action's timeline: who did what, when, and what they wrote.

    Never edited and never deleted (as audit events): the timeline is the record of who
    committed to what.
    """

    __tablename__ = "action_event"
    __table_args__ = (
        Index("ix_action_event_action_created", "action_id", "created_at"),
        Index("ix_action_event_meeting_kind", "meeting_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    # None for the system itself.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12), default="")
    # The invited owner, for "invited" events.
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The meeting where the action was reviewed, for "review" events.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User", foreign_keys=[actor_id])
    subject_user = relationship("User", foreign_keys=[subject_user_id])
    meeting = relationship("Meeting")


@event.listens_for(ActionEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise ActionEventImmutable("timeline entries are never edited")


@event.listens_for(ActionEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ActionEventImmutable("timeline entries are never deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    """Bulk UPDATE/DELETE statements skip the mapper events above, so catch them here too."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is ActionEvent:
        raise ActionEventImmutable("timeline entries are never edited or deleted")


class ReminderKind:
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    REVIEW = "review"


class ActionReminder(db.Model):
    """A reminder email sent (or being sent) to one owner: the unique key makes it once only.

    `key` is the due date (ISO) for due and overdue reminders, so that a new due date is
    reminded again, and the meeting id for review reminders.
    """

    __tablename__ = "action_reminder"
    __table_args__ = (UniqueConstraint("action_id", "user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
