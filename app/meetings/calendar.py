"""iCalendar files: one meeting, or a member's private feed of the meetings they registered for.

Times are written in Europe/London with a VTIMEZONE block, so a calendar shows 12:00 on a summer
day as 12:00 wherever it is read, and the UID stays the same for the life of the meeting so that
an updated file (higher SEQUENCE) replaces the old event instead of adding a second one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app

from app.mail import external_url
from app.models import Meeting
from app.timeutil import to_london, utcnow

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Roundtable//Meetings//EN"


def meeting_uid(meeting: Meeting) -> str:
    """'meeting-42@roundtable.example.org': stable, and unique to this site."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "roundtable"
    return f"meeting-{meeting.id}@{host}"


def _description(meeting: Meeting, page: str, with_link: bool) -> str:
    parts = []
    if meeting.is_cancelled:
        parts.append(f"This meeting has been cancelled. {meeting.cancel_reason}".strip())
    if meeting.description:
        parts.append(meeting.description.strip())
    if with_link and meeting.online_url and not meeting.is_cancelled:
        parts.append(f"Join online: {meeting.online_url}")
    parts.append(f"Meeting page: {page}")
    return "\n\n".join(parts)


def meeting_event(meeting: Meeting, *, with_link: bool) -> Event:
    """The VEVENT for a meeting; the online link goes in only when with_link is True."""
    # Imported here: icalendar weighs about 3 MB in every worker, for a file asked for rarely.
    from icalendar import Event

    page = external_url("meetings.meeting", meeting_id=meeting.id)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", utcnow())
    event.add("dtstart", to_london(meeting.starts_at))
    event.add("dtend", to_london(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("description", _description(meeting, page, with_link))
    event.add("url", page)
    event.add("location", meeting.venue or "Online")
    event.add("sequence", meeting.sequence or 0)
    if meeting.is_cancelled:
        event.add("status", "CANCELLED")
    elif meeting.is_draft:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    return event


def build_calendar(
    meetings: list[Meeting], *, with_links: set[int], name: str | None = None
) -> bytes:
    """A VCALENDAR holding the meetings; with_links names those whose online link may be shown."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/London")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, with_link=meeting.id in with_links))
    if meetings:
        # Only the years the meetings need, not icalendar's default 1970-2038 span.
        first = min(to_london(m.starts_at) for m in meetings).date() - timedelta(days=366)
        last = max(to_london(m.ends_at) for m in meetings).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
