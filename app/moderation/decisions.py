"""Deciding on posts in the queue: claims (who is looking at an item), and the decisions
themselves (approve, hide, restore, redact), each closing the post's review at most once and
recorded as an AuditEvent. Services flush; the route commits once, then emails (notify.py).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from app import audit
from app.boards import services as boards
from app.extensions import db
from app.models import AuditEvent, Flag, Post, Review, Role, User
from app.models.moderation import HideReason, Outcome, Redaction
from app.moderation.services import (
    Refused,
    lock_post,
    move_counters,
    open_review_for,
    publication_state,
    setting,
)
from app.notifications import services as notifications
from app.timeutil import utcnow


class Stale(Refused):
    """The item was decided (or changed) since the moderator loaded it; nothing was changed."""


class ClaimedByOther(Refused):
    """Another moderator is reviewing the item; deciding needs "take over"."""

    def __init__(self, review: Review):
        self.review = review
        super().__init__("Another moderator is reviewing this post.")


def claim_expiry() -> timedelta:
    return timedelta(minutes=setting("MODERATION_CLAIM_MINUTES"))


def claim_holder(review: Review | None, now: datetime | None = None) -> int | None:
    """Who holds a live claim on review (None when unclaimed or the claim lapsed)."""
    if review is None or review.claimed_by_id is None or review.claimed_at is None:
        return None
    if review.claimed_at + claim_expiry() <= (now or utcnow()):
        return None
    return review.claimed_by_id


def claim(review: Review, moderator: User, *, take_over: bool = False, now=None) -> Review:
    """Mark review as being looked at by moderator; raise ClaimedByOther unless take_over.

    A conditional UPDATE: of two moderators claiming at once, one gets it and the other is told.
    """
    now = now or utcnow()
    conditions = [Review.id == review.id, Review.closed_at.is_(None)]
    if not take_over:
        conditions.append(
            or_(
                Review.claimed_by_id.is_(None),
                Review.claimed_by_id == moderator.id,
                Review.claimed_at <= now - claim_expiry(),
            )
        )
    changed = db.session.execute(
        update(Review)
        .where(*conditions)
        .values(claimed_by_id=moderator.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(review)
    if changed != 1:
        if review.closed_at is not None:
            raise Stale("This post was decided meanwhile.")
        raise ClaimedByOther(review)
    return review


def moderator_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.with_role(Role.MODERATOR), User.active.is_(True))
    )


def appeal_problem(review: Review | None, moderator: User) -> str | None:
    """An appeal is decided by another moderator than the one who made the decision appealed,
    unless they are the only moderator."""
    if review is None or review.appeal is None:
        return None
    original = review.appeal.event.actor_id
    if original == moderator.id and moderator_count() > 1:
        return "You made the decision being appealed: another moderator must decide the appeal."
    return None


# Decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    event: AuditEvent
    review: Review | None
    took_over_from: User | None = None


def allowed_outcomes(post: Post) -> tuple[str, ...]:
    """Approve a held or reported post; restore a hidden one; hide either; redact any."""
    if post.is_hidden:
        return (Outcome.RESTORED, Outcome.HIDDEN, Outcome.REDACTED)
    return (Outcome.APPROVED, Outcome.HIDDEN, Outcome.REDACTED)


def decide(
    post: Post,
    moderator: User,
    outcome: str,
    reason: str,
    *,
    review_id: int | None = None,
    take_over: bool = False,
    title: str | None = None,
    body: str | None = None,
    now: datetime | None = None,
) -> Decided:
    """Approve, hide, restore or redact post, closing its review and resolving its reports.

    review_id is the review the moderator was looking at (None for a post not in the queue):
    if it was closed meanwhile, Stale is raised and nothing changes. A live claim by another
    moderator raises ClaimedByOther unless take_over. An appeal is refused to the moderator
    who made the decision appealed (unless they are the only one). Raises Refused for an
    outcome the post's state does not allow. Returns the decision's audit event.
    """
    now = now or utcnow()
    lock_post(post)
    review = open_review_for(post.id)
    if review_id is not None and (review is None or review.id != review_id):
        raise Stale("This post was decided meanwhile.")
    if outcome not in allowed_outcomes(post):
        raise Refused("That decision does not fit this post now.")
    holder = claim_holder(review, now)
    took_over = None
    if holder is not None and holder != moderator.id:
        if not take_over:
            raise ClaimedByOther(review)
        took_over = db.session.get(User, holder)
    if problem := appeal_problem(review, moderator):
        raise Refused(problem)

    before = publication_state(post)
    if outcome == Outcome.APPROVED:
        post.held_at = None
    elif outcome == Outcome.RESTORED:
        post.held_at = None
        post.hidden_at = post.hidden_by_id = None
        post.hidden_reason = ""
    elif outcome == Outcome.HIDDEN:
        # A held post that is hidden stays out of its thread: nobody else ever saw it.
        if post.hidden_at is None:
            post.hidden_at = now
        post.hidden_by_id = moderator.id
        post.hidden_reason = HideReason.MODERATOR
    elif outcome == Outcome.REDACTED:
        _redact(post, moderator, title, body, now)
        post.held_at = None
        post.hidden_at = post.hidden_by_id = None
        post.hidden_reason = ""
    post.moderation_note = reason
    post.flag_count = 0
    db.session.flush()
    move_counters(post, before, now)
    db.session.execute(
        update(Flag)
        .where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    if review is not None:
        _close(review, moderator, outcome, now)
    detail = []
    if review is not None and review.appeal is not None:
        detail.append("on appeal")
    if took_over is not None:
        detail.append(f"took over from {took_over.display_name}")
    event = audit.record(
        moderator,
        f"moderation.{outcome}",
        "post",
        post.id,
        subject_user=post.author,
        reason=reason,
        detail="; ".join(detail),
    )
    # In-app: the author is told; an approved held post is announced; a hidden one withdrawn.
    notifications.moderation_decision(post, event)
    return Decided(event, review, took_over)


def _close(review: Review, moderator: User, outcome: str, now: datetime) -> None:
    """Close the review once (a conditional UPDATE: a second decision finds it closed)."""
    closed = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.closed_at.is_(None))
        .values(
            closed_at=now,
            closed_by_id=moderator.id,
            outcome=outcome,
            wait_seconds=max(0, int((now - review.opened_at).total_seconds())),
            claimed_by_id=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        raise Stale("This post was decided meanwhile.")
    db.session.refresh(review)
    if review.appeal is not None and review.appeal.decided_at is None:
        review.appeal.decided_at = now
        review.appeal.decided_by_id = moderator.id
        review.appeal.outcome = outcome
        db.session.flush()


def _redact(post: Post, moderator: User, title: str | None, body: str | None, now) -> None:
    """Replace the text with the moderator's version; the original goes to a Redaction that
    only moderators and admins read."""
    db.session.add(
        Redaction(
            post_id=post.id,
            moderator_id=moderator.id,
            title=post.title,
            body=post.body,
            body_html=post.body_html,
            created_at=now,
        )
    )
    if post.is_thread and title is not None:
        post.title = title
    post.body = body or ""
    post.body_html = boards.render_body(post.body)
    post.edited_at = now
