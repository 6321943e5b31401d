"""Locking and ordering an agenda: the primitives every change to it starts with.

Every change first locks the meeting's agenda with a conditional UPDATE of its version counter
(a row lock on PostgreSQL, the write lock on SQLite), then reads positions afresh and renumbers
them, so that two facilitators editing at once are served one after the other.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.agenda import queries
from app.extensions import db
from app.models import Agenda, AgendaItem, Meeting
from app.timeutil import utcnow


def upsert(model):
    """INSERT ... ON CONFLICT support on both databases the app runs on."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)


def ensure_agenda(meeting: Meeting) -> Agenda:
    """The meeting's agenda, created as a draft if it has none (safe when two create at once)."""
    agenda = queries.agenda_for(meeting.id)
    if agenda is not None:
        return agenda
    db.session.execute(
        upsert(Agenda)
        .values(meeting_id=meeting.id, version=0, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["meeting_id"])
    )
    return queries.agenda_for(meeting.id)


def forget(model, ident: int, *names: str) -> None:
    """Expire attributes changed in SQL on an object already loaded (no query if not loaded)."""
    obj = db.session.identity_map.get(db.session.identity_key(model, ident))
    if obj is not None:
        db.session.expire(obj, list(names) or None)


def lock(agenda_id: int) -> int:
    """Take the agenda's lock for the rest of the transaction and bump its version.

    The UPDATE waits for any other transaction holding it, so what is read afterwards is
    what that transaction committed. Returns the new version (the live region's ETag).
    """
    version = db.session.execute(
        update(Agenda)
        .where(Agenda.id == agenda_id)
        .values(version=Agenda.version + 1)
        .returning(Agenda.version),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    forget(Agenda, agenda_id, "version", "current_item_id", "published_at", "changed_at")
    return version


def touch(agenda_id: int, now: datetime) -> None:
    """Record that the items changed (for "Changed since the agenda was published")."""
    db.session.execute(
        update(Agenda).where(Agenda.id == agenda_id).values(changed_at=now),
        execution_options={"synchronize_session": False},
    )
    forget(Agenda, agenda_id, "changed_at")


def current_order(agenda_id: int) -> list[tuple[int, int]]:
    """(id, position) of every item as committed now, in order (read after the lock)."""
    rows = db.session.execute(
        select(AgendaItem.id, AgendaItem.position)
        .where(AgendaItem.agenda_id == agenda_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    return [(row.id, row.position) for row in rows]


def renumber(order: list[tuple[int, int]], ids: list[int]) -> None:
    """Give ids the positions 1..n, writing only the rows whose position changes."""
    was = dict(order)
    changes = [
        {"id": ident, "position": n} for n, ident in enumerate(ids, start=1) if was.get(ident) != n
    ]
    if changes:
        db.session.execute(update(AgendaItem), changes)
    for change in changes:
        forget(AgendaItem, change["id"], "position")
