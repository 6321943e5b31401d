"""A member's own data: everything Roundtable holds about them (export), and closing their
account (erasure of what identifies them, keeping the community's discussion).

What closing keeps, and why (README, "Your data"):
- posts, replies, votes and action timelines stay: they are the community's discussion and
  record of commitments; they show "Former member" as the author;
- audit events stay, as the record of decisions the law and the community's safety need. An
  audit event never holds a name or an address: it refers to people by user id only, and the
  user row behind that id no longer holds anything personal;
- moderation records (warnings, suspensions, appeals, reports made) stay, by user id.

Services flush and never commit: the route commits once.
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, func, literal, or_, select, update

from app import audit
from app.actions import services as actions
from app.extensions import db
from app.meetings import registration
from app.models import (
    Action,
    ActionFollower,
    ActionOwner,
    Application,
    Follow,
    Meeting,
    MeetingStatus,
    Notification,
    NotificationSettings,
    OwnerState,
    Registration,
    Role,
    User,
)
from app.timeutil import utcnow

FORMER_MEMBER = "Former member"


def closed_email(user_id: int) -> str:
    """A unique address nobody can receive mail at (.invalid is reserved: RFC 2606)."""
    return f"closed-{user_id}@invalid"


def is_last_admin(user: User) -> bool:
    """True when user is the only open account holding the admin role (it must not close)."""
    if not user.holds(Role.ADMIN):
        return False
    others = db.session.scalar(
        select(func.count(User.id)).where(
            User.roles.op("&")(int(Role.ADMIN)) != 0,
            User.active.is_(True),
            User.id != user.id,
        )
    )
    return not others


@dataclass
class Closure:
    """What closing an account changed that the route still has to act on after commit."""

    # (meeting, people moved off its waiting list into the place that came free)
    promotions: list[tuple[Meeting, list]] = field(default_factory=list)
    registrations_cancelled: int = 0
    invitations_declined: int = 0


def close_account(user: User, now=None) -> Closure:
    """Close user's account: no more log-in, nothing personal left, the discussion kept.

    In one transaction: registrations for meetings still to come are cancelled through the
    meetings service (so the waiting list moves up), pending action invitations declined,
    follows removed, notifications and settings deleted, other members' notifications that
    name them reworded, applications anonymised, the personal fields erased, every session
    ended (session_gen), and an "account.closed" audit event recorded (by user id only).
    """
    now = now or utcnow()
    result = Closure()
    old_name = user.display_name
    old_email = (user.email or "").lower()

    upcoming = db.session.scalars(
        select(Meeting)
        .join(Registration, Registration.meeting_id == Meeting.id)
        .where(
            Registration.user_id == user.id,
            Meeting.status == MeetingStatus.PUBLISHED,
            Meeting.ends_at > now,
        )
        .order_by(Meeting.starts_at)
    ).all()
    for meeting in upcoming:
        removed, promoted = registration.unregister(meeting, user)
        if removed is not None:
            result.registrations_cancelled += 1
        if promoted:
            result.promotions.append((meeting, promoted))

    invited = db.session.scalars(
        select(Action)
        .join(ActionOwner, ActionOwner.action_id == Action.id)
        .where(ActionOwner.user_id == user.id, ActionOwner.state == OwnerState.INVITED)
        .order_by(Action.id)
    ).all()
    for action in invited:
        actions.decline(action, user, now=now)
        result.invitations_declined += 1

    _forget(user, old_name)
    db.session.execute(
        update(Application)
        .where(or_(Application.user_id == user.id, func.lower(Application.email) == old_email))
        .values(
            name=FORMER_MEMBER,
            email=closed_email(user.id),
            organisation="",
            place="",
            job_role="",
            criteria_statement="",
        )
        .execution_options(synchronize_session=False)
    )

    user.display_name = FORMER_MEMBER
    user.email = closed_email(user.id)
    user.password_hash = None
    user.organisation = ""
    user.place = ""
    user.bio = ""
    user.pronouns = ""
    user.calendar_token = None
    user.active = False
    user.session_gen = (user.session_gen or 0) + 1
    db.session.flush()
    audit.record(user, "account.closed", "user", user.id, subject_user=user)
    return result


def _forget(user: User, old_name: str) -> None:
    """Remove what only served the person: follows, their notifications and settings; and
    take their name out of the notifications other members received about them."""
    for model in (ActionFollower, Follow, NotificationSettings, Notification):
        db.session.execute(
            delete(model).where(model.user_id == user.id),
            execution_options={"synchronize_session": False},
        )
    if hasattr(user, "unread_notifications"):
        user.unread_notifications = 0
    if old_name:
        # The line others were shown starts with the name it had then ("Priya Shah replied to
        # ..."); only that leading name is replaced, never the same letters inside a title.
        length = len(old_name)
        db.session.execute(
            update(Notification)
            .where(
                Notification.actor_id == user.id,
                func.substr(Notification.text, 1, length) == old_name,
            )
            .values(text=literal(FORMER_MEMBER) + func.substr(Notification.text, length + 1))
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
