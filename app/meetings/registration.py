"""Registering for meetings: places, the waiting list, and promotion when a place frees up.

Capacity holds under concurrency on SQLite and PostgreSQL alike because a place is taken only by
a conditional UPDATE of the meeting's own counter (registered_count < capacity), in the same
transaction as the Registration row. The UPDATE locks the meeting row (PostgreSQL re-checks the
condition after waiting for the lock; SQLite runs one writer at a time), so no two requests can
both take the last place; the rowcount says whether this one did. The unique (meeting_id,
user_id) constraint turns a double click into an IntegrityError that rolls the counter back too.
"""

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.mail import external_url, send_email
from app.models import Meeting, MeetingStatus, Registration, RegistrationStatus, User
from app.timeutil import utcnow

REGISTERED = RegistrationStatus.REGISTERED
WAITLISTED = RegistrationStatus.WAITLISTED


class RegistrationClosed(Exception):
    """The meeting is a draft, cancelled or over: nobody can register or cancel."""


def closed_reason(meeting: Meeting, now=None) -> str | None:
    """Why registration is closed, in words for the member, or None while it is open."""
    if meeting.is_cancelled:
        return "Registration is closed: this meeting has been cancelled."
    if not meeting.is_published:
        return "Registration opens when the meeting is published."
    if (now or utcnow()) >= meeting.ends_at:
        return "Registration is closed: this meeting has ended."
    return None


def _open_now(now):
    """The SQL form of closed_reason() is None, re-checked inside every counter UPDATE."""
    return and_(Meeting.status == MeetingStatus.PUBLISHED, Meeting.ends_at > now)


def registration_for(meeting_id: int, user_id: int) -> Registration | None:
    """The member's registration or waiting-list entry for the meeting, read fresh."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.meeting_id == meeting_id, Registration.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def waiting_position(registration: Registration) -> int:
    """1 for the first person on the waiting list, and so on."""
    ahead = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == WAITLISTED,
            or_(
                Registration.created_at < registration.created_at,
                and_(
                    Registration.created_at == registration.created_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return (ahead or 0) + 1


def _counter_update(meeting_id: int, *conditions, **values) -> bool:
    """Run UPDATE meeting SET ... WHERE id = :id AND conditions; True when the row changed.

    updated_at is set to itself so that counting places doesn't look like editing the meeting.
    """
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id, *conditions)
        .values(updated_at=Meeting.updated_at, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _take_place(meeting_id: int, *conditions) -> bool:
    """Take one place if the meeting has one free (never more than capacity)."""
    has_room = or_(Meeting.capacity.is_(None), Meeting.registered_count < Meeting.capacity)
    return _counter_update(
        meeting_id, has_room, *conditions, registered_count=Meeting.registered_count + 1
    )


def register(meeting: Meeting, user: User) -> Registration:
    """Register the member, or put them on the waiting list when the meeting is full.

    Idempotent: an existing registration is returned unchanged. Raises RegistrationClosed when
    the meeting is not open, and lets IntegrityError through when a simultaneous request by the
    same member won (the route rolls back and shows that one).
    """
    existing = registration_for(meeting.id, user.id)
    if existing is not None:
        return existing
    now = utcnow()
    if _take_place(meeting.id, _open_now(now)):
        status = REGISTERED
    elif _counter_update(meeting.id, _open_now(now), waitlist_count=Meeting.waitlist_count + 1):
        status = WAITLISTED
    else:
        db.session.expire(meeting)
        raise RegistrationClosed(closed_reason(meeting) or "Registration is closed.")
    registration = Registration(meeting_id=meeting.id, user_id=user.id, status=status)
    db.session.add(registration)
    db.session.flush()
    if status == WAITLISTED:
        # A place freed by someone leaving at this very moment goes to the waiting list now.
        # PostgreSQL's conditional UPDATE above skipped the meeting row it saw full while the
        # leaver had not committed, and the leaver, looking for someone waiting, could not see
        # this registration yet: without this, the place would stay empty. Holding the row's
        # lock since the waiting-list UPDATE, this transaction now reads the leaver's commit.
        promoted = fill_places(meeting)
        others = [r for r in promoted if r.id != registration.id]
        if others:
            send_promotion_emails(meeting, others)
        db.session.refresh(registration)
    db.session.expire(meeting, ["registered_count", "waitlist_count"])
    return registration


def unregister(meeting: Meeting, user: User) -> tuple[Registration | None, list[Registration]]:
    """Give up a place or leave the waiting list; returns (what was removed, who was promoted).

    A freed place goes to the first person waiting, in the same transaction. Raises
    RegistrationClosed when the meeting is cancelled or over (the list is then a record).
    """
    if closed_reason(meeting) is not None:
        raise RegistrationClosed(closed_reason(meeting))
    # The DELETE names the status it saw: if a promotion changed it in between, read again, so
    # the right counter goes down.
    for _attempt in range(5):
        registration = registration_for(meeting.id, user.id)
        if registration is None:
            return None, []
        status = registration.status
        deleted = db.session.execute(
            Registration.__table__.delete().where(
                Registration.__table__.c.id == registration.id,
                Registration.__table__.c.status == status,
            )
        ).rowcount
        if deleted == 1:
            break
    else:  # pragma: no cover - five promotions in a row for one member cannot happen
        raise RuntimeError("registration kept changing")
    db.session.expunge(registration)
    promoted: list[Registration] = []
    if status == REGISTERED:
        _counter_update(meeting.id, registered_count=Meeting.registered_count - 1)
        promoted = fill_places(meeting)
    else:
        _counter_update(meeting.id, waitlist_count=Meeting.waitlist_count - 1)
    db.session.expire(meeting, ["registered_count", "waitlist_count"])
    return registration, promoted


def fill_places(meeting: Meeting) -> list[Registration]:
    """Move people from the front of the waiting list into free places; returns them.

    Each promotion takes a place with the same conditional UPDATE as a registration, then claims
    the person with UPDATE ... WHERE status = 'waitlisted' (a concurrent promotion or a member
    leaving the list makes that match nothing, and the next person is tried).
    """
    promoted: list[Registration] = []
    if not meeting.is_published:
        return promoted
    while True:
        candidates = list(
            db.session.scalars(
                select(Registration.id)
                .where(Registration.meeting_id == meeting.id, Registration.status == WAITLISTED)
                .order_by(Registration.created_at, Registration.id)
                .limit(5)
            )
        )
        if not candidates or not _take_place(meeting.id):
            break
        claimed = None
        for candidate in candidates:
            changed = db.session.execute(
                update(Registration)
                .where(Registration.id == candidate, Registration.status == WAITLISTED)
                .values(status=REGISTERED, promoted_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed == 1:
                claimed = candidate
                break
        if claimed is None:
            # Everyone we looked at left or was promoted elsewhere: give the place back, look again.
            _counter_update(meeting.id, registered_count=Meeting.registered_count - 1)
            continue
        _counter_update(meeting.id, waitlist_count=Meeting.waitlist_count - 1)
        promoted.append(claimed)
    db.session.expire(meeting, ["registered_count", "waitlist_count"])
    if not promoted:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(promoted))
            .options(joinedload(Registration.user))
            .order_by(Registration.created_at, Registration.id)
            .execution_options(populate_existing=True)
        )
    )


def send_promotion_emails(meeting: Meeting, promoted: list[Registration]) -> None:
    """Tell each person moved off the waiting list that they now have a place."""
    link = external_url("meetings.meeting", meeting_id=meeting.id)
    for registration in promoted:
        person = registration.user
        send_email(
            person.email,
            f"You have a place: {meeting.title}",
            f"Hello {person.display_name},\n\n"
            f"A place came free at \u201c{meeting.title}\u201d on {meeting.when}, and it is "
            "yours: you were first on the waiting list.\n\n"
            f"The meeting page has the details and the joining link:\n{link}\n\n"
            "If you can no longer come, cancel your registration there so the place goes to the "
            "next person.\n\nRoundtable\n",
        )


def registrants_query(meeting_id: int):
    """Registered people first, then the waiting list, each in the order they signed up."""
    return (
        select(Registration)
        .where(Registration.meeting_id == meeting_id)
        .options(joinedload(Registration.user))
        .order_by(Registration.status, Registration.created_at, Registration.id)
    )


def feed_meetings(user: User) -> list[Meeting]:
    """The meetings the member has a place at, oldest first, for their calendar feed."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(Registration, Registration.meeting_id == Meeting.id)
            .where(
                Registration.user_id == user.id,
                Registration.status == REGISTERED,
                Meeting.status != MeetingStatus.DRAFT,
            )
            .order_by(Meeting.starts_at)
            .limit(1000)
        )
    )
