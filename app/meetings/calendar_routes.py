"""Calendar files: one meeting's .ics, each member's private feed, and resetting the feed link."""

import secrets

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request
from app.mail import external_url
from app.meetings import bp
from app.meetings.calendar import build_calendar
from app.meetings.registration import feed_meetings, registration_for
from app.meetings.views import can_manage, visible_meeting_or_404
from app.models import User
from app.permissions import member_required


def _ics_response(body: bytes, filename: str | None = None):
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The file differs by person (the online link), so no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


@bp.get("/<int:meeting_id>.ics")
@bp.get("/<int:meeting_id>/calendar.ics")
def calendar(meeting_id: int):
    """The meeting as an .ics file; the online link only for registered members and facilitators."""
    meeting = visible_meeting_or_404(meeting_id)
    with_link = can_manage()
    if not with_link and current_user.is_authenticated:
        registration = registration_for(meeting.id, current_user.id)
        with_link = registration is not None and registration.is_registered
    body = build_calendar([meeting], with_links={meeting.id} if with_link else set())
    return _ics_response(body, f"meeting-{meeting.id}.ics")


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """A member's private feed of the meetings they have a place at, with joining links.

    No login: the unguessable token is the credential. Unknown or reset tokens get 404.
    """
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.active:
        abort(404)
    meetings = feed_meetings(user)
    body = build_calendar(
        meetings, with_links={m.id for m in meetings}, name="Roundtable: my meetings"
    )
    return _ics_response(body)


@bp.post("/feed/reset")
@member_required
def reset_feed():
    """Give the member a new private feed link; the old one stops working at once."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    had_link = current_user.calendar_token is not None
    current_user.calendar_token = secrets.token_urlsafe(24)
    db.session.commit()
    message = (
        "Your calendar link has been replaced. The old link no longer works."
        if had_link
        else "Your calendar link is ready."
    )
    if is_partial_request():
        return render_template(
            "meetings/_feed.html",
            feed_url=external_url("meetings.feed", token=current_user.calendar_token),
            announce=message,
        )
    flash(message, "success")
    return redirect(url_for(".index", _anchor="calendar-feed"))
