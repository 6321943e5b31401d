"""Moderation rules: who is new, holding new posts, reports, and putting posts in the queue.

Services flush and never commit; the route commits once, then sends any email (notify.py).
Every change of a post's moderation state happens with the post's row locked (an UPDATE
first), so a report arriving while a moderator decides cannot leave the counters wrong.
Decisions and claims are in decisions.py; warnings, suspensions and appeals in people.py.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g
from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.boards import services as boards
from app.content import render_markdown
from app.extensions import db
from app.models import Board, Flag, HoldReason, Post, Review, Role, User
from app.models.moderation import (
    HideReason,
    ReviewCause,
    approved_posts,
)
from app.notifications import services as notifications
from app.permissions import can_participate, standing
from app.timeutil import format_datetime, utcnow

log = logging.getLogger(__name__)

NOTE_MAX = 1000
REASON_MAX = 2000
# Audit actions that are decisions about a post's author, in words for them.
AUTHOR_DECISIONS = {
    "moderation.approved": "Your post was approved",
    "moderation.hidden": "Your post was hidden",
    "moderation.restored": "Your post was restored",
    "moderation.redacted": "Personal information was removed from your post",
    "moderation.warned": "A moderator sent you a warning",
    "moderation.suspended": "You were suspended",
    "moderation.suspension_lifted": "Your suspension was lifted",
}
APPEALABLE = (
    "moderation.hidden",
    "moderation.redacted",
    "moderation.warned",
    "moderation.suspended",
)


class Refused(Exception):
    """An action the rules do not allow; the message says why, in words for the person."""


class AlreadyFlagged(Refused):
    """The member has reported this post before (one report per member per post)."""


def setting(name: str):
    return current_app.config[name]


def lock_post(post: Post) -> None:
    """Take the post's row lock (an UPDATE) and read its current state inside the transaction.

    PostgreSQL then queues every other writer of the row behind us; SQLite lets one writer in
    at a time. Either way the state read here is the state we change.
    """
    db.session.execute(
        update(Post).where(Post.id == post.id).values(version=Post.version + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(post)
    # Whatever the decision, the lists showing the post are rendered again (app.fragments).
    boards.touch(post)


def publication_state(post: Post) -> tuple[int, int]:
    """(published, placed) as 0/1: what the counters count (see app.boards.services)."""
    placed = 1 if post.held_at is None else 0
    return (1 if placed and post.hidden_at is None else 0), placed


def move_counters(post: Post, before: tuple[int, int], now: datetime) -> None:
    after = publication_state(post)
    if after != before:
        boards.publication_changed(
            post, published=after[0] - before[0], placed=after[1] - before[1], now=now
        )


# Standing: new members and held posts ------------------------------------------------------


def approved_post_count(user) -> int:
    """How many of user's posts are published (one query a request, kept in g)."""
    cache = g.setdefault("_rt_approved_posts", {})
    if user.id not in cache:
        cache[user.id] = db.session.scalar(approved_posts(user.id)) or 0
    return cache[user.id]


def _trusted(user) -> bool:
    # Facilitators, moderators and admins are appointed: their posts are never held.
    return user.has_role(Role.FACILITATOR) or user.has_role(Role.MODERATOR)


def is_new_member(user) -> bool:
    """Fewer published posts than MODERATION_NEW_MEMBER_POSTS (and no appointed role)."""
    if not getattr(user, "is_authenticated", False) or _trusted(user):
        return False
    return approved_post_count(user) < setting("MODERATION_NEW_MEMBER_POSTS")


def count_links(text: str) -> int:
    """Links in a post as it would be shown (Markdown links and bare addresses alike)."""
    return render_markdown(text or "").count("<a ")


def hold_reason(board: Board, author: User, text: str) -> str | None:
    """Why a new post by author on board must wait for review, or None to publish it now."""
    if _trusted(author):
        return None
    if board.hold_posts:
        return HoldReason.BOARD
    approved = approved_post_count(author)
    if approved < setting("MODERATION_HOLD_FIRST_POSTS"):
        return HoldReason.FIRST_POSTS
    if approved < setting("MODERATION_NEW_MEMBER_POSTS") and count_links(text) > setting(
        "MODERATION_MAX_LINKS"
    ):
        return HoldReason.LINKS
    return None


def record_hold(post: Post) -> Review:
    """Put a post just created held (boards' create_* with held_reason) into the queue."""
    review = open_review(post, ReviewCause.HELD, post.held_at or utcnow())
    audit.record(
        None, "moderation.held", "post", post.id, subject_user=post.author, detail=post.held_reason
    )
    return review


def participation_problem(user) -> str | None:
    """Why user may not take part now (can_participate: a suspension, with its end), or None."""
    if can_participate(user):
        return None
    suspension = standing(user).suspension
    return (
        f"You are suspended until {format_datetime(suspension.moment)}: you can read, but not "
        "post, vote, report posts or register for meetings."
    )


def review_hours_text() -> str:
    hours = setting("MODERATION_REVIEW_HOURS")
    if hours % 24 == 0 and hours >= 24:
        days = hours // 24
        return "a day" if days == 1 else f"{days} days"
    return "an hour" if hours == 1 else f"{hours} hours"


# Reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagResult:
    flag: Flag
    hidden_now: bool  # this report hid the post (exactly one report does)


def flag_problem(post: Post, user) -> str | None:
    """Why user may not report post, or None when they may."""
    if post.author_id == user.id:
        return "You cannot report your own post."
    if post.is_removed:
        return "This post was removed."
    if not post.is_published:
        return "The moderators are already reviewing this post."
    if not can_participate(user):
        return "You cannot report posts while you are suspended."
    return None


def has_flagged(post_id: int, user_id: int) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Flag.post_id == post_id, Flag.user_id == user_id)))
    )


def flagged_post_ids(user, post_ids) -> set[int]:
    """Which of post_ids the user has reported (one query; none for visitors or no posts)."""
    post_ids = list(post_ids)
    if not post_ids or not getattr(user, "is_authenticated", False):
        return set()
    params = {"user_id": user.id, "ids": post_ids}
    return set(db.session.connection().execute(_flagged(), params).scalars())


@functools.cache
def _flagged():
    # Built once: asked on every thread page a member opens.
    return select(Flag.post_id).where(
        Flag.user_id == bindparam("user_id"), Flag.post_id.in_(bindparam("ids", expanding=True))
    )


def flag_post(post: Post, user: User, reason: str, note: str = "", now=None) -> FlagResult:
    """Record user's report on post; the one that reaches the threshold hides it.

    One report per member per post (the unique constraint settles double submissions). The
    counter is bumped with an atomic UPDATE that also takes the post's row lock, and the hide is
    a conditional UPDATE checked by its rowcount: however many reports arrive at once, exactly
    one of them hides the post and returns hidden_now=True (the route then emails moderators).
    """
    now = now or utcnow()
    flag = Flag(post_id=post.id, user_id=user.id, reason=reason, note=note, created_at=now)
    db.session.add(flag)
    try:
        db.session.flush()
    except IntegrityError:
        # The same member's other request got there first (nothing else was written yet).
        db.session.rollback()
        raise AlreadyFlagged("You have already reported this post.") from None
    count = db.session.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(flag_count=Post.flag_count + 1)
        .returning(Post.flag_count),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    # Moderators see the count on the post wherever it is listed (app.fragments).
    boards.touch(post)
    if _open_review_id(post.id) is None:
        open_review(post, ReviewCause.FLAGS, now)
    hidden = db.session.execute(
        update(Post)
        .where(
            Post.id == post.id,
            Post.hidden_at.is_(None),
            Post.held_at.is_(None),
            Post.flag_count >= setting("MODERATION_FLAG_THRESHOLD"),
        )
        .values(hidden_at=now, hidden_by_id=None, hidden_reason=HideReason.FLAGS)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(post)
    if hidden == 1:
        boards.publication_changed(post, published=-1, now=now)
        notifications.post_hidden(post)  # what others were told of it is taken back
        audit.record(
            None,
            "moderation.auto_hidden",
            "post",
            post.id,
            subject_user=post.author,
            detail=f"{count} reports",
        )
    return FlagResult(flag, hidden == 1)


# Putting posts in the queue ---------------------------------------------------------------


def _open_review_id(post_id: int) -> int | None:
    return db.session.scalar(
        select(Review.id).where(Review.post_id == post_id, Review.closed_at.is_(None))
    )


def open_review_for(post_id: int) -> Review | None:
    """The post's review waiting in the queue, if any."""
    return db.session.scalar(
        select(Review).where(Review.post_id == post_id, Review.closed_at.is_(None))
    )


def open_review(post: Post, cause: str, now: datetime, appeal=None) -> Review:
    """Put post in the queue, or return the review already open for it.

    Callers hold the post's row lock (or created the post), so two openings never race; the
    partial unique index (one open review per post) is the database's guarantee behind that.
    """
    existing = open_review_for(post.id)
    if existing is None:
        review = Review(post_id=post.id, cause=cause, opened_at=now, appeal=appeal)
        db.session.add(review)
        db.session.flush()
        return review
    if appeal is not None and existing.appeal_id is None:
        existing.appeal_id = appeal.id
        db.session.flush()
    return existing
