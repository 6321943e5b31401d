"""The record a meeting leaves: minutes (Markdown), the meeting pack, attendance, and carrying
questions not reached forward to the next meeting."""

import re

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from app.agenda import bp, queries, running, services
from app.agenda.forms import AttendanceForm, CarryForm
from app.agenda.services import Refused
from app.agenda.views import (
    STATUS_LABELS,
    agenda_context,
    can_edit,
    candidate_or_404,
    editable_meeting_or_404,
    meeting_or_404,
    render,
    review_actions_for,
    sees_actions,
)
from app.extensions import db
from app.models import Meeting
from app.permissions import facilitator_required
from app.timeutil import to_london


def record_context(meeting: Meeting, *, pack: bool = False) -> dict:
    """The agenda as a record (pack and minutes), or 404 when the person may not read it.

    For members, the pack has the actions for review and the actions from this meeting
    (app.actions.reviews.pack_actions, five queries), which its actions review item shows too;
    the minutes load the review's entries only when the agenda has that item. Visitors see no
    actions, and cost no query for them.
    """
    agenda = queries.agenda_for(meeting.id)
    if not (can_edit() or (agenda is not None and agenda.is_published)):
        abort(404)
    items = queries.items_of(agenda)
    actions = services.pack_actions(meeting) if pack and sees_actions() else None
    return {
        "meeting": meeting,
        "agenda": agenda,
        "items": items,
        "total": sum(item.minutes for item in items),
        "length": queries.meeting_minutes(meeting),
        "phase": meeting.phase(),
        "status_labels": STATUS_LABELS,
        "is_facilitator": can_edit(),
        "not_taken": queries.not_taken_for(meeting.id),
        "sees_actions": sees_actions(),
        "pack_actions": actions,
        "review_actions": (
            actions.review if actions is not None else review_actions_for(meeting, items)
        ),
    }


def _slug(title: str) -> str:
    """'Using data well!' -> 'using-data-well', for file names."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "meeting"


def markdown_download(text: str, meeting: Meeting, kind: str):
    """A UTF-8 Markdown file named after the meeting's date and title."""
    day = to_london(meeting.starts_at).date().isoformat()
    response = make_response(text)
    response.headers["Content-Type"] = "text/markdown; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{kind}-{day}-{_slug(meeting.title)}.md"'
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<int:meeting_id>/minutes.md")
def minutes_md(meeting_id: int):
    """The agenda with each item's status and outcome, as a Markdown file (published agendas,
    or any agenda for facilitators)."""
    meeting = meeting_or_404(meeting_id)
    text = render_template("agenda/minutes.md", **record_context(meeting))
    return markdown_download(text, meeting, "minutes")


@bp.get("/<int:meeting_id>/pack")
def pack(meeting_id: int):
    """The meeting pack on one printable page: the agenda with the questions behind each item,
    outcomes once the meeting is over, and for members the actions for review and the actions
    from this meeting (a fixed number of queries)."""
    meeting = meeting_or_404(meeting_id)
    return render_template("agenda/pack.html", **record_context(meeting, pack=True))


@bp.get("/<int:meeting_id>/pack.md")
def pack_md(meeting_id: int):
    """The meeting pack as a Markdown file, to send out before the meeting."""
    meeting = meeting_or_404(meeting_id)
    text = render_template("agenda/pack.md", **record_context(meeting, pack=True))
    return markdown_download(text, meeting, "pack")


@bp.post("/<int:meeting_id>/attendance")
@facilitator_required
def attendance(meeting_id: int):
    """Record how many people took part (a whole number; errors 422 next to the field)."""
    meeting = editable_meeting_or_404(meeting_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        number = int(form.attendance.data)
        running.record_attendance(meeting, number)
        db.session.commit()
        people = "person" if number == 1 else "people"
        flash(f"Recorded that {number} {people} took part.", "success")
        return redirect(url_for("agenda.agenda", meeting_id=meeting.id, _anchor="attendance"))
    context = agenda_context(meeting, attendance_form=form, form=form)
    return render("agenda/agenda.html", None, status=422, **context)


@bp.route("/<int:meeting_id>/questions/<int:post_id>/carry", methods=("GET", "POST"))
@facilitator_required
def carry(meeting_id: int, post_id: int):
    """Carry a question not reached forward to a board of the series' next meeting, with its
    votes and replies (the same theme's board is offered first); a link leads back."""
    meeting = editable_meeting_or_404(meeting_id)
    post = candidate_or_404(meeting, post_id)
    back = url_for("agenda.agenda", meeting_id=meeting.id, _anchor="not-reached")
    if meeting.phase() != "after":
        flash("You can carry questions forward once the meeting is over.", "info")
        return redirect(back)
    upcoming = queries.next_meeting(meeting)
    if upcoming is None:
        flash(
            "There is no next meeting in this series yet: plan it, then carry questions to it.",
            "info",
        )
        return redirect(back)
    boards = queries.boards_of(upcoming.id)
    # The board of the question's own theme first: it is the natural place to carry it.
    boards.sort(key=lambda board: board.theme_id != post.board.theme_id)
    form = CarryForm()
    form.board.choices = [(board.id, board.theme.title) for board in boards]
    if form.validate_on_submit():
        board = next(board for board in boards if board.id == form.board.data)
        title, votes = post.title, post.vote_count
        try:
            running.carry_forward(meeting, post, board, current_user)
        except Refused as problem:
            db.session.rollback()
            flash(f"{problem}.", "info")
            return redirect(back)
        db.session.commit()
        noun = "vote" if votes == 1 else "votes"
        flash(
            f"“{title}” was carried forward to {upcoming.title} with its {votes} {noun}.", "success"
        )
        return redirect(back)
    status = 422 if form.errors else 200
    return render_template(
        "agenda/carry.html",
        meeting=meeting,
        post=post,
        upcoming=upcoming,
        same=next((b for b in boards if b.theme_id == post.board.theme_id), None),
        boards=boards,
        form=form,
        back_url=back,
    ), status
