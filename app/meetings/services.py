"""Planning meetings: series, themes, the meetings themselves and the boards that tie them.

Services flush and never commit: the route commits once. Registration lives in
app.meetings.registration.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import joinedload

from app.audit import record
from app.content import render_markdown
from app.extensions import db
from app.mail import external_url, send_email
from app.meetings.registration import fill_places
from app.models import (
    Board,
    Meeting,
    MeetingStatus,
    Registration,
    Series,
    Theme,
    User,
)
from app.notifications import services as notify
from app.timeutil import utcnow


class ThemeInUse(Exception):
    """A theme cannot leave a meeting once its board has questions or posts."""

    def __init__(self, theme: Theme):
        super().__init__(theme.title)
        self.theme = theme


class WrongState(Exception):
    """The meeting's state forbids this (publishing twice, editing a cancelled meeting)."""


@dataclass
class MeetingDetails:
    """What a facilitator enters for a meeting, already validated and converted to UTC."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    online_url: str
    venue: str
    capacity: int | None
    theme_ids: list[int]
    new_theme: str = ""


# Changing any of these changes what people's calendars show, so SEQUENCE goes up.
CALENDAR_FIELDS = ("title", "description", "starts_at", "ends_at", "online_url", "venue")


def slugify(text: str) -> str:
    """'Using data well!' -> 'using-data-well' (never empty)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]
    return slug or "untitled"


def _unique_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


# Series and themes -----------------------------------------------------------------------------
def create_series(title: str, description: str, actor: User) -> Series:
    """Add a series with a slug no other series has."""
    base = slugify(title)
    taken = set(db.session.scalars(select(Series.slug).where(Series.slug.like(f"{base}%"))))
    series = Series(
        slug=_unique_slug(base, taken),
        title=title,
        description=description,
        description_html=render_markdown(description),
    )
    db.session.add(series)
    db.session.flush()
    record(actor, "series.created", "series", series.id, detail=title)
    return series


def add_theme(series: Series, title: str, actor: User, description: str = "") -> Theme:
    """Return the series' theme with this title (any case), creating it if it is new."""
    existing = db.session.scalar(
        select(Theme).where(Theme.series_id == series.id, func.lower(Theme.title) == title.lower())
    )
    if existing is not None:
        return existing
    base = slugify(title)
    taken = set(
        db.session.scalars(
            select(Theme.slug).where(Theme.series_id == series.id, Theme.slug.like(f"{base}%"))
        )
    )
    theme = Theme(
        series_id=series.id,
        slug=_unique_slug(base, taken),
        title=title,
        description=description,
    )
    db.session.add(theme)
    db.session.flush()
    record(actor, "theme.created", "theme", theme.id, detail=title)
    return theme


# Meetings --------------------------------------------------------------------------------------
def create_meeting(series: Series, details: MeetingDetails, actor: User) -> Meeting:
    """Add a draft meeting to the series, with a board for each chosen theme."""
    meeting = Meeting(series_id=series.id, status=MeetingStatus.DRAFT)
    _apply(meeting, details)
    db.session.add(meeting)
    db.session.flush()
    set_themes(meeting, _theme_ids(series, details, actor))
    record(actor, "meeting.created", "meeting", meeting.id, detail=meeting.title)
    return meeting


def update_meeting(meeting: Meeting, details: MeetingDetails, actor: User) -> list[Registration]:
    """Save new details; returns anyone moved off the waiting list by a larger capacity.

    Raises WrongState for a cancelled meeting and ThemeInUse (before changing anything) when a
    theme with posts would be dropped.
    """
    if meeting.is_cancelled:
        raise WrongState("A cancelled meeting cannot be changed")
    theme_ids = _theme_ids(meeting.series, details, actor)
    _check_removable(meeting, theme_ids)
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    _apply(meeting, details)
    if any(getattr(meeting, name) != value for name, value in before.items()):
        meeting.sequence = (meeting.sequence or 0) + 1
        notify.meeting_changed(meeting, actor)
    set_themes(meeting, theme_ids)
    db.session.flush()
    record(actor, "meeting.updated", "meeting", meeting.id, detail=meeting.title)
    return fill_places(meeting)


def _apply(meeting: Meeting, details: MeetingDetails) -> None:
    meeting.title = details.title
    meeting.description = details.description
    meeting.description_html = render_markdown(details.description)
    meeting.starts_at = details.starts_at
    meeting.ends_at = details.ends_at
    meeting.online_url = details.online_url
    meeting.venue = details.venue
    meeting.capacity = details.capacity


def _theme_ids(series: Series, details: MeetingDetails, actor: User) -> list[int]:
    """The chosen themes, in the series' order, plus the typed-in one (created if new)."""
    chosen = set(details.theme_ids)
    ids = [theme.id for theme in series.themes if theme.id in chosen]
    if details.new_theme:
        theme = add_theme(series, details.new_theme, actor)
        if theme.id not in ids:
            ids.append(theme.id)
    return ids


def _check_removable(meeting: Meeting, theme_ids: list[int]) -> None:
    for board in meeting.boards:
        if board.theme_id not in theme_ids and board_in_use(board):
            raise ThemeInUse(board.theme)


def board_in_use(board: Board) -> bool:
    """True when the board has posts, or any row of any table refers to it.

    The counters answer at once; the scan of foreign keys covers what they don't count (hidden
    or removed posts, and whatever other areas attach to boards), without this area importing
    theirs.
    """
    if board.post_count or board.question_count:
        return True
    for table in db.metadata.sorted_tables:
        if table.name == Board.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != Board.__tablename__:
                continue
            found = db.session.execute(
                select(literal(1)).select_from(table).where(fk.parent == board.id).limit(1)
            ).first()
            if found is not None:
                return True
    return False


def set_themes(meeting: Meeting, theme_ids: list[int]) -> None:
    """Give the meeting exactly one board per theme, in the order given.

    Boards of dropped themes are deleted only while empty (ThemeInUse otherwise): the meeting's
    themes are its boards.
    """
    _check_removable(meeting, theme_ids)
    boards = {board.theme_id: board for board in meeting.boards}
    for board in boards.values():
        if board.theme_id not in theme_ids:
            db.session.delete(board)
    for position, theme_id in enumerate(theme_ids):
        if theme_id in boards:
            boards[theme_id].position = position
        else:
            db.session.add(Board(meeting_id=meeting.id, theme_id=theme_id, position=position))
    db.session.flush()
    db.session.expire(meeting, ["boards"])


def publish(meeting: Meeting, actor: User) -> None:
    """Make a draft meeting visible to everyone and open for registration."""
    if not meeting.is_draft:
        raise WrongState("Only a draft meeting can be published")
    meeting.status = MeetingStatus.PUBLISHED
    meeting.published_at = utcnow()
    meeting.sequence = (meeting.sequence or 0) + 1
    db.session.flush()
    record(actor, "meeting.published", "meeting", meeting.id, detail=meeting.title)


def cancel(meeting: Meeting, actor: User, reason: str) -> list[Registration]:
    """Cancel a published meeting and return everyone registered or waiting (to be emailed).

    The status changes through a conditional UPDATE first: it locks the meeting row, so that a
    registration racing with the cancellation either lands before it (and is emailed) or sees the
    meeting closed.
    """
    changed = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.status == MeetingStatus.PUBLISHED)
        .values(
            status=MeetingStatus.CANCELLED,
            cancelled_at=utcnow(),
            cancel_reason=reason,
            sequence=Meeting.sequence + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(meeting)
    if changed != 1:
        raise WrongState("Only a published meeting can be cancelled")
    record(actor, "meeting.cancelled", "meeting", meeting.id, reason=reason, detail=meeting.title)
    notify.meeting_cancelled(meeting, actor)
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.meeting_id == meeting.id)
            .options(joinedload(Registration.user))
            .order_by(Registration.created_at, Registration.id)
        )
    )


def send_cancellation_emails(meeting: Meeting, registrations: list[Registration]) -> None:
    """Tell each registrant (registered or waiting) that the meeting is off, and why."""
    link = external_url("meetings.meeting", meeting_id=meeting.id)
    for registration in registrations:
        person = registration.user
        send_email(
            person.email,
            f"Cancelled: {meeting.title}",
            f"Hello {person.display_name},\n\n"
            f"The meeting \u201c{meeting.title}\u201d on {meeting.when} has been cancelled.\n\n"
            f"Reason: {meeting.cancel_reason}\n\n"
            f"You do not need to do anything. The meeting page says the same:\n{link}\n\n"
            "Roundtable\n",
        )
