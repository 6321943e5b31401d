"""Registering and cancelling (one button, in place with htmx), and the registrants list."""

import csv
import io

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.csvsafe import spreadsheet_safe  # shared by every CSV export
from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request
from app.meetings import bp
from app.meetings import registration as registrations
from app.meetings.registration import RegistrationClosed
from app.meetings.views import csv_response, render_meeting, visible_meeting_or_404
from app.permissions import can_participate, facilitator_required, member_required
from app.timeutil import to_london

PER_PAGE = 25


def _answer(meeting, message: str):
    """htmx: the panel re-rendered in place, announcing message. Otherwise: flash and redirect."""
    if is_partial_request():
        return render_meeting(meeting, announce=message)
    flash(message, "success")
    return redirect(
        url_for(".meeting", meeting_id=meeting.id, _anchor=f"registration-{meeting.id}")
    )


def _closed(meeting, message: str):
    """409 Conflict and nothing changed: the page (or panel) says why registration is closed."""
    announce = message if is_partial_request() else None
    return render_meeting(meeting, status=409, notice=message, announce=announce)


@bp.post("/<int:meeting_id>/register")
@member_required
def register(meeting_id: int):
    """Give the member a place, or a place on the waiting list when the meeting is full.

    Never over-books: see app.meetings.registration. Registering twice changes nothing.
    """
    meeting = visible_meeting_or_404(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if not can_participate(user):
        # Moderation: a suspended member can read, but not register (403, nothing changed).
        message = "You cannot register for meetings while you are suspended."
        return render_meeting(
            meeting,
            status=403,
            notice=message,
            announce=message if is_partial_request() else None,
        )
    try:
        registrations.register(meeting, user)
        db.session.commit()
    except RegistrationClosed as closed:
        db.session.rollback()
        return _closed(meeting, str(closed))
    except IntegrityError:
        # The same member's other request registered first; theirs stands.
        db.session.rollback()
    registration = registrations.registration_for(meeting.id, user.id)
    if registration is not None and registration.is_waitlisted:
        position = registrations.waiting_position(registration)
        message = f"The meeting is full. You are number {position} on the waiting list."
    else:
        message = f"You are registered for \u201c{meeting.title}\u201d."
    return _answer(meeting, message)


@bp.post("/<int:meeting_id>/unregister")
@member_required
def unregister(meeting_id: int):
    """Give up the member's place (the first person waiting gets it) or leave the waiting list."""
    meeting = visible_meeting_or_404(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        removed, promoted = registrations.unregister(meeting, current_user._get_current_object())
        registrations.send_promotion_emails(meeting, promoted)
        db.session.commit()
    except RegistrationClosed as closed:
        db.session.rollback()
        return _closed(meeting, str(closed))
    if removed is None:
        message = "You were not registered for this meeting."
    elif removed.is_waitlisted:
        message = "You have left the waiting list."
    else:
        message = "Your registration is cancelled."
    return _answer(meeting, message)


@bp.get("/<int:meeting_id>/registrants")
@facilitator_required
def registrants(meeting_id: int):
    """Who is registered and who is waiting, in order, 25 a page (facilitators only)."""
    meeting = visible_meeting_or_404(meeting_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = db.paginate(
        registrations.registrants_query(meeting.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    # Registered rows come first, so a waiting row's place in the queue follows from its index.
    first_index = (pagination.page - 1) * PER_PAGE
    rows = [
        (r, first_index + i - meeting.registered_count + 1 if r.is_waitlisted else None)
        for i, r in enumerate(pagination.items)
    ]
    return render_template(
        "meetings/registrants.html",
        meeting=meeting,
        rows=rows,
        pagination=pagination,
        page_url=lambda n: url_for(".registrants", meeting_id=meeting.id, page=n),
    )


@bp.get("/<int:meeting_id>/registrants.csv")
@facilitator_required
def registrants_csv(meeting_id: int):
    """Every registrant and waiting-list entry as CSV, safe to open in a spreadsheet."""
    meeting = visible_meeting_or_404(meeting_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "organisation", "place", "status", "registered at"])
    for r in db.session.scalars(registrations.registrants_query(meeting.id)):
        local = to_london(r.created_at)
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                r.user.display_name,
                r.user.email,
                r.user.organisation or "",
                r.user.place or "",
                "registered" if r.is_registered else "waiting list",
                f"{local:%Y-%m-%d %H:%M} {local.tzname()}",
            )
        )
    return csv_response(out.getvalue(), f"meeting-{meeting.id}-registrants.csv")
