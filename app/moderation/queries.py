"""Read side of moderation: the queue with each item's context, the audit trail, the open
report and a member's own decisions.

Every page here runs a fixed number of statements however many rows it shows: the context of
a page of queue items (reports, the authors' recent posts and earlier decisions, suspensions)
is loaded with one query per kind for the whole page, never per item.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Appeal,
    AuditEvent,
    Board,
    Flag,
    Post,
    Review,
    Suspension,
    User,
)
from app.models.moderation import Redaction
from app.moderation.services import AUTHOR_DECISIONS
from app.timeutil import london_to_utc, utcnow

PER_PAGE = 25
HISTORY = 3  # recent posts shown per author
DECISIONS = 5  # earlier decisions shown per author


# The queue ---------------------------------------------------------------------------------


@dataclass
class QueueItem:
    """A post in (or looked at from) the queue, with everything a moderator weighs."""

    post: Post
    review: Review | None
    flags: list[Flag] = field(default_factory=list)
    history: list[Post] = field(default_factory=list)
    post_count: int = 0
    decisions: list[AuditEvent] = field(default_factory=list)
    suspension: Suspension | None = None
    suspensions: int = 0
    redactions: list[Redaction] = field(default_factory=list)

    @property
    def thread(self) -> Post:
        return self.post if self.post.is_thread else self.post.root

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """The reports' reasons with how many members gave each, most first."""
        counts: dict[str, int] = defaultdict(int)
        for flag in self.flags:
            counts[flag.reason_label] += 1
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def _post_options():
    return joinedload(Review.post).options(
        joinedload(Post.author),
        joinedload(Post.root),
        joinedload(Post.board).joinedload(Board.theme),
        joinedload(Post.board).joinedload(Board.meeting),
    )


def queue_query() -> Select:
    """Reviews waiting for a decision, oldest first, with their post, claim and appeal."""
    return (
        select(Review)
        .where(Review.closed_at.is_(None))
        .options(
            _post_options(),
            joinedload(Review.claimed_by),
            joinedload(Review.appeal).joinedload(Appeal.event).joinedload(AuditEvent.actor),
        )
        .order_by(Review.opened_at, Review.id)
    )


def queue_page(page: int):
    """One page of the queue: (pagination, items), in a fixed number of queries."""
    pagination = db.paginate(queue_query(), page=page, per_page=PER_PAGE, error_out=False)
    reviews = list(pagination.items)
    return pagination, with_context([(r.post, r) for r in reviews])


def pending_count() -> int:
    """How many posts wait in the queue (the moderators' navigation badge)."""
    return db.session.scalar(select(func.count(Review.id)).where(Review.closed_at.is_(None)))


def item_for(post_id: int) -> QueueItem | None:
    """One post with its open review (if any) and its context, for the item page and swaps."""
    post = db.session.scalar(
        select(Post)
        .options(
            joinedload(Post.author),
            joinedload(Post.root),
            joinedload(Post.board).joinedload(Board.theme),
            joinedload(Post.board).joinedload(Board.meeting),
        )
        .where(Post.id == post_id)
    )
    if post is None:
        return None
    review = db.session.scalar(
        select(Review)
        .where(Review.post_id == post_id, Review.closed_at.is_(None))
        .options(
            joinedload(Review.claimed_by),
            joinedload(Review.appeal).joinedload(Appeal.event).joinedload(AuditEvent.actor),
        )
    )
    return with_context([(post, review)])[0]


def _latest_per(model, partition, order, where, limit: int, options=()) -> list:
    """The newest `limit` rows per partition value, in one query (a window function)."""
    ranked = (
        select(model.id, func.row_number().over(partition_by=partition, order_by=order).label("n"))
        .where(*where)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(model)
            .join(ranked, ranked.c.id == model.id)
            .where(ranked.c.n <= limit)
            .options(*options)
            .order_by(*order)
        )
    )


def with_context(pairs: list[tuple[Post, Review | None]]) -> list[QueueItem]:
    """Attach reports, history, decisions, suspensions and redactions to each (post, review):
    seven queries for the whole list, whatever its length."""
    items = [QueueItem(post, review) for post, review in pairs]
    if not items:
        return items
    post_ids = [item.post.id for item in items]
    authors = sorted({item.post.author_id for item in items})
    now = utcnow()

    flags: dict[int, list[Flag]] = defaultdict(list)
    for flag in db.session.scalars(
        select(Flag)
        .options(joinedload(Flag.user))
        .where(Flag.post_id.in_(post_ids), Flag.resolved_at.is_(None))
        .order_by(Flag.created_at, Flag.id)
    ):
        flags[flag.post_id].append(flag)

    history: dict[int, list[Post]] = defaultdict(list)
    for post in _latest_per(
        Post,
        Post.author_id,
        (Post.created_at.desc(), Post.id.desc()),
        [Post.author_id.in_(authors)],
        HISTORY + 1,
        options=[joinedload(Post.root)],
    ):
        history[post.author_id].append(post)
    counts = dict(
        db.session.execute(
            select(Post.author_id, func.count(Post.id))
            .where(Post.author_id.in_(authors))
            .group_by(Post.author_id)
        ).all()
    )

    decisions: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in _latest_per(
        AuditEvent,
        AuditEvent.subject_user_id,
        (AuditEvent.created_at.desc(), AuditEvent.id.desc()),
        [AuditEvent.subject_user_id.in_(authors), AuditEvent.action.like("moderation.%")],
        DECISIONS,
        options=[joinedload(AuditEvent.actor)],
    ):
        decisions[event.subject_user_id].append(event)

    suspension_counts = dict(
        db.session.execute(
            select(Suspension.user_id, func.count(Suspension.id))
            .where(Suspension.user_id.in_(authors))
            .group_by(Suspension.user_id)
        ).all()
    )
    active: dict[int, Suspension] = {}
    for suspension in db.session.scalars(
        select(Suspension).where(Suspension.user_id.in_(authors), Suspension.active(now))
    ):
        active[suspension.user_id] = suspension

    redactions: dict[int, list[Redaction]] = defaultdict(list)
    for redaction in db.session.scalars(
        select(Redaction).where(Redaction.post_id.in_(post_ids)).order_by(Redaction.created_at)
    ):
        redactions[redaction.post_id].append(redaction)

    for item in items:
        author = item.post.author_id
        item.flags = flags[item.post.id]
        item.history = [p for p in history[author] if p.id != item.post.id][:HISTORY]
        item.post_count = counts.get(author, 0)
        item.decisions = decisions[author]
        item.suspension = active.get(author)
        item.suspensions = suspension_counts.get(author, 0)
        item.redactions = redactions[item.post.id]
    return items


# The audit trail ---------------------------------------------------------------------------

ACTION_LABELS = {
    "moderation.held": "Post held for review",
    "moderation.auto_hidden": "Post hidden by reports",
    "moderation.approved": "Post approved",
    "moderation.hidden": "Post hidden",
    "moderation.restored": "Post restored",
    "moderation.redacted": "Personal information removed",
    "moderation.warned": "Member warned",
    "moderation.suspended": "Member suspended",
    "moderation.suspension_lifted": "Suspension lifted",
    "moderation.appealed": "Decision appealed",
    "role.granted": "Role granted",
    "role.revoked": "Role removed",
    "application.approved": "Application approved",
    "application.declined": "Application declined",
    "board.closed": "Board closed",
    "board.reopened": "Board reopened",
    "board.votes_hidden": "Board vote counts hidden",
    "board.votes_shown": "Board vote counts shown",
    "board.hold_posts_on": "Board holds every post",
    "board.hold_posts_off": "Board stops holding posts",
    "text.updated": "Site text edited",
}


@dataclass(frozen=True)
class TrailFilter:
    action: str = ""
    actor: int | None = None
    person: str = ""
    start: date | None = None
    end: date | None = None

    def args(self) -> dict:
        """The filter as query-string values (for page links and the CSV link)."""
        values = {
            "action": self.action,
            "actor": self.actor,
            "person": self.person,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }
        return {key: value for key, value in values.items() if value}


def trail_query(f: TrailFilter) -> Select:
    """Audit events matching f, newest first, with who acted and whom it was about."""
    query = select(AuditEvent).options(
        joinedload(AuditEvent.actor), joinedload(AuditEvent.subject_user)
    )
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.actor:
        query = query.where(AuditEvent.actor_id == f.actor)
    if f.person:
        people = select(User.id).where(
            User.display_name.icontains(f.person, autoescape=True)
            | User.email.icontains(f.person, autoescape=True)
        )
        query = query.where(AuditEvent.subject_user_id.in_(people))
    if f.start:
        query = query.where(AuditEvent.created_at >= london_to_utc(f.start, time(0)))
    if f.end:
        query = query.where(
            AuditEvent.created_at < london_to_utc(f.end + timedelta(days=1), time(0))
        )
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def trail_actors() -> list[tuple[int, str]]:
    """(id, name) of everyone who appears as an actor in the trail: the actor filter's choices."""
    return [
        (row.id, row.display_name)
        for row in db.session.execute(
            select(User.id, User.display_name)
            .where(User.id.in_(select(AuditEvent.actor_id).where(AuditEvent.actor_id.isnot(None))))
            .order_by(User.display_name, User.id)
        )
    ]


# A member's own decisions ------------------------------------------------------------------


def decisions_about(user_id: int) -> Select:
    """Decisions about user_id that they are told of, newest first."""
    return (
        select(AuditEvent)
        .where(
            AuditEvent.subject_user_id == user_id,
            AuditEvent.action.in_(list(AUTHOR_DECISIONS)),
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )


def appeals_for(event_ids: list[int]) -> dict[int, Appeal]:
    if not event_ids:
        return {}
    return {
        a.event_id: a
        for a in db.session.scalars(select(Appeal).where(Appeal.event_id.in_(event_ids)))
    }


def posts_by_id(post_ids: list[int]) -> dict[int, Post]:
    if not post_ids:
        return {}
    return {
        p.id: p
        for p in db.session.scalars(
            select(Post).options(joinedload(Post.root)).where(Post.id.in_(post_ids))
        )
    }


def record_of(user_id: int) -> Select:
    """Every audit event about user_id (decisions, appeals, roles, applications), newest first."""
    return (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.subject_user_id == user_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )


def recent_posts(user_id: int, limit: int = 10) -> list[Post]:
    """A member's latest posts in every state (moderators see them all), with their threads."""
    return list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.root))
            .where(Post.author_id == user_id)
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(limit)
        )
    )
