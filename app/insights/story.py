"""The story beside the numbers, read side: a meeting's narrative, its pins, and the page of
its posts facilitators pick pins from. Posts follow the same rule as the figures
(app.insights.queries.counted): only those members can read are listed."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.insights.queries import counted
from app.models import Board, InsightPin, MeetingInsight, Post

POSTS_PER_PAGE = 25


def insight_for(meeting_id: int) -> MeetingInsight | None:
    """The meeting's narrative and published summary, or None before anyone wrote one."""
    return db.session.scalar(select(MeetingInsight).where(MeetingInsight.meeting_id == meeting_id))


def pins_for(meeting_id: int, post_ids: list[int] | None = None) -> list[InsightPin]:
    """The meeting's pins whose posts members can still read, in the order pinned, with each
    post, its author and its thread (one query). post_ids limits them (a published summary)."""
    query = (
        select(InsightPin)
        .join(InsightPin.post)
        .where(InsightPin.meeting_id == meeting_id, counted())
        .options(
            joinedload(InsightPin.post).joinedload(Post.author),
            joinedload(InsightPin.post).joinedload(Post.root),
        )
        .order_by(InsightPin.created_at, InsightPin.id)
    )
    if post_ids is not None:
        query = query.where(InsightPin.post_id.in_(post_ids or [0]))
    return list(db.session.scalars(query).unique())


def is_pinned(post_id: int) -> bool:
    """True when a facilitator pinned the post to its meeting's insights (one query)."""
    return db.session.scalar(select(InsightPin.id).where(InsightPin.post_id == post_id)) is not None


def meeting_posts_page(meeting_id: int, page: int):
    """One page of the meeting's counted posts (newest first: reflections lead), with authors
    and threads, for facilitators to pick pins from (two queries a page)."""
    query = (
        select(Post)
        .join(Board, Board.id == Post.board_id)
        .where(Board.meeting_id == meeting_id, counted())
        .options(joinedload(Post.author), joinedload(Post.root))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    return db.paginate(query, page=page, per_page=POSTS_PER_PAGE, error_out=False)
