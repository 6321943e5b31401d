"""Keeping search_document in step with posts, meetings, actions and people's names.

Three paths lead here, so that no way of writing the data leaves the index behind:

- ORM events: after_insert / after_update / after_delete on Post, Meeting and Action (and a
  change of name or a closed account on User) rewrite the affected documents in the same
  transaction, with the flush's own connection;
- bulk ORM statements (`session.execute(update(Action)...)`, as the actions services use for
  edits) skip those events, so a Session do_orm_execute hook catches UPDATEs and DELETEs that
  touch an indexed column, and rewrites the rows they matched;
- Core inserts (the benchmark's data generator) are seen by neither: `flask search reindex`
  rebuilds the whole index from the tables.

Documents are always built from the database rows (one SELECT per batch), never from the Python
objects, so the three paths produce the same documents.
"""

import re

import click
from markupsafe import Markup
from sqlalchemy import delete, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Action, Board, Meeting, Post, PostKind, User
from app.models.search import DocKind, SearchDocument
from app.search import bp

DOCS = SearchDocument.__table__
POSTS = Post.__table__
MEETINGS = Meeting.__table__
ACTIONS = Action.__table__
BOARDS = Board.__table__
USERS = User.__table__

BATCH = 1000
# Columns whose change alters a document; any other change (counters, moderation state,
# statuses) leaves the index alone: visibility is decided at query time from the live rows.
INDEXED = {
    "post": {"title", "body", "body_html", "anonymous", "author_id", "board_id", "parent_id"},
    "meeting": {"title", "description", "description_html", "series_id", "starts_at"},
    "action": {"title", "detail", "detail_html", "proposer_id", "meeting_id", "board_id"},
    "user": {"display_name", "active"},
}
GROUP_KINDS = {
    "post": DocKind.POSTS,
    "meeting": (DocKind.MEETING,),
    "action": (DocKind.ACTION,),
}

# Control characters never reach the index: \x02 and \x03 mark highlights in snippets, and a
# member's text must not be able to forge one.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(html: str | None, fallback: str | None = "") -> str:
    """The text readers see: rendered HTML with its tags stripped (entities decoded, spaces
    collapsed), else the raw text; control characters removed."""
    if html:
        # Markup here only reads the text out of stored HTML; nothing is rendered from it.
        return _CONTROL.sub(" ", Markup(html).striptags())  # noqa: S704
    return _CONTROL.sub(" ", " ".join((fallback or "").split()))


def _clean(value: str | None) -> str:
    return _CONTROL.sub(" ", value or "")


def shown_name(display_name: str | None, active: bool | None) -> str:
    """The name a document carries: nobody's once their account is closed."""
    return _clean(display_name) if active else ""


# Building documents from rows ---------------------------------------------------------------


def _post_query():
    return (
        select(
            POSTS.c.id,
            POSTS.c.kind,
            POSTS.c.title,
            POSTS.c.body,
            POSTS.c.body_html,
            POSTS.c.anonymous,
            POSTS.c.author_id,
            POSTS.c.created_at,
            BOARDS.c.meeting_id,
            BOARDS.c.theme_id,
            MEETINGS.c.series_id,
            USERS.c.display_name,
            USERS.c.active,
        )
        .select_from(
            POSTS.join(BOARDS, BOARDS.c.id == POSTS.c.board_id)
            .join(MEETINGS, MEETINGS.c.id == BOARDS.c.meeting_id)
            .join(USERS, USERS.c.id == POSTS.c.author_id)
        )
        .order_by(POSTS.c.id)
    )


def _post_doc(row) -> dict:
    named = not row.anonymous
    return {
        "kind": DocKind.REPLY if row.kind == PostKind.REPLY else DocKind.THREAD,
        "object_id": row.id,
        "title": _clean(row.title),
        "body": plain_text(row.body_html, row.body),
        "author_name": shown_name(row.display_name, row.active) if named else "",
        "author_id": row.author_id if named else None,
        "series_id": row.series_id,
        "meeting_id": row.meeting_id,
        "theme_id": row.theme_id,
        "dated_at": row.created_at,
    }


def _meeting_query():
    return select(
        MEETINGS.c.id,
        MEETINGS.c.title,
        MEETINGS.c.description,
        MEETINGS.c.description_html,
        MEETINGS.c.series_id,
        MEETINGS.c.starts_at,
    ).order_by(MEETINGS.c.id)


def _meeting_doc(row) -> dict:
    return {
        "kind": DocKind.MEETING,
        "object_id": row.id,
        "title": _clean(row.title),
        "body": plain_text(row.description_html, row.description),
        "author_name": "",
        "author_id": None,
        "series_id": row.series_id,
        "meeting_id": row.id,
        "theme_id": None,
        "dated_at": row.starts_at,
    }


def _action_query():
    return (
        select(
            ACTIONS.c.id,
            ACTIONS.c.title,
            ACTIONS.c.detail,
            ACTIONS.c.detail_html,
            ACTIONS.c.proposer_id,
            ACTIONS.c.meeting_id,
            ACTIONS.c.created_at,
            BOARDS.c.theme_id,
            MEETINGS.c.series_id,
            USERS.c.display_name,
            USERS.c.active,
        )
        .select_from(
            ACTIONS.outerjoin(BOARDS, BOARDS.c.id == ACTIONS.c.board_id)
            .outerjoin(MEETINGS, MEETINGS.c.id == ACTIONS.c.meeting_id)
            .join(USERS, USERS.c.id == ACTIONS.c.proposer_id)
        )
        .order_by(ACTIONS.c.id)
    )


def _action_doc(row) -> dict:
    return {
        "kind": DocKind.ACTION,
        "object_id": row.id,
        "title": _clean(row.title),
        "body": plain_text(row.detail_html, row.detail),
        "author_name": shown_name(row.display_name, row.active),
        "author_id": row.proposer_id,
        "series_id": row.series_id,
        "meeting_id": row.meeting_id,
        "theme_id": row.theme_id,
        "dated_at": row.created_at,
    }


BUILDERS = {
    "post": (_post_query, POSTS, _post_doc),
    "meeting": (_meeting_query, MEETINGS, _meeting_doc),
    "action": (_action_query, ACTIONS, _action_doc),
}


def _chunks(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def index_objects(connection, group: str, ids, *, fresh: bool = False) -> int:
    """(Re)write the documents of these posts, meetings or actions; returns how many exist.

    fresh=True skips the DELETE (the objects were just inserted and have none yet).
    """
    query, table, build = BUILDERS[group]
    written = 0
    for chunk in _chunks(sorted(set(ids))):
        if not fresh:
            unindex(connection, group, chunk)
        docs = [build(row) for row in connection.execute(query().where(table.c.id.in_(chunk)))]
        if docs:
            connection.execute(insert(DOCS), docs)
        written += len(docs)
    return written


def unindex(connection, group: str, ids) -> None:
    """Remove the documents of these objects (deleted, or about to be rewritten)."""
    ids = list(ids)
    if ids:
        connection.execute(
            delete(DOCS).where(DOCS.c.kind.in_(GROUP_KINDS[group]), DOCS.c.object_id.in_(ids))
        )


def rename_author(connection, user_ids) -> None:
    """Give every document that shows these people's names their current name (or none, for a
    closed account): one UPDATE per person."""
    for chunk in _chunks(sorted(set(user_ids))):
        people = connection.execute(
            select(USERS.c.id, USERS.c.display_name, USERS.c.active).where(USERS.c.id.in_(chunk))
        ).all()
        for person in people:
            connection.execute(
                update(DOCS)
                .where(DOCS.c.author_id == person.id)
                .values(author_name=shown_name(person.display_name, person.active))
            )


def reindex_all(connection) -> dict[str, int]:
    """Rebuild the whole index from the tables (after Core bulk inserts, or to repair it).

    Reads in keyset pages of BATCH rows, so memory stays flat however large the tables are.
    """
    connection.execute(delete(DOCS))
    counts = {}
    for group, (query, table, build) in BUILDERS.items():
        counts[group] = 0
        last = 0
        while True:
            rows = connection.execute(query().where(table.c.id > last).limit(BATCH)).all()
            if not rows:
                break
            connection.execute(insert(DOCS), [build(row) for row in rows])
            counts[group] += len(rows)
            last = rows[-1].id
    if connection.dialect.name == "sqlite":
        # Rebuild FTS5's own structures from search_document: a repair as well as a refresh.
        connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    return counts


# ORM events ---------------------------------------------------------------------------------


def _changed(target, names: set[str]) -> bool:
    attrs = inspect(target).attrs
    return any(attrs[name].history.has_changes() for name in names if name in attrs)


def _listen(model, group: str) -> None:
    def inserted(mapper, connection, target):
        index_objects(connection, group, [target.id], fresh=True)

    def updated(mapper, connection, target):
        if _changed(target, INDEXED[group]):
            index_objects(connection, group, [target.id])

    def deleted(mapper, connection, target):
        unindex(connection, group, [target.id])

    event.listen(model, "after_insert", inserted)
    event.listen(model, "after_update", updated)
    event.listen(model, "after_delete", deleted)


_listen(Post, "post")
_listen(Meeting, "meeting")
_listen(Action, "action")


@event.listens_for(User, "after_update")
def _user_updated(mapper, connection, target):
    """A new display name, or a closed account, changes the name on their documents."""
    if _changed(target, INDEXED["user"]):
        rename_author(connection, [target.id])


# Bulk ORM statements --------------------------------------------------------------------------

WATCHED = {"post": "post", "meeting": "meeting", "action": "action", "user": "user"}


def _set_columns(statement) -> set[str] | None:
    """The names of the columns an UPDATE sets, or None when they cannot be told."""
    values = getattr(statement, "_values", None) or getattr(statement, "_ordered_values", None)
    if not values:
        return None
    pairs = values.items() if hasattr(values, "items") else values
    names = set()
    for key, _value in pairs:
        name = key if isinstance(key, str) else getattr(key, "key", None)
        if name is None:
            return None
        names.add(name)
    return names


def _target_ids(state, table) -> list[int]:
    """The ids a bulk UPDATE or DELETE is about to touch (read first: its WHERE may name the
    version it changes, which would match nothing afterwards)."""
    params = state.parameters
    many = params if isinstance(params, list) else [params or {}]
    if many and all("id" in p for p in many):
        return [p["id"] for p in many]
    query = select(table.c.id)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    ids: list[int] = []
    for values in many:
        ids.extend(state.session.execute(query, values).scalars())
    return ids


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    """Rewrite the documents a bulk UPDATE or DELETE of indexed columns changed."""
    if not (state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    group = WATCHED.get(getattr(table, "name", None))
    if group is None:
        return None
    if state.is_update:
        names = _set_columns(state.statement)
        if names is not None and not (names & INDEXED[group]):
            return None
    ids = _target_ids(state, table)
    result = state.invoke_statement()
    if not ids:
        return result
    if getattr(state.statement, "_returning", ()):
        # Later statements on this connection must not disturb rows still to be fetched.
        result = result.freeze()()
    connection = state.session.connection()
    if group == "user":
        rename_author(connection, ids)
    elif state.is_delete:
        unindex(connection, group, ids)
    else:
        index_objects(connection, group, ids)
    return result


# The command ----------------------------------------------------------------------------------


@bp.cli.command("reindex")
def reindex_command():
    """Rebuild the search index from the tables (run after bulk loads such as the benchmark's)."""
    counts = reindex_all(db.session.connection())
    db.session.commit()
    click.echo(
        "Search index rebuilt: "
        + ", ".join(f"{count} {group}s" for group, count in counts.items())
        + "."
    )
