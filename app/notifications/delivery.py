"""Creating notifications, keeping unread counts exact, reading them, and taking them back.

Services flush and never commit. Every change to a member's notifications moves their
User.unread_notifications by an atomic UPDATE in the same transaction, by exactly the number of
unread rows it added or removed, so the count stays exact with any number of writers.
Immediate emails are queued on the session here and sent once it commits (app.notifications.emails).
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import Notification, NotificationSettings, Post, Role, User
from app.models.notifications import DEFAULT_MODES, EmailMode, Kind
from app.timeutil import utcnow

# session.info keys: ids to email once the transaction commits, and every id created in it.
EMAIL_QUEUE = "notifications_to_email"
CREATED = "notifications_created"
EXCERPT_MAX = 280
TEXT_MAX = 400
TAG = re.compile(r"<[^>]*>")


@dataclass
class Draft:
    """One notification to be created for one member."""

    user_id: int
    kind: str
    text: str
    excerpt: str = ""
    post_id: int | None = None
    meeting_id: int | None = None
    action_id: int | None = None
    extra: dict = field(default_factory=dict)


def plain(stored: str | None, limit: int = EXCERPT_MAX) -> str:
    """Sanitised HTML (a post's body_html) as one line of plain text, cut at a word."""
    text = " ".join(html.unescape(TAG.sub(" ", stored or "")).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}\u2026"


def quoted(title: str, limit: int = 120) -> str:
    """A title in curly quotes, shortened when long."""
    title = " ".join((title or "").split())
    if len(title) > limit:
        title = title[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
    return f"\u201c{title}\u201d"


def _mode_column(kind: str):
    """The settings column for kind, or None for kinds emailed by their own area."""
    return getattr(NotificationSettings, kind) if kind in Kind.EMAILED else None


def deliver(
    key: str,
    drafts: list[Draft],
    *,
    actor_id: int | None,
    now: datetime | None = None,
    emailed_elsewhere: bool = False,
) -> list[Notification]:
    """Create the notifications of one event (named by key), one per member at most.

    The first draft for a member wins (callers list the most specific first: a mention before
    a reply before a follow). Nobody is told about their own doing (actor_id), about an event
    they were already told about (key), or at all when their account is closed or not a member.
    emailed_elsewhere: the event's own area emails everyone already, so these are not emailed.
    """
    chosen: dict[int, Draft] = {}
    for draft in drafts:
        if draft.user_id is not None and draft.user_id != actor_id:
            chosen.setdefault(draft.user_id, draft)
    if not chosen:
        return []
    now = now or utcnow()
    told = exists().where(Notification.key == key, Notification.user_id == User.id)
    kinds = {d.kind for d in chosen.values()}
    columns = [c for kind in sorted(kinds) if (c := _mode_column(kind)) is not None]
    rows = db.session.execute(
        select(User.id, NotificationSettings.user_id.label("has_settings"), *columns)
        .outerjoin(NotificationSettings, NotificationSettings.user_id == User.id)
        .where(
            User.id.in_(list(chosen)),
            User.active.is_(True),
            User.with_role(Role.MEMBER),
            ~told,
        )
    ).all()
    created = []
    for row in rows:
        draft = chosen[row.id]
        mode = ""
        if draft.kind in Kind.EMAILED and not emailed_elsewhere:
            mode = getattr(row, draft.kind) if row.has_settings else DEFAULT_MODES[draft.kind]
            mode = "" if mode == EmailMode.OFF else mode
        created.append(
            Notification(
                user_id=row.id,
                kind=draft.kind,
                key=key,
                actor_id=actor_id,
                text=draft.text[:TEXT_MAX],
                excerpt=draft.excerpt[:EXCERPT_MAX],
                post_id=draft.post_id,
                meeting_id=draft.meeting_id,
                action_id=draft.action_id,
                created_at=now,
                email=mode,
            )
        )
    if not created:
        return []
    db.session.add_all(created)
    db.session.flush()
    _move_counts({n.user_id: 1 for n in created})
    info = db.session.info
    info.setdefault(CREATED, set()).update(n.id for n in created)
    info.setdefault(EMAIL_QUEUE, set()).update(
        n.id for n in created if n.email == EmailMode.IMMEDIATE
    )
    return created


def _move_counts(steps: dict[int, int]) -> None:
    """Add step to each member's unread count (one UPDATE per distinct step)."""
    by_step: dict[int, list[int]] = {}
    for user_id, step in steps.items():
        if step:
            by_step.setdefault(step, []).append(user_id)
    for step, user_ids in by_step.items():
        db.session.execute(
            update(User)
            .where(User.id.in_(user_ids))
            .values(unread_notifications=User.unread_notifications + step),
            execution_options={"synchronize_session": False},
        )
        for user_id in user_ids:
            _forget_count(user_id)


def _forget_count(user_id: int) -> None:
    """A loaded User (current_user) re-reads its count next time; no query if not loaded."""
    user = db.session.identity_map.get(db.session.identity_key(User, user_id))
    if user is not None:
        db.session.expire(user, ["unread_notifications"])


def silence_created() -> int:
    """Email nothing created in this transaction (the demo data: its events are made up).

    Returns how many notifications were silenced.
    """
    info = db.session.info
    info.pop(EMAIL_QUEUE, None)
    ids = info.pop(CREATED, set())
    if not ids:
        return 0
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
        .values(email=""),
        execution_options={"synchronize_session": False},
    )
    return len(ids)


# Reading -------------------------------------------------------------------------------------


def shown():
    """The condition for notifications still worth showing: those about a post only while
    others may read it (not held, hidden or removed); a decision about my own post always."""
    return or_(
        Notification.post_id.is_(None),
        Notification.kind == Kind.MODERATION,
        and_(Post.held_at.is_(None), Post.hidden_at.is_(None), Post.removed_at.is_(None)),
    )


def page_query(user_id: int):
    """A member's notifications, newest first (for db.paginate: two indexed queries)."""
    return (
        select(Notification)
        .outerjoin(Post, Post.id == Notification.post_id)
        .where(Notification.user_id == user_id, shown())
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def get_own(notification_id: int, user_id: int) -> Notification | None:
    """The notification when it is user's, else None (someone else's is as good as missing)."""
    return db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


def mark_read(notification: Notification, now: datetime | None = None) -> bool:
    """Mark one notification read; False when it already was (then no count moves)."""
    now = now or utcnow()
    changed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.read_at.is_(None))
        .values(read_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if changed:
        set_committed_value(notification, "read_at", now)
        _move_counts({notification.user_id: -1})
    return bool(changed)


def mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of user read; returns how many changed.

    The count drops by the rows actually changed: one created meanwhile by another
    transaction stays unread and counted.
    """
    changed = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if changed:
        _move_counts({user.id: -changed})
    return changed


def unread_count(user_id: int) -> int:
    """The member's unread count as stored (one query; the header reads it from current_user)."""
    return db.session.scalar(select(User.unread_notifications).where(User.id == user_id)) or 0


def recount(user_ids) -> None:
    """Set each member's unread count from their rows (one UPDATE): a repair, and for bulk
    changes such as the demo's."""
    user_ids = list(user_ids)
    if not user_ids:
        return
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        update(User).where(User.id.in_(user_ids)).values(unread_notifications=unread),
        execution_options={"synchronize_session": False},
    )
    for user_id in user_ids:
        _forget_count(user_id)


def withdraw(post: Post, kinds=(Kind.REPLY, Kind.MENTION, Kind.FOLLOW)) -> int:
    """Take back what others were told about post (it was hidden, held or removed): the rows
    go, unread counts drop with them. The author's own moderation notices stay."""
    condition = and_(Notification.post_id == post.id, Notification.kind.in_(kinds))
    unread = db.session.execute(
        select(Notification.user_id, func.count(Notification.id))
        .where(condition, Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    ).all()
    removed = db.session.execute(
        delete(Notification).where(condition), execution_options={"synchronize_session": False}
    ).rowcount
    _move_counts({user_id: -count for user_id, count in unread})
    return removed


def target(notification: Notification) -> tuple[str, dict]:
    """Where a notification leads, as (endpoint, values) for url_for or external_url.

    A post is linked by its own id: the boards send a reply's id on to its page of the thread.
    """
    kind = notification.kind
    if kind == Kind.AGENDA and notification.meeting_id:
        return "agenda.agenda", {"meeting_id": notification.meeting_id}
    if notification.post_id:
        post_id = notification.post_id
        return "boards.thread", {"post_id": post_id, "_anchor": f"post-{post_id}"}
    if notification.action_id:
        return "actions.action", {"action_id": notification.action_id}
    if notification.meeting_id:
        return "meetings.meeting", {"meeting_id": notification.meeting_id}
    if kind == Kind.APPLICATION:
        return "meetings.index", {}
    return "notifications.index", {}
