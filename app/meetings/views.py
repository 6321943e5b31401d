"""Lookups and context builders shared by the meetings route modules (one context per page)."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.csvsafe import csv_response  # noqa: F401  (moved; imported from here)
from app.extensions import db
from app.htmx import is_partial_request, render_page_or_fragment, retarget
from app.meetings.registration import closed_reason, registration_for, waiting_position
from app.models import Board, Meeting, Role, Series
from app.permissions import has_role


def can_manage() -> bool:
    """True for facilitators and admins (the server-side checks are the route decorators)."""
    return has_role(Role.FACILITATOR)


def visible_meeting_or_404(meeting_id: int) -> Meeting:
    """The meeting, or 404 when it does not exist or is a draft the person may not see."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or (meeting.is_draft and not can_manage()):
        abort(404)
    return meeting


def series_or_404(series_id: int) -> Series:
    return db.session.get(Series, series_id) or abort(404)


def meeting_context(meeting: Meeting, *, announce: str | None = None, notice: str | None = None):
    """Everything the meeting page and its registration panel show, for the current person."""
    registration = None
    if current_user.is_authenticated:
        registration = registration_for(meeting.id, current_user.id)
    position = (
        waiting_position(registration) if registration and registration.is_waitlisted else None
    )
    manager = can_manage()
    registered = registration is not None and registration.is_registered
    boards = db.session.scalars(
        select(Board)
        .where(Board.meeting_id == meeting.id)
        .options(joinedload(Board.theme))
        .order_by(Board.position, Board.id)
    ).all()
    return {
        "meeting": meeting,
        "series": meeting.series,
        "boards": boards,
        "registration": registration,
        "position": position,
        "can_manage": manager,
        "show_link": bool(meeting.online_url)
        and not meeting.is_cancelled
        and (manager or registered),
        "closed": closed_reason(meeting),
        "announce": announce,
        "notice": notice,
    }


def render_meeting(meeting: Meeting, *, status: int = 200, **extra):
    """The meeting page, or only its registration panel for htmx."""
    response = render_page_or_fragment(
        "meetings/meeting.html",
        "meetings/_registration.html",
        status=status,
        **meeting_context(meeting, **extra),
    )
    if status >= 400 and is_partial_request():
        # htmx (and app.js) swap error answers only when they say where they go: back in place.
        retarget(response, f"#registration-{meeting.id}", swap="outerHTML")
    return response
