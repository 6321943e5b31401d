"""Running the meeting from its agenda, and what it leaves behind: the current item and its
clock, statuses, outcome notes, attendance, and questions carried forward.

Services flush and never commit; each change takes the agenda's lock first (app.agenda.services),
which also bumps the version the live region's ETag is made from.
"""

import math
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from app import audit
from app.agenda.services import (
    ItemGone,
    Refused,
    current_order,
    ensure_agenda,
    forget,
    lock,
)
from app.content import render_markdown
from app.extensions import db
from app.models import Agenda, AgendaItem, Board, CarriedQuestion, ItemStatus, Meeting, Post, User
from app.timeutil import utcnow

# Running the meeting ---------------------------------------------------------------------------


def start_item(agenda: Agenda, item: AgendaItem, now=None) -> None:
    """Make item the current one; its clock starts the first time it is started."""
    now = now or utcnow()
    lock(agenda.id)
    if db.session.scalar(select(AgendaItem.id).where(AgendaItem.id == item.id)) is None:
        raise ItemGone
    db.session.execute(
        update(Agenda).where(Agenda.id == agenda.id).values(current_item_id=item.id),
        execution_options={"synchronize_session": False},
    )
    forget(Agenda, agenda.id, "current_item_id")
    if item.started_at is None:
        item.started_at = now
    db.session.flush()


def advance(agenda: Agenda, direction: str, now=None) -> AgendaItem:
    """Go to the next (or previous) item and start it; the first item when none has started."""
    if direction not in ("next", "previous"):
        raise ValueError(direction)
    lock(agenda.id)
    ids = [ident for ident, _ in current_order(agenda.id)]
    if not ids:
        raise Refused("The agenda has no items yet")
    current = db.session.scalar(select(Agenda.current_item_id).where(Agenda.id == agenda.id))
    if current in ids:
        there = ids.index(current) + (1 if direction == "next" else -1)
    else:
        there = 0 if direction == "next" else -1
    if there >= len(ids):
        raise Refused("This is the last item on the agenda")
    if there < 0:
        raise Refused("This is the first item on the agenda")
    item = db.session.get(AgendaItem, ids[there])
    start_item(agenda, item, now)
    return item


def set_status(item: AgendaItem, status: str) -> None:
    """Mark an item discussed, skipped, or planned again."""
    if status not in ItemStatus.ALL:
        raise ValueError(status)
    lock(item.agenda_id)
    item.status = status
    db.session.flush()


def save_outcome(item: AgendaItem, notes: str) -> None:
    """Keep the item's outcome notes (Markdown) and their sanitised HTML, rendered now."""
    lock(item.agenda_id)
    item.notes = notes
    item.notes_html = render_markdown(notes)
    db.session.flush()


def record_attendance(meeting: Meeting, number: int) -> None:
    """Record how many people took part in the meeting."""
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    db.session.execute(
        update(Agenda).where(Agenda.id == agenda.id).values(attendance=number),
        execution_options={"synchronize_session": False},
    )
    forget(Agenda, agenda.id, "attendance")


def minutes_left(item: AgendaItem, now: datetime | None = None) -> int | None:
    """Whole minutes left on a started item (negative when over), or None before it starts."""
    if item.started_at is None:
        return None
    elapsed = ((now or utcnow()) - item.started_at).total_seconds()
    left = item.minutes * 60 - elapsed
    # Rounded up, as a kitchen timer does: 6 min 30 s left reads "7 minutes left".
    return math.ceil(left / 60)


# After the meeting -----------------------------------------------------------------------------


def carry_forward(meeting: Meeting, post: Post, board: Board, actor: User, now=None) -> None:
    """Move a question not reached at meeting, with its votes and replies, to board (of the
    next meeting in the series); both boards' counts move and the move is recorded.

    Refused before the meeting is over, for a question discussed at it, or when another
    facilitator carried it first.
    """
    now = now or utcnow()
    if meeting.phase(now) != "after":
        raise Refused("You can carry questions forward once the meeting is over")
    discussed = db.session.scalar(
        select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id,
            AgendaItem.post_id == post.id,
            AgendaItem.status == ItemStatus.DISCUSSED,
        )
    )
    if discussed is not None:
        raise Refused("This question was discussed at the meeting, so it stays on its board")
    # Read afresh: the question must still be on one of this meeting's boards.
    old_board_id = db.session.scalar(
        select(Post.board_id)
        .join(Board, Board.id == Post.board_id)
        .where(Post.id == post.id, Board.meeting_id == meeting.id)
    )
    if old_board_id is None:
        raise Refused("This question has already been carried forward")
    moved = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.board_id == old_board_id)
        .values(board_id=board.id, version=Post.version + 1),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not moved:
        raise Refused("This question has already been carried forward")
    db.session.execute(
        update(Post).where(Post.root_id == post.id).values(board_id=board.id),
        execution_options={"synchronize_session": False},
    )
    replies = db.session.scalar(select(Post.reply_count).where(Post.id == post.id)) or 0
    _move_counts(old_board_id, -1, -(1 + replies))
    _move_counts(board.id, +1, 1 + replies)
    db.session.add(
        CarriedQuestion(
            post_id=post.id,
            from_meeting_id=meeting.id,
            from_board_id=old_board_id,
            to_meeting_id=board.meeting_id,
            to_board_id=board.id,
            carried_by_id=actor.id,
            carried_at=now,
        )
    )
    db.session.flush()
    forget(Post, post.id, "board_id", "board", "version", "reply_count")
    audit.record(
        actor, "agenda.carried", "post", post.id, detail=f"board {old_board_id} -> {board.id}"
    )


def _move_counts(board_id: int, questions: int, posts: int) -> None:
    db.session.execute(
        update(Board)
        .where(Board.id == board_id)
        .values(
            question_count=Board.question_count + questions,
            post_count=Board.post_count + posts,
            version=Board.version + 1,
        ),
        execution_options={"synchronize_session": False},
    )
    forget(Board, board_id, "question_count", "post_count", "version")


def not_reached(meeting: Meeting, items: Iterable[AgendaItem]) -> list[AgendaItem]:
    """Question items of a past meeting that were not discussed (the ones to carry forward)."""
    return [
        item
        for item in items
        if item.post is not None
        and item.status != ItemStatus.DISCUSSED
        and item.post.board.meeting_id == meeting.id
        and item.post.removed_at is None
    ]
