"""Changing an agenda: items from questions and free items, order, time, not taken, publishing
(running the meeting is in app.agenda.running).

Services flush and never commit: the route commits once. Every change first locks the
meeting's agenda with a conditional UPDATE of its version counter (a row lock on PostgreSQL,
the write lock on SQLite), then reads positions afresh and renumbers them (app.agenda.ordering):
two facilitators editing at once are served one after the other, so positions stay exactly 1..n
and a question, or the actions review, is on the agenda once at most (unique constraints are the
last guard).
"""

from collections import Counter
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select, update

from app import audit
from app.actions import reviews as action_reviews
from app.agenda import queries
from app.agenda.ordering import current_order, ensure_agenda, forget, lock
from app.agenda.ordering import renumber as _renumber
from app.agenda.ordering import touch as _touch
from app.agenda.ordering import upsert as _upsert
from app.extensions import db
from app.models import (
    Agenda,
    AgendaItem,
    Board,
    ItemKind,
    Meeting,
    NotTaken,
    Post,
    User,
)
from app.timeutil import utcnow

TITLE_MAX = 160
REASON_MAX = 200
MINUTES_MIN, MINUTES_MAX = 1, 240
NOTES_MAX = 10_000

# Quick choices for free items: title, minutes, and whether the item opens the agenda.
PRESETS = {
    "welcome": ("Welcome and introductions", 5, True),
    "actions": ("Review of actions from the last meeting", 10, False),
    "break": ("Break", 10, False),
    "close": ("Close and next steps", 5, False),
}
# The preset that makes the agenda's actions review (an item of its own kind, one per agenda).
REVIEW_PRESET = "actions"


class Refused(Exception):
    """A change the rules do not allow now; the message says why, in words for the person."""


class ItemGone(Exception):
    """The item was removed (by another facilitator) before this change reached it."""


def default_minutes() -> int:
    """Minutes given to a question added to the agenda (the AGENDA_DEFAULT_MINUTES setting)."""
    return int(current_app.config.get("AGENDA_DEFAULT_MINUTES", 10))


# Building the agenda -------------------------------------------------------------------------


def add_question(
    meeting: Meeting, post: Post, now: datetime | None = None
) -> tuple[AgendaItem, bool]:
    """Put a candidate question at the end of the agenda, titled from it; (item, created).

    A question already on the agenda is left where it is (created is False). Adding a question
    takes back any "not taken this time" decision about it. The agenda's first item brings the
    actions review with it when there are actions to review (see _review_when_due).
    """
    now = now or utcnow()
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    existing = db.session.scalar(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.post_id == post.id)
    )
    if existing is not None:
        return existing, False
    order = current_order(agenda.id)
    if not order:
        order, _ = _review_when_due(meeting, agenda, order, now)
    item = AgendaItem(
        agenda_id=agenda.id,
        meeting_id=meeting.id,
        position=len(order) + 1,
        title=post.title[:TITLE_MAX],
        minutes=default_minutes(),
        post_id=post.id,
        kind=ItemKind.QUESTION,
        created_at=now,
        changed_at=now,
    )
    db.session.add(item)
    db.session.flush()
    db.session.execute(
        delete(NotTaken).where(NotTaken.meeting_id == meeting.id, NotTaken.post_id == post.id)
    )
    _touch(agenda.id, now)
    return item, True


def add_free_item(
    meeting: Meeting, title: str, minutes: int, *, first: bool = False, now=None
) -> AgendaItem:
    """Add an item with no question behind it (welcome, break, close...), at the end or first.

    The agenda's first item brings the actions review with it when there are actions to review
    (see _review_when_due)."""
    now = now or utcnow()
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    order = current_order(agenda.id)
    if not order:
        order, _ = _review_when_due(meeting, agenda, order, now)
    item = AgendaItem(
        agenda_id=agenda.id,
        meeting_id=meeting.id,
        position=len(order) + 1,
        title=title[:TITLE_MAX],
        minutes=minutes,
        kind=ItemKind.FREE,
        created_at=now,
        changed_at=now,
    )
    db.session.add(item)
    db.session.flush()
    if first:
        _renumber(order + [(item.id, item.position)], [item.id] + [i for i, _ in order])
    _touch(agenda.id, now)
    return item


def edit_item(item: AgendaItem, *, title: str, minutes: int, now=None) -> bool:
    """Change an item's title and minutes; False when nothing changed."""
    now = now or utcnow()
    lock(item.agenda_id)
    if item.title == title and item.minutes == minutes:
        return False
    item.title = title
    item.minutes = minutes
    item.changed_at = now
    db.session.flush()
    _touch(item.agenda_id, now)
    return True


def move_item(item: AgendaItem, direction: str, now=None) -> tuple[int, int, bool]:
    """Move an item one place up or down; (its position, number of items, whether it moved).

    Raises ItemGone when another facilitator removed it first.
    """
    if direction not in ("up", "down"):
        raise ValueError(direction)
    now = now or utcnow()
    lock(item.agenda_id)
    order = current_order(item.agenda_id)
    ids = [ident for ident, _ in order]
    if item.id not in ids:
        raise ItemGone
    here = ids.index(item.id)
    there = here - 1 if direction == "up" else here + 1
    if not 0 <= there < len(ids):
        _renumber(order, ids)
        return here + 1, len(ids), False
    ids[here], ids[there] = ids[there], ids[here]
    _renumber(order, ids)
    item.changed_at = now
    db.session.flush()
    _touch(item.agenda_id, now)
    return there + 1, len(ids), True


def remove_item(item: AgendaItem, now=None) -> None:
    """Take an item off the agenda; the others close up (raises ItemGone if already removed)."""
    now = now or utcnow()
    agenda_id = item.agenda_id
    lock(agenda_id)
    gone = db.session.execute(delete(AgendaItem).where(AgendaItem.id == item.id)).rowcount
    if not gone:
        raise ItemGone
    db.session.expunge(item)
    db.session.execute(
        update(Agenda)
        .where(Agenda.id == agenda_id, Agenda.current_item_id == item.id)
        .values(current_item_id=None),
        execution_options={"synchronize_session": False},
    )
    order = current_order(agenda_id)
    _renumber(order, [ident for ident, _ in order])
    _touch(agenda_id, now)


# The actions review --------------------------------------------------------------------------


def review_item_id(agenda_id: int) -> int | None:
    """The id of the agenda's actions review item, or None (read after the lock)."""
    return db.session.scalar(
        select(AgendaItem.id).where(
            AgendaItem.agenda_id == agenda_id, AgendaItem.kind == ItemKind.ACTIONS_REVIEW
        )
    )


def _insert_review(
    meeting: Meeting, agenda: Agenda, order: list[tuple[int, int]], at: int, now
) -> tuple[AgendaItem, list[tuple[int, int]]]:
    """Add the actions review item at position `at` (1-based) of order; (item, new order)."""
    title, minutes, _ = PRESETS[REVIEW_PRESET]
    item = AgendaItem(
        agenda_id=agenda.id,
        meeting_id=meeting.id,
        position=len(order) + 1,
        title=title,
        minutes=minutes,
        kind=ItemKind.ACTIONS_REVIEW,
        created_at=now,
        changed_at=now,
    )
    db.session.add(item)
    db.session.flush()
    ids = [ident for ident, _ in order]
    ids.insert(at - 1, item.id)
    _renumber(order + [(item.id, item.position)], ids)
    _touch(agenda.id, now)
    return item, [(ident, n) for n, ident in enumerate(ids, start=1)]


def add_actions_review(meeting: Meeting, now=None) -> tuple[AgendaItem, bool]:
    """Put the actions review at the end of the agenda (the "actions" quick choice); (item,
    created). An agenda has one at most: a second request finds the first (created False)."""
    now = now or utcnow()
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    existing = review_item_id(agenda.id)
    if existing is not None:
        return db.session.get(AgendaItem, existing), False
    order = current_order(agenda.id)
    item, _ = _insert_review(meeting, agenda, order, len(order) + 1, now)
    return item, True


def _review_when_due(
    meeting: Meeting, agenda: Agenda, order: list[tuple[int, int]], now
) -> tuple[list[tuple[int, int]], AgendaItem | None]:
    """Add the actions review by itself when the meeting has actions for review and the agenda
    has no review item yet; (the order now, the item added or None). Called with the lock held.

    It goes near the top: second when the agenda opens with a free item (the welcome), else
    first. A facilitator can move or remove it like any item.
    """
    if review_item_id(agenda.id) is not None:
        return order, None
    if not action_reviews.has_actions_for_review(meeting):
        return order, None
    opens_free = False
    if order:
        opening = db.session.scalar(select(AgendaItem.kind).where(AgendaItem.id == order[0][0]))
        opens_free = opening == ItemKind.FREE
    item, order = _insert_review(meeting, agenda, order, 2 if opens_free else 1, now)
    return order, item


def fill_from_top(meeting: Meeting, now=None) -> list[AgendaItem]:
    """Add the highest-voted questions not yet on the agenda, at the default minutes each,
    while they fit in the meeting's time; nothing is published.

    Every theme that has candidates gets one question before any theme gets a second (themes
    already on the agenda count), and within a round the higher-voted question goes first.
    Questions marked "not taken this time" are left out. When the series has actions for review
    and the agenda has no actions review yet, it is added first (near the top), and its minutes
    count against the meeting's time. Returns the items added: the review first if it was, then
    the questions.
    """
    now = now or utcnow()
    minutes = default_minutes()
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    _, review = _review_when_due(meeting, agenda, current_order(agenda.id), now)
    existing = db.session.execute(
        select(AgendaItem.post_id, AgendaItem.minutes, Board.theme_id)
        .outerjoin(Post, Post.id == AgendaItem.post_id)
        .outerjoin(Board, Board.id == Post.board_id)
        .where(AgendaItem.agenda_id == agenda.id)
    ).all()
    used = sum(row.minutes for row in existing)
    taken = Counter(row.theme_id for row in existing if row.post_id is not None)
    on_agenda = {row.post_id for row in existing if row.post_id is not None}
    declined = set(
        db.session.scalars(select(NotTaken.post_id).where(NotTaken.meeting_id == meeting.id))
    )
    rows = db.session.execute(queries.candidate_rows(meeting.id)).all()
    seen: Counter = Counter()
    keyed = []
    for rank, row in enumerate(rows):
        if row.id in on_agenda or row.id in declined:
            continue
        keyed.append((taken[row.theme_id] + seen[row.theme_id], rank, row))
        seen[row.theme_id] += 1
    keyed.sort(key=lambda entry: entry[:2])
    length = queries.meeting_minutes(meeting)
    position = len(existing)
    added = []
    for _, _, row in keyed:
        if used + minutes > length:
            break
        position += 1
        used += minutes
        item = AgendaItem(
            agenda_id=agenda.id,
            meeting_id=meeting.id,
            position=position,
            title=row.title[:TITLE_MAX],
            minutes=minutes,
            post_id=row.id,
            kind=ItemKind.QUESTION,
            created_at=now,
            changed_at=now,
        )
        db.session.add(item)
        added.append(item)
    if added:
        db.session.flush()
        _touch(agenda.id, now)
    return [review, *added] if review is not None else added


def mark_not_taken(meeting: Meeting, post: Post, reason: str, actor: User, now=None) -> None:
    """Record openly that a candidate is not taken this time, and why (replaces an earlier
    reason). Refused while the question is on the agenda."""
    now = now or utcnow()
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    on_agenda = db.session.scalar(
        select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.post_id == post.id
        )
    )
    if on_agenda is not None:
        raise Refused("This question is on the agenda: remove it from the agenda first")
    db.session.execute(
        _upsert(NotTaken)
        .values(
            meeting_id=meeting.id,
            post_id=post.id,
            reason=reason,
            decided_by_id=actor.id,
            created_at=now,
        )
        .on_conflict_do_update(
            index_elements=["meeting_id", "post_id"],
            set_={"reason": reason, "decided_by_id": actor.id, "created_at": now},
        )
    )
    audit.record(actor, "agenda.not_taken", "post", post.id, reason=reason)


def reconsider(meeting: Meeting, post: Post) -> bool:
    """Take back a "not taken this time" decision; False when there was none."""
    return bool(
        db.session.execute(
            delete(NotTaken).where(NotTaken.meeting_id == meeting.id, NotTaken.post_id == post.id)
        ).rowcount
    )


def publish(meeting: Meeting, actor: User, now=None) -> bool:
    """Show the agenda to members; False when it was already published.

    Refused when the agenda has no items. Later changes show as changed since publishing.
    """
    now = now or utcnow()
    agenda = ensure_agenda(meeting)
    lock(agenda.id)
    if db.session.scalar(select(Agenda.published_at).where(Agenda.id == agenda.id)):
        return False
    if not current_order(agenda.id):
        raise Refused("Add at least one item before you publish the agenda")
    db.session.execute(
        update(Agenda)
        .where(Agenda.id == agenda.id)
        .values(published_at=now, published_by_id=actor.id),
        execution_options={"synchronize_session": False},
    )
    forget(Agenda, agenda.id, "published_at", "published_by_id")
    audit.record(actor, "agenda.published", "meeting", meeting.id)
    return True


def pack_actions(meeting: Meeting) -> action_reviews.PackActions:
    """The actions shown in the meeting pack: `.review`, the actions for review at the meeting
    (open actions of the series' earlier meetings, and those closed since its last meeting,
    each with its latest update), and `.created`, the actions that came out of this meeting.
    Provided by the actions area; five queries whatever their number."""
    return action_reviews.pack_actions(meeting)
