"""Decisions about members rather than posts: warnings, suspensions (escalating), and appeals.

Services flush and never commit; each decision is an AuditEvent about the member, naming the
post it came from, so the author can appeal it once.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app import audit
from app.extensions import db
from app.models import Appeal, AuditEvent, MemberWarning, Post, Role, Suspension, User
from app.models.moderation import ReviewCause
from app.moderation.services import (
    APPEALABLE,
    Refused,
    lock_post,
    open_review,
    setting,
)
from app.timeutil import format_datetime, utcnow


def _subject(post: Post | None, person: User) -> tuple[str, int]:
    return ("post", post.id) if post is not None else ("user", person.id)


# Warnings ----------------------------------------------------------------------------------


def warn(person: User, moderator: User, message: str, post: Post | None = None, now=None):
    """Send person a warning: a banner on their next page until they dismiss it, and a line on
    their decisions page. Returns the audit event."""
    now = now or utcnow()
    warning = MemberWarning(
        user_id=person.id,
        moderator_id=moderator.id,
        post_id=post.id if post else None,
        message=message,
        created_at=now,
    )
    db.session.add(warning)
    db.session.flush()
    kind, ident = _subject(post, person)
    return audit.record(
        moderator, "moderation.warned", kind, ident, subject_user=person, reason=message
    )


def dismiss_warning(warning: MemberWarning, now=None) -> bool:
    """The member has read the warning: the banner goes (it stays on their decisions page)."""
    changed = db.session.execute(
        update(MemberWarning)
        .where(MemberWarning.id == warning.id, MemberWarning.seen_at.is_(None))
        .values(seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed == 1


# Suspensions -------------------------------------------------------------------------------


def ladder() -> list[int]:
    """The suggested lengths in days, from MODERATION_SUSPENSION_DAYS ("1,3,7,30")."""
    days = [int(part) for part in str(setting("MODERATION_SUSPENSION_DAYS")).split(",") if part]
    return sorted(set(days)) or [1]


def suggested_days(earlier: int) -> int:
    """Escalate: a member's first suspension is the shortest, each repeat the next length."""
    steps = ladder()
    return steps[min(earlier, len(steps) - 1)]


def suspension_count(user_id: int) -> int:
    return db.session.scalar(select(func.count(Suspension.id)).where(Suspension.user_id == user_id))


def active_suspension(user_id: int, now: datetime | None = None) -> Suspension | None:
    return db.session.scalar(
        select(Suspension)
        .where(Suspension.user_id == user_id, Suspension.active(now or utcnow()))
        .order_by(Suspension.ends_at.desc())
        .limit(1)
    )


def suspend(
    person: User,
    moderator: User,
    days: int,
    reason: str,
    post: Post | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Suspend person for days: they can read but not post, vote, report or register.

    Refused for a member already suspended (lift it first) and for moderators and admins.
    """
    now = now or utcnow()
    if days not in ladder():
        raise Refused("Choose one of the suspension lengths offered.")
    if person.id == moderator.id:
        raise Refused("You cannot suspend yourself.")
    if person.has_role(Role.MODERATOR):
        raise Refused("Moderators and admins cannot be suspended: an admin can change roles.")
    current = active_suspension(person.id, now)
    if current is not None:
        raise Refused(
            f"{person.display_name} is already suspended until {format_datetime(current.ends_at)}."
        )
    suspension = Suspension(
        user_id=person.id,
        moderator_id=moderator.id,
        post_id=post.id if post else None,
        days=days,
        reason=reason,
        starts_at=now,
        ends_at=now + timedelta(days=days),
    )
    db.session.add(suspension)
    db.session.flush()
    kind, ident = _subject(post, person)
    day_word = "day" if days == 1 else "days"
    return audit.record(
        moderator,
        "moderation.suspended",
        kind,
        ident,
        subject_user=person,
        reason=reason,
        detail=f"{days} {day_word}, until {format_datetime(suspension.ends_at)}",
    )


def lift(suspension: Suspension, moderator: User, reason: str, now=None) -> AuditEvent:
    """End a suspension now; Refused when it had already ended or been lifted."""
    now = now or utcnow()
    changed = db.session.execute(
        update(Suspension)
        .where(Suspension.id == suspension.id, Suspension.active(now))
        .values(lifted_at=now, lifted_by_id=moderator.id, lift_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(suspension)
    if changed != 1:
        raise Refused("This suspension has already ended.")
    return audit.record(
        moderator,
        "moderation.suspension_lifted",
        "user",
        suspension.user_id,
        subject_user=suspension.user,
        reason=reason,
    )


# Appeals -----------------------------------------------------------------------------------


def appeal_problem(event: AuditEvent, person) -> str | None:
    """Why person may not appeal event, or None: only the member it is about, once, for
    decisions that went against them and concern a post."""
    if event.subject_user_id != person.id or event.action not in APPEALABLE:
        return "You cannot appeal this decision."
    if event.subject_type != "post" or event.subject_id is None:
        return "You cannot appeal this decision."
    if db.session.scalar(select(Appeal.id).where(Appeal.event_id == event.id)) is not None:
        return "You have already appealed this decision."
    return None


def appeal(event: AuditEvent, person: User, reason: str, now=None) -> Appeal:
    """Appeal a decision once: it goes back into the queue, for another moderator to decide.

    The unique event_id makes a second appeal (a double submission) fail in the database too.
    """
    now = now or utcnow()
    if problem := appeal_problem(event, person):
        raise Refused(problem)
    post = db.session.get(Post, event.subject_id)
    if post is None:
        raise Refused("You cannot appeal this decision.")
    lock_post(post)
    record = Appeal(
        event_id=event.id, post_id=post.id, user_id=person.id, reason=reason, created_at=now
    )
    db.session.add(record)
    db.session.flush()
    open_review(post, ReviewCause.APPEAL, now, appeal=record)
    audit.record(
        person,
        "moderation.appealed",
        "post",
        post.id,
        subject_user=person,
        reason=reason,
        detail=f"against decision {event.id}",
    )
    return record
