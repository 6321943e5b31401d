"""Facilitators' board settings: closing and reopening a board, hiding vote counts, holding
every post for a moderator.

Each change bumps the board's version (pages polling it see the change) and is audited.
"""

from datetime import datetime

from app import audit
from app.extensions import db
from app.models import Board, User
from app.timeutil import utcnow


def close_board(board: Board, actor: User, now: datetime | None = None) -> bool:
    """Make the board read-only (no posts, edits or votes); False if it was closed already."""
    if board.is_closed:
        return False
    board.closed_at = now or utcnow()
    board.version = Board.version + 1
    db.session.flush()
    audit.record(actor, "board.closed", "board", board.id)
    return True


def reopen_board(board: Board, actor: User) -> bool:
    """Open a closed board again; False if it was open."""
    if not board.is_closed:
        return False
    board.closed_at = None
    board.version = Board.version + 1
    db.session.flush()
    audit.record(actor, "board.reopened", "board", board.id)
    return True


def set_hide_votes(board: Board, actor: User, hide: bool) -> bool:
    """Hide (or show) vote counts until the meeting starts; False when nothing changed."""
    if board.hide_votes_until_start == hide:
        return False
    board.hide_votes_until_start = hide
    board.version = Board.version + 1
    db.session.flush()
    audit.record(actor, "board.votes_hidden" if hide else "board.votes_shown", "board", board.id)
    return True


def set_hold_posts(board: Board, actor: User, hold: bool) -> bool:
    """Hold (or stop holding) every member's new post for a moderator before others see it;
    False when nothing changed. Posts already written are not affected."""
    if board.hold_posts == hold:
        return False
    board.hold_posts = hold
    board.version = Board.version + 1
    db.session.flush()
    action = "board.hold_posts_on" if hold else "board.hold_posts_off"
    audit.record(actor, action, "board", board.id)
    return True
