"""Following threads (told of their replies) and boards (told of their new threads).

Following twice is harmless: the insert does nothing on a conflict with the unique key, so a
double click or two tabs leave one row.
"""

import functools

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Board, Follow, MeetingStatus, Post, Role
from app.models.moderation import can_see

THREAD = "thread"
BOARD = "board"
KINDS = (THREAD, BOARD)


def _insert():
    """INSERT ... ON CONFLICT DO NOTHING on both databases the app runs on."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(Follow)


def _column(kind: str):
    return Follow.thread_id if kind == THREAD else Follow.board_id


def follow(user_id: int, kind: str, ident: int) -> bool:
    """Follow a thread or a board; True when a new row was added (False: already following)."""
    values = {"user_id": user_id, "thread_id": None, "board_id": None}
    values["thread_id" if kind == THREAD else "board_id"] = ident
    index = ["user_id", "thread_id" if kind == THREAD else "board_id"]
    # RETURNING, not rowcount: an ORM-run INSERT's rowcount is not reliable on every driver.
    added = db.session.scalar(
        _insert().values(**values).on_conflict_do_nothing(index_elements=index).returning(Follow.id)
    )
    return added is not None


def unfollow(user_id: int, kind: str, ident: int) -> bool:
    """Stop following; True when a row was removed."""
    removed = db.session.execute(
        delete(Follow).where(Follow.user_id == user_id, _column(kind) == ident),
        execution_options={"synchronize_session": False},
    ).rowcount
    return removed == 1


def set_following(user_id: int, kind: str, ident: int, want: bool) -> bool:
    """Follow (want=True) or stop following; returns the new state."""
    if want:
        follow(user_id, kind, ident)
    else:
        unfollow(user_id, kind, ident)
    return want


def is_following(user_id: int, kind: str, ident: int) -> bool:
    """One indexed query."""
    return (
        db.session.scalar(
            select(Follow.id).where(Follow.user_id == user_id, _column(kind) == ident).limit(1)
        )
        is not None
    )


def followed(user_id: int, kind: str, idents) -> set[int]:
    """Which of idents (threads or boards) the member follows: one query, its statement built
    once (asked on every board and thread page a member opens)."""
    params = {"user_id": user_id, "idents": list(idents)}
    return set(db.session.connection().execute(_followed(kind), params).scalars())


@functools.cache
def _followed(kind: str):
    column = _column(kind)
    return select(column).where(
        Follow.user_id == bindparam("user_id"), column.in_(bindparam("idents", expanding=True))
    )


def followers(kind: str, ident: int) -> list[int]:
    """Who follows the thread or board (ids, oldest follower first)."""
    return list(
        db.session.scalars(select(Follow.user_id).where(_column(kind) == ident).order_by(Follow.id))
    )


def followed_ids(user_id: int, kind: str, idents: list[int]) -> set[int]:
    """Which of idents (threads or boards) user follows: one query, none for an empty list."""
    if not idents:
        return set()
    column = _column(kind)
    return set(
        db.session.scalars(select(column).where(Follow.user_id == user_id, column.in_(idents)))
    )


def _board_visible(board: Board, user) -> bool:
    """As the boards area decides: a draft meeting's boards are for facilitators only."""
    return board.meeting.status != MeetingStatus.DRAFT or user.has_role(Role.FACILITATOR)


def target(kind: str, ident: int, user):
    """The thread or board user may follow, with what to call it; None when it does not exist
    or user may not see it (the route answers 404, as the boards do)."""
    if kind == THREAD:
        post = db.session.get(Post, ident)
        if post is None or not post.is_thread or not _board_visible(post.board, user):
            return None
        if not can_see(post, user, in_place=False):
            return None
        return post
    if kind == BOARD:
        board = db.session.get(Board, ident)
        if board is None or not _board_visible(board, user):
            return None
        return board
    return None
