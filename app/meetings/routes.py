"""Meetings pages: the list, a meeting, and planning them (create, edit, publish, cancel)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.forms import EmptyForm
from app.mail import external_url
from app.meetings import bp, services
from app.meetings.forms import CancelMeetingForm, MeetingForm
from app.meetings.registration import send_promotion_emails
from app.meetings.services import MeetingDetails, ThemeInUse, WrongState
from app.meetings.views import (
    can_manage,
    meeting_lists,
    render_meeting,
    series_or_404,
    visible_meeting_or_404,
)
from app.models import Series
from app.permissions import facilitator_required


def _page(name: str) -> int:
    return max(request.args.get(name, 1, type=int) or 1, 1)


@bp.get("/")
def index():
    """Upcoming meetings (soonest first) and past ones (newest first), grouped by series.

    Drafts appear only for facilitators; the number of SQL statements does not grow with the
    number of meetings (views.meeting_lists: the lists are kept, and drawn again only when
    what they show has changed).
    """
    manager = can_manage()
    upcoming_page, past_page = _page("upcoming_page"), _page("page")
    lists_html, upcoming, past = meeting_lists(manager, upcoming_page, past_page)
    token = current_user.calendar_token if current_user.is_authenticated else None
    return render_template(
        "meetings/index.html",
        lists_html=lists_html,
        upcoming=upcoming,
        past=past,
        can_manage=manager,
        all_series=db.session.scalars(select(Series).order_by(Series.title).limit(100)).all()
        if manager
        else [],
        feed_url=external_url("meetings.feed", token=token) if token else None,
        announce=None,
    )


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int):
    """A meeting for everyone (drafts only for facilitators): when, what, boards, registration.

    htmx gets the registration panel alone (the same fragment the register buttons return).
    """
    return render_meeting(visible_meeting_or_404(meeting_id))


def _details(form: MeetingForm) -> MeetingDetails:
    return MeetingDetails(
        title=form.title.data,
        description=form.description.data or "",
        starts_at=form.starts_at,
        ends_at=form.ends_at,
        online_url=form.online_url.data or "",
        venue=form.venue.data or "",
        capacity=form.capacity_value,
        theme_ids=list(form.themes.data or []),
        new_theme=form.new_theme.data or "",
    )


def _theme_choices(form: MeetingForm, series: Series) -> None:
    form.themes.choices = [(theme.id, theme.title) for theme in series.themes]


@bp.route("/series/<int:series_id>/meetings/new", methods=("GET", "POST"))
@facilitator_required
def create(series_id: int):
    """Plan a new meeting in the series; it is saved as a draft nobody else sees yet."""
    series = series_or_404(series_id)
    form = MeetingForm()
    _theme_choices(form, series)
    if form.validate_on_submit():
        meeting = services.create_meeting(series, _details(form), current_user)
        db.session.commit()
        flash(f"Draft saved for {meeting.when}. Publish it when it is ready.", "success")
        return redirect(url_for(".meeting", meeting_id=meeting.id))
    status = 422 if form.errors else 200
    return render_template("meetings/form.html", form=form, series=series, meeting=None), status


@bp.route("/<int:meeting_id>/edit", methods=("GET", "POST"))
@facilitator_required
def edit(meeting_id: int):
    """Change a meeting's details; its calendar SEQUENCE goes up and freed places are filled."""
    meeting = visible_meeting_or_404(meeting_id)
    if meeting.is_cancelled:
        flash("A cancelled meeting cannot be changed.", "info")
        return redirect(url_for(".meeting", meeting_id=meeting.id))
    form = MeetingForm()
    _theme_choices(form, meeting.series)
    if request.method == "GET":
        form.fill_from(meeting)
    elif form.validate_on_submit():
        try:
            promoted = services.update_meeting(meeting, _details(form), current_user)
        except ThemeInUse as problem:
            db.session.rollback()
            form.themes.errors.append(
                f"You cannot remove \u201c{problem.theme.title}\u201d: its board already has posts"
            )
        else:
            send_promotion_emails(meeting, promoted)
            db.session.commit()
            flash(f"Meeting saved: {meeting.when}.", "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    status = 422 if form.errors else 200
    return render_template(
        "meetings/form.html", form=form, series=meeting.series, meeting=meeting
    ), status


@bp.post("/<int:meeting_id>/publish")
@facilitator_required
def publish(meeting_id: int):
    """Publish a draft: everyone can see it and members can register."""
    meeting = visible_meeting_or_404(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.publish(meeting, current_user)
    except WrongState:
        flash("Only a draft meeting can be published.", "info")
    else:
        db.session.commit()
        flash("Meeting published: members can now register.", "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/cancel", methods=("GET", "POST"))
@facilitator_required
def cancel(meeting_id: int):
    """Cancel a published meeting with a reason; registration closes and registrants are emailed."""
    meeting = visible_meeting_or_404(meeting_id)
    if not meeting.is_published:
        flash("Only a published meeting can be cancelled.", "info")
        return redirect(url_for(".meeting", meeting_id=meeting.id))
    form = CancelMeetingForm()
    if form.validate_on_submit():
        try:
            registrants = services.cancel(meeting, current_user, form.reason.data)
        except WrongState:
            db.session.rollback()
            flash("Only a published meeting can be cancelled.", "info")
            return redirect(url_for(".meeting", meeting_id=meeting.id))
        services.send_cancellation_emails(meeting, registrants)
        db.session.commit()
        people = "person" if len(registrants) == 1 else "people"
        flash(
            f"Meeting cancelled. We emailed the {len(registrants)} {people} registered or waiting.",
            "success",
        )
        return redirect(url_for(".meeting", meeting_id=meeting.id))
    status = 422 if form.errors else 200
    return render_template("meetings/cancel.html", form=form, meeting=meeting), status
