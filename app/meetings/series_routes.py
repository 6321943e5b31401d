"""Series and their themes: the page listing a series' meetings, creating series and themes."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.meetings import bp, services
from app.meetings.forms import SeriesForm, ThemeForm
from app.meetings.views import can_manage, series_or_404
from app.models import Meeting, MeetingStatus
from app.permissions import facilitator_required

PER_PAGE = 25


def _series_page(series, theme_form, status=200):
    """The series page: its description, themes and meetings (newest first, paginated)."""
    shown = [MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]
    if can_manage():
        shown.append(MeetingStatus.DRAFT)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    meetings = db.paginate(
        select(Meeting)
        .where(Meeting.series_id == series.id, Meeting.status.in_(shown))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "meetings/series.html",
        series=series,
        themes=series.themes,
        meetings=meetings,
        pagination=meetings,
        page_url=lambda n: url_for(".series", series_id=series.id, page=n),
        can_manage=can_manage(),
        form=theme_form,
    ), status


@bp.get("/series/<int:series_id>")
def series(series_id: int):
    """A series for everyone: what it is about, its themes and its meetings."""
    series = series_or_404(series_id)
    return _series_page(series, ThemeForm(formdata=None) if can_manage() else None)


@bp.route("/series/new", methods=("GET", "POST"))
@facilitator_required
def new_series():
    """Start a new series of meetings (title and description)."""
    form = SeriesForm()
    if form.validate_on_submit():
        series = services.create_series(form.title.data, form.description.data or "", current_user)
        db.session.commit()
        flash(f"Series \u201c{series.title}\u201d created. Add its themes next.", "success")
        return redirect(url_for(".series", series_id=series.id))
    status = 422 if form.errors else 200
    return render_template("meetings/series_form.html", form=form), status


@bp.post("/series/<int:series_id>/themes")
@facilitator_required
def add_theme(series_id: int):
    """Add a theme to the series (an existing title, in any case, is not added twice)."""
    series = series_or_404(series_id)
    form = ThemeForm()
    if not form.validate_on_submit():
        return _series_page(series, form, status=422)
    theme = services.add_theme(
        series, form.title.data, current_user, description=form.description.data or ""
    )
    db.session.commit()
    flash(f"Theme \u201c{theme.title}\u201d is ready to choose for a meeting.", "success")
    return redirect(url_for(".series", series_id=series.id))
