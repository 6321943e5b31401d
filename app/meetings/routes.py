"""Meetings pages: the list, a meeting, and planning them (create, edit, publish, cancel)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.forms import EmptyForm
from app.mail import external_url
from app.meetings import bp, services
from app.meetings.forms import CancelMeetingForm, MeetingForm
from app.meetings.registration import send_promotion_emails
from app.meetings.services import MeetingDetails, ThemeInUse, WrongState
from app.meetings.views import (
    can_manage,
    render_meeting,
    series_or_404,
    visible_meeting_or_404,
)
from app.models import Meeting, MeetingStatus, Registration, Series
from app.permissions import facilitator_required
from app.timeutil import utcnow

PER_PAGE = 25


def _page(name: str) -> int:
    return max(request.args.get(name, 1, type=int) or 1, 1)


def group_by_series(meetings: list[Meeting]) -> list[tuple[Series, list[Meeting]]]:
    """Consecutive meetings of the same series under one heading, keeping the query's order."""
    groups: list[tuple[Series, list[Meeting]]] = []
    for meeting in meetings:
        if groups and groups[-1][0].id == meeting.series_id:
            groups[-1][1].append(meeting)
        else:
            groups.append((meeting.series, [meeting]))
    return groups


@bp.get("/")
def index():
    """Upcoming meetings (soonest first) and past ones (newest first), grouped by series.

    Drafts appear only for facilitators; the number of SQL statements does not grow with the
    number of meetings (two paginated queries, the member's registrations for those pages).
    """
    manager = can_manage()
    now = utcnow()
    shown = [MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]
    if manager:
        shown.append(MeetingStatus.DRAFT)
    base = select(Meeting).where(Meeting.status.in_(shown)).options(joinedload(Meeting.series))
    # A series' group sits where its soonest (or, for the past, latest) meeting puts it.
    series_next = func.min(Meeting.starts_at).over(partition_by=Meeting.series_id)
    series_last = func.max(Meeting.starts_at).over(partition_by=Meeting.series_id)
    upcoming = db.paginate(
        base.where(Meeting.ends_at > now).order_by(
            series_next, Meeting.series_id, Meeting.starts_at, Meeting.id
        ),
        page=_page("upcoming_page"),
        per_page=PER_PAGE,
        error_out=False,
    )
    past = db.paginate(
        base.where(Meeting.ends_at <= now).order_by(
            series_last.desc(), Meeting.series_id, Meeting.starts_at.desc(), Meeting.id.desc()
        ),
        page=_page("page"),
        per_page=PER_PAGE,
        error_out=False,
    )
    mine = {}
    if current_user.is_authenticated:
        ids = [m.id for m in upcoming.items] + [m.id for m in past.items]
        if ids:
            mine = dict(
                db.session.execute(
                    select(Registration.meeting_id, Registration.status).where(
                        Registration.user_id == current_user.id, Registration.meeting_id.in_(ids)
                    )
                ).all()
            )
    token = current_user.calendar_token if current_user.is_authenticated else None
    return render_template(
        "meetings/index.html",
        upcoming=upcoming,
        upcoming_groups=group_by_series(upcoming.items),
        past=past,
        past_groups=group_by_series(past.items),
        mine=mine,
        can_manage=manager,
        all_series=db.session.scalars(select(Series).order_by(Series.title).limit(100)).all()
        if manager
        else [],
        feed_url=external_url("meetings.feed", token=token) if token else None,
        announce=None,
        upcoming_url=lambda n: url_for(".index", upcoming_page=n, page=past.page),
        past_url=lambda n: url_for(".index", page=n, upcoming_page=upcoming.page),
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
