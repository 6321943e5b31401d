"""Insights: facilitators' pages of figures per series and per meeting (charts, tables, CSV),
the narrative and pins beside them, and the member-facing summary published from them."""

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.htmx import hx_trigger, is_partial_request, render_page_or_fragment
from app.insights import bp, queries, services, story, views
from app.insights.forms import NarrativeForm, PinForm
from app.permissions import facilitator_required, member_required, require, safe_next

STALE = (
    "Someone else saved the narrative while you were writing. Their version is shown above "
    "the box; your text is kept in it. Save again to replace theirs"
)


@bp.get("/series/<int:series_id>")
@facilitator_required
def series(series_id: int):
    """A series' figures meeting by meeting and across it, as charts with their tables, in a
    fixed number of queries however much happened (facilitators and admins only)."""
    series = views.series_or_404(series_id)
    return render_template("insights/series.html", **views.series_context(series))


@bp.get("/series/<int:series_id>.csv")
@facilitator_required
def series_csv(series_id: int):
    """The series' figures as a CSV download: aggregate numbers only, formula-safe."""
    return views.series_csv(views.series_or_404(series_id))


@bp.get("/meetings/<int:meeting_id>")
@facilitator_required
def meeting(meeting_id: int):
    """A meeting's figures, charts and tables, with the narrative, the pinned posts and a page
    of the meeting's posts to pin, in a fixed number of queries (facilitators and admins)."""
    meeting = views.meeting_or_404(meeting_id)
    return render_template("insights/meeting.html", **views.meeting_context(meeting))


@bp.get("/meetings/<int:meeting_id>.csv")
@facilitator_required
def meeting_csv(meeting_id: int):
    """The meeting's figures as a CSV download: aggregate numbers only, formula-safe."""
    return views.meeting_csv(views.meeting_or_404(meeting_id))


def _narrative_answer(meeting, form: NarrativeForm, *, status: int = 200, saved=False):
    context = views.meeting_context(meeting, form=form, saved=saved)
    return render_page_or_fragment(
        "insights/meeting.html", "insights/_narrative.html", status=status, **context
    )


@bp.post("/meetings/<int:meeting_id>/narrative")
@facilitator_required
def narrative(meeting_id: int):
    """Save the meeting's narrative (Markdown rendered now). Errors, and a colleague's save
    made meanwhile, come back next to the box (422) with the text kept; htmx gets the narrative
    fragment, a plain form is redirected back to the page."""
    meeting = views.meeting_or_404(meeting_id)
    form = NarrativeForm()
    if not form.validate_on_submit():
        return _narrative_answer(meeting, form, status=422)
    try:
        services.save_narrative(meeting, form.narrative.data, current_user, form.loaded_version)
    except services.StaleNarrative:
        db.session.commit()  # keeps nothing but a first insight row, if this request made it
        current = story.insight_for(meeting.id)
        form.version.data = str(current.version if current else 0)
        form.narrative.errors = [STALE]
        return _narrative_answer(meeting, form, status=422)
    db.session.commit()
    if is_partial_request():
        fresh = views.narrative_form(story.insight_for(meeting.id))
        return _narrative_answer(meeting, fresh, saved=True)
    flash("Narrative saved.", "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="narrative"))


@bp.get("/meetings/<int:meeting_id>/pins")
@facilitator_required
def pins(meeting_id: int):
    """The meeting's pinned posts: the fragment the insights page reloads after a post is
    pinned from its list; a whole-page request goes to the insights page itself."""
    meeting = views.meeting_or_404(meeting_id)
    if not is_partial_request():
        return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="pins"))
    return render_template(
        "insights/_pins.html",
        meeting=meeting,
        pins=story.pins_for(meeting.id),
        next_url=url_for(".meeting", meeting_id=meeting.id),
        phase_labels=views.charts.PHASE_LABELS,
    )


@bp.post("/posts/<int:post_id>/pin")
@facilitator_required
def pin(post_id: int):
    """Pin a post members can read to its meeting's insights, or unpin it (`pin=0`): the form
    says which, so a double submit changes nothing. htmx gets the control back (200) and the
    insights page is told to refresh its pins; a plain form goes back to `next`."""
    post = views.post_or_404(post_id)
    form = PinForm()
    if not form.validate_on_submit():
        abort(400)
    want = form.wants_pin
    if want:
        try:
            services.pin(post, current_user)
        except services.NotPinnable:
            require(False)
        message = "Pinned to the meeting's insights."
    else:
        services.unpin(post)
        message = "Taken off the meeting's insights."
    db.session.commit()
    meeting_id = post.board.meeting_id
    back = safe_next(form.next.data, url_for(".meeting", meeting_id=meeting_id))
    if is_partial_request():
        response = render_template(
            "insights/_pin.html",
            pin=views.pin_context(post, pinned=want, next_url=back),
            announce=message,
        )
        return hx_trigger(make_response(response), "insightPinsChanged")
    flash(message, "success")
    return redirect(back)


@bp.post("/meetings/<int:meeting_id>/publish")
@facilitator_required
def publish(meeting_id: int):
    """Publish the member-facing summary (or update it): the narrative and the figures as
    they are now, frozen, with the pinned posts quoted without names."""
    meeting = views.meeting_or_404(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    report = queries.meeting_report(meeting, views.today())
    try:
        first = services.publish(meeting, report, current_user)
    except services.NothingToPublish:
        flash("Write and save a narrative before you publish the summary.", "info")
        return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="narrative"))
    db.session.commit()
    flash("Summary published: members can read it now." if first else "Summary updated.", "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="summary"))


@bp.post("/meetings/<int:meeting_id>/withdraw")
@facilitator_required
def withdraw(meeting_id: int):
    """Take the summary back to a draft: members can no longer read it."""
    meeting = views.meeting_or_404(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.withdraw(meeting, current_user):
        db.session.commit()
        flash("Summary withdrawn: members can no longer read it.", "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="summary"))


@bp.get("/meetings/<int:meeting_id>/summary")
@member_required
def summary(meeting_id: int):
    """The meeting's published summary for members: aggregate numbers, the narrative and the
    pinned posts without names. Facilitators also see a preview before it is published;
    members get 404 until then."""
    meeting = views.meeting_or_404(meeting_id)
    context = views.summary_context(meeting)
    if context is None:
        abort(404)
    return render_template("insights/summary.html", **context)
