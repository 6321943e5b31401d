"""Kept board and thread pages (app.fragments): what their keys are made of, and the answers
that let one drawing serve every member (their votes and own posts, chosen as a page is sent).

A member's view of a list differs from everyone else's in their class only where they wrote
something the others cannot see (a held or hidden thread, a held reply): such a member gets
lists of their own. Moderators see every post, so theirs are shared among them. The checks
run on every page a member opens: their statements are built once and run on the session's
connection (building them and the ORM's execution path cost more than the query).
"""

import functools
from collections.abc import Callable

from flask_login import current_user
from sqlalchemy import bindparam, exists, or_, select

from app import content_generation, fragments
from app.boards import services
from app.boards.services import BoardState
from app.extensions import db
from app.models import Post


def key(name: str, ident: int, version: int, state: BoardState, own: Callable[[], bool], *more):
    """The key part of a board's or thread's fragments for this viewer (`own()`: whether they
    wrote something in it only they see); (None,) when nothing may be kept (a database without
    its content generation)."""
    generation = content_generation.read()
    if generation is None:
        return (None,)
    mine = not state.moderator and own()
    return (
        name, ident, version, generation, state.shared(), current_user.is_authenticated,
        current_user.id if mine else None, *more,
    )  # fmt: skip


def has_unpublished_threads(board_id: int) -> bool:
    """True when the member wrote a thread on the board that is held or hidden."""
    if not current_user.is_authenticated:
        return False
    params = {"user_id": current_user.id, "board_id": board_id}
    return bool(db.session.connection().execute(_unpublished_threads(), params).scalar())


def has_held_replies(thread_id: int) -> bool:
    """True when the member has a reply in the thread waiting for review."""
    if not current_user.is_authenticated:
        return False
    params = {"user_id": current_user.id, "thread_id": thread_id}
    return bool(db.session.connection().execute(_held_replies(), params).scalar())


@functools.cache
def _unpublished_threads():
    return select(
        exists().where(
            Post.author_id == bindparam("user_id"),
            Post.board_id == bindparam("board_id"),
            Post.parent_id.is_(None),
            or_(Post.held_at.is_not(None), Post.hidden_at.is_not(None)),
        )
    )


@functools.cache
def _held_replies():
    return select(
        exists().where(
            Post.author_id == bindparam("user_id"),
            Post.root_id == bindparam("thread_id"),
            Post.held_at.is_not(None),
        )
    )


@fragments.resolver("vote")
def _voted(post_ids: set[int]) -> set[int]:
    return services.voted_post_ids(current_user, list(post_ids))


@fragments.resolver("own")
def _own(author_ids: set[int]) -> set[int]:
    return {current_user.id} & author_ids if current_user.is_authenticated else set()
