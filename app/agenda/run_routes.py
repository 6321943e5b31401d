"""Running the meeting from its agenda: the facilitator's present view and members' live region."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.agenda import bp, queries, running
from app.agenda.forms import OutcomeForm
from app.agenda.services import ItemGone, Refused
from app.agenda.views import (
    STATUS_LABELS,
    agenda_or_404,
    can_edit,
    editable_meeting_or_404,
    item_or_404,
    live_context,
    meeting_or_404,
    review_actions_for,
    time_left_text,
)
from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request, retarget
from app.models import AgendaItem, Meeting, MeetingStatus
from app.notifications import services as notify
from app.permissions import facilitator_required


def outcome_form(item: AgendaItem | None, formdata=None) -> OutcomeForm | None:
    """The outcome form of item; its prefix keeps ids unique and tied to the item."""
    if item is None:
        return None
    if formdata is None:
        return OutcomeForm(formdata=None, prefix=f"outcome-{item.id}", data={"notes": item.notes})
    return OutcomeForm(prefix=f"outcome-{item.id}")


def present_context(meeting: Meeting, **extra) -> dict:
    """The present view: current item, its neighbours, time left, every item (two queries), and
    when the current item is the actions review, its entries with their review forms."""
    agenda = queries.agenda_for(meeting.id)
    items = queries.items_of(agenda)
    current = None
    if agenda is not None and agenda.current_item_id is not None:
        current = next((i for i in items if i.id == agenda.current_item_id), None)
    index = items.index(current) if current else None
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "items": items,
        "current": current,
        "position": index + 1 if current else None,
        "previous": items[index - 1] if current and index > 0 else None,
        "next": items[index + 1] if current and index + 1 < len(items) else None,
        "first": items[0] if items and not current else None,
        "time_left": time_left_text(current),
        "status_labels": STATUS_LABELS,
        "phase": meeting.phase(),
        "is_facilitator": True,
        "can_edit": can_edit() and not meeting.is_cancelled,
        "form": outcome_form(current),
        "announce": None,
        "partial": is_partial_request(),
        "review_actions": review_actions_for(meeting, [current] if current else []),
    }
    context.update(extra)
    return context


def _present_answer(meeting: Meeting, message: str, **extra):
    """htmx: the present view in place with message announced; otherwise back to it (PRG)."""
    if is_partial_request():
        return render_template(
            "agenda/_present.html", **present_context(meeting, announce=message, **extra)
        )
    flash(message, "info")
    return redirect(url_for("agenda.present", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/present")
@facilitator_required
def present(meeting_id: int):
    """The facilitator's view during the meeting: the current item large with the time left on
    it (worked out on the server), previous and next, its status and its outcome notes."""
    meeting = meeting_or_404(meeting_id)
    return render_template("agenda/present.html", **present_context(meeting))


@bp.post("/<int:meeting_id>/items/<int:item_id>/start")
@facilitator_required
def start_item(meeting_id: int, item_id: int):
    """Make an item the current one; its clock starts the first time."""
    meeting = editable_meeting_or_404(meeting_id)
    item = item_or_404(meeting, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        running.start_item(agenda_or_404(meeting), item)
    except ItemGone:
        db.session.rollback()
        abort(404)
    title = item.title
    db.session.commit()
    return _present_answer(meeting, f"Now on {title}.")


@bp.post("/<int:meeting_id>/advance")
@facilitator_required
def advance(meeting_id: int):
    """Go to the next (direction=next) or previous item and start its clock."""
    meeting = editable_meeting_or_404(meeting_id)
    direction = request.form.get("direction")
    if direction not in ("next", "previous"):
        abort(400)
    agenda = agenda_or_404(meeting)
    try:
        item = running.advance(agenda, direction)
    except Refused as problem:
        db.session.rollback()
        return _present_answer(meeting, f"{problem}.")
    title, item_id = item.title, item.id
    db.session.commit()
    position = [i.id for i in queries.items_of(agenda)].index(item_id) + 1
    return _present_answer(meeting, f"Now on item {position}: {title}.")


@bp.post("/<int:meeting_id>/items/<int:item_id>/status")
@facilitator_required
def set_status(meeting_id: int, item_id: int):
    """Mark an item discussed, skipped, or planned again (status=...)."""
    meeting = editable_meeting_or_404(meeting_id)
    item = item_or_404(meeting, item_id)
    status = request.form.get("status")
    if status not in STATUS_LABELS:
        abort(400)
    if not EmptyForm().validate_on_submit():
        abort(400)
    running.set_status(item, status)
    notify.question_discussed(item, current_user)
    title = item.title
    db.session.commit()
    return _present_answer(meeting, f"Marked {title} as {STATUS_LABELS[status].lower()}.")


@bp.post("/<int:meeting_id>/items/<int:item_id>/outcome")
@facilitator_required
def outcome(meeting_id: int, item_id: int):
    """Save an item's outcome notes (Markdown, rendered once now); errors 422, text kept."""
    meeting = editable_meeting_or_404(meeting_id)
    item = item_or_404(meeting, item_id)
    form = outcome_form(item, formdata=True)
    if form.validate_on_submit():
        running.save_outcome(item, form.notes.data or "")
        title = item.title
        db.session.commit()
        return _present_answer(meeting, f"Outcome saved for {title}.")
    context = present_context(meeting, form=form, form_item=item)
    template = "agenda/_present.html" if is_partial_request() else "agenda/present.html"
    response = current_app.make_response((render_template(template, **context), 422))
    if is_partial_request():
        retarget(response, f"#present-{meeting.id}", swap="outerHTML")
    return response


@bp.get("/<int:meeting_id>/live")
def live(meeting_id: int):
    """The current item for members' meeting pages, polled while the meeting runs. The ETag
    comes from the agenda's version (one query): unchanged, it is a 304 with no rendering."""
    state = queries.live_state(meeting_id)
    if state is None or (state.meeting_status == MeetingStatus.DRAFT and not can_edit()):
        abort(404)
    etag = f"agenda-{meeting_id}-{state.version}-{state.phase()}-{int(state.published)}"
    if request.if_none_match.contains(etag):
        return _cache_headers(current_app.response_class(status=304), etag)
    meeting = db.session.get(Meeting, meeting_id)
    agenda = queries.agenda_for(meeting_id)
    items = queries.items_of(agenda) if agenda is not None and agenda.is_published else []
    response = current_app.make_response(
        render_template("agenda/_live.html", live=live_context(meeting, agenda, items))
    )
    return _cache_headers(response, etag)


def _cache_headers(response, etag: str):
    response.set_etag(etag)
    # Kept by the browser but checked every time; private: drafts are not for everyone.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
