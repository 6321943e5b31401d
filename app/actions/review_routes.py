"""The actions review at a meeting: facilitators go through the open actions of the series'
earlier meetings (and those closed since its last meeting) and record each outcome on the
action's timeline. The review is shown here, and on the agenda's actions review item."""

from urllib.parse import urldefrag

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.actions import bp, reviews, services
from app.actions.forms import ReviewForm
from app.extensions import db
from app.htmx import is_partial_request, retarget
from app.models import Action, Meeting, MeetingStatus
from app.permissions import facilitator_required, safe_next


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _back(meeting: Meeting, action_id: int | None = None) -> str:
    """Where a plain (no-JS) review form returns: the page it came from (its `next` field: the
    agenda, the present view) when that is a path on this site, else the review page."""
    default = url_for("actions.review", meeting_id=meeting.id)
    page = urldefrag(safe_next(request.form.get("next"), default)).url
    return f"{page}#review-{action_id}" if action_id else page


def _level() -> int:
    """The heading level of the list the form came from (its items are one below), 2 to 5."""
    level = request.form.get("level", type=int)
    return level if level in (2, 3, 4, 5) else 2


def _review_page(meeting: Meeting, entries, *, status: int = 200, form=None):
    return render_template(
        "actions/review.html",
        meeting=meeting,
        review_actions=entries,
        form=form,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    ), status


@bp.get("/review/<int:meeting_id>")
@facilitator_required
def review(meeting_id: int):
    """The actions review for a meeting: open actions of the series' earlier meetings with
    their latest update, each marked reviewed with its outcome once done (three queries)."""
    meeting = _meeting_or_404(meeting_id)
    return _review_page(meeting, reviews.actions_for_review(meeting))


@bp.post("/review/<int:meeting_id>/<int:action_id>")
@facilitator_required
def record_review(meeting_id: int, action_id: int):
    """Mark one action reviewed at the meeting with its outcome (kept on the action's
    timeline, once per meeting). htmx gets the item back in place, focused on the outcome, with
    the list's progress updated; without JavaScript, back to the page the form was on."""
    meeting = _meeting_or_404(meeting_id)
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    form = ReviewForm(prefix=f"review-{action.id}")
    entries = reviews.actions_for_review(meeting)
    entry = next((e for e in entries if e.action.id == action.id), None)
    if entry is None:
        abort(404)  # not an action for review at this meeting
    problem = None
    if form.validate_on_submit():
        try:
            entry.review = reviews.record_review(action, meeting, current_user, form.outcome.data)
        except services.ActionProblem as refused:
            db.session.rollback()
            problem = str(refused)
        else:
            db.session.commit()
            message = f"\u201c{action.title}\u201d is marked reviewed."
            if is_partial_request():
                progress = (sum(1 for e in entries if e.reviewed), len(entries))
                return _item(meeting, entry, focus=True, progress=progress)
            flash(message, "success")
            return redirect(_back(meeting, action.id))
    if problem:
        entries = reviews.actions_for_review(meeting)
        entry = next(e for e in entries if e.action.id == action.id)
        if is_partial_request():
            return _item(meeting, entry, status=409, announce=problem)
        flash(problem, "info")
        return redirect(_back(meeting))
    entry.form = form
    if is_partial_request():
        return _item(meeting, entry, status=422)
    return _review_page(meeting, entries, status=422, form=form)


def _item(
    meeting,
    entry,
    *,
    status: int = 200,
    announce: str | None = None,
    focus=False,
    progress: tuple[int, int] | None = None,
):
    """One review item alone, for htmx (retargeted to its own place when it is an error), at
    the heading level of the list it came from, keeping the page it came from."""
    response = make_response(
        render_template(
            "actions/_review_item.html",
            meeting=meeting,
            entry=entry,
            review_announce=announce,
            review_focus=focus,
            review_progress=progress,
            level=_level(),
            review_next=safe_next(request.form.get("next"), ""),
        ),
        status,
    )
    response.vary.add("HX-Request")
    if status >= 400:
        retarget(response, f"#review-{entry.action.id}", swap="outerHTML")
    return response
