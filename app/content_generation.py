"""The content generation: one counter in the database that moves with any change a kept
fragment (app.fragments) may show from outside its own board or thread.

A kept list also shows things stored outside its board or thread
(authors' names, agenda notes, meeting titles). Rather than ask every service to remember
every list, a session hook bumps one counter in the database in the same transaction as any
change to a table not listed in `UNSHOWN` (tables whose changes move a board or thread
version, or that no cached fragment shows). A table added later is watched by default.
Because the counter and the versions live in the database, several processes and instances
agree on every key with no invalidation messages, and a key read before the data it covers
can only be older than that data, never newer.
"""

import functools
import itertools

from flask import Flask
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db

# Tables whose changes no cached fragment shows, or that move a board's or thread's version
# (part of those fragments' keys) whenever they change what a fragment shows. Every other
# table bumps the content generation.
UNSHOWN = frozenset({
    "post", "vote", "post_revision", "flag", "review", "appeal", "redaction",
    "member_warning", "suspension", "outgoing_email", "search_document", "notification",
    "follow", "notification_settings", "digest_run", "audit_event", "registration",
    "application", "action_reminder", "content_generation",
})  # fmt: skip
# For people, only what a fragment shows of them: a log-in or a password change is not news.
SHOWN_COLUMNS = {"user": frozenset({"display_name", "active"})}
# A board's counters move with its version, which is in its fragments' keys; its settings
# (closed, votes hidden, posts held) are news.
COUNTERS = {"board": frozenset({"version", "post_count", "question_count"})}
# Ids a fragment's key names (with a version that starts again at 0): deleting one, so that
# SQLite may hand its id to a new row, must not leave the old row's fragments findable.
KEYED = frozenset({"board", "post"})


def _news(table: str, columns: set[str] | None) -> bool:
    """True when changing columns (None: unknown, or a new or deleted row) of table may change
    what a kept fragment shows."""
    if table in UNSHOWN:
        return False
    if columns is None:
        return True
    if table in SHOWN_COLUMNS:
        return bool(columns & SHOWN_COLUMNS[table])
    if table in COUNTERS:
        return bool(columns - COUNTERS[table])
    return True


def _shows(obj, deleting: bool = False) -> bool:
    table = getattr(obj, "__tablename__", None)
    if table is None:
        return False
    state = inspect(obj)
    if deleting or state.deleted or state.was_deleted:
        return table in KEYED or _news(table, None)
    if state.pending:
        return _news(table, None)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return bool(changed) and _news(table, changed)


def _mark_if_shown(session: Session) -> None:
    if session.info.get("rt_shown"):
        return
    if any(_shows(obj) for obj in itertools.chain(session.new, session.dirty)) or any(
        _shows(obj, deleting=True) for obj in session.deleted
    ):
        session.info["rt_shown"] = True


def read() -> int | None:
    """The content generation now, part of every cached fragment's key; None (cache nothing)
    when the database has no counter row. Read with the member (`column`) when the
    session has written nothing since: a key read before the data it covers can only be
    older than it, so reading it earlier in the request is safe."""
    known = db.session.info.get(_KNOWN, _UNKNOWN)
    if known is not _UNKNOWN:
        return known
    return db.session.connection().execute(_generation()).scalar()


def column():
    """The generation as a column to add to a statement every request runs first (the
    member's), saving a statement; pass what it read to `remember`."""
    return _generation().scalar_subquery().label("content_generation")


def remember(value: int | None) -> None:
    """What column() read, for read() until the session next writes."""
    db.session.info[_KNOWN] = value


_KNOWN = "rt_generation"
_UNKNOWN = object()


@functools.cache
def _generation():
    from app.models.cache import ContentGeneration

    return select(ContentGeneration.value).where(ContentGeneration.id == 1)


def _listen(session_class) -> None:
    from app.models.cache import ContentGeneration

    @event.listens_for(session_class, "before_flush")
    def before_flush(session, context, instances):
        _mark_if_shown(session)
        session.info.pop(_KNOWN, None)

    @event.listens_for(session_class, "do_orm_execute")
    def bulk_change(state):
        if not (state.is_update or state.is_delete or state.is_insert):
            return
        state.session.info.pop(_KNOWN, None)
        mapper = state.bind_mapper
        if mapper is None:
            return
        table = mapper.local_table.name
        if state.is_delete:
            news = table in KEYED or _news(table, None)
        else:
            news = _news(table, _columns_set(state.statement))
        if news:
            state.session.info["rt_shown"] = True

    @event.listens_for(session_class, "before_commit")
    def bump(session):
        _mark_if_shown(session)
        if session.info.pop("rt_shown", False):
            session.execute(
                update(ContentGeneration)
                .where(ContentGeneration.id == 1)
                .values(value=ContentGeneration.value + 1)
            )

    @event.listens_for(session_class, "after_rollback")
    def forget(session):
        session.info.pop("rt_shown", None)
        session.info.pop(_KNOWN, None)

    @event.listens_for(session_class, "after_commit")
    def moved_on(session):
        session.info.pop(_KNOWN, None)


def _columns_set(statement) -> set[str] | None:
    values = getattr(statement, "_values", None)
    if not values:
        return None
    return {getattr(column, "key", str(column)) for column in values}


def _forget(exc: BaseException | None = None) -> None:
    # Tests keep one app context (and its session) open across requests.
    if db.session.registry.has():
        db.session.info.pop(_KNOWN, None)


_listening = False


def init_app(app: Flask) -> None:
    """Move the generation with every change to what a kept fragment shows."""
    global _listening
    app.teardown_request(_forget)
    if not _listening:
        _listen(Session)
        _listening = True
