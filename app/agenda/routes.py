"""Building the agenda: the page, candidate questions, free items, order, time, publishing."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.agenda import bp, services
from app.agenda.forms import ItemForm, NotTakenForm
from app.agenda.services import PRESETS, REVIEW_PRESET, ItemGone, Refused
from app.agenda.views import (
    agenda_context,
    candidate_or_404,
    editable_meeting_or_404,
    item_or_404,
    meeting_or_404,
    render,
)
from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request, retarget
from app.notifications import services as notify
from app.permissions import facilitator_required


def _back(meeting_id: int, anchor: str | None = None):
    return redirect(url_for("agenda.agenda", meeting_id=meeting_id, _anchor=anchor))


def _checked() -> None:
    """One-button forms carry only their CSRF token (checked app-wide; this keeps it explicit)."""
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.get("/<int:meeting_id>")
def agenda(meeting_id: int):
    """The meeting's agenda: for facilitators the ranked candidates (only they are returned to
    htmx's theme filter, HX-Target "candidates") and the draft; for everyone else the published
    agenda, or a note that it is not published yet. A fixed number of queries."""
    meeting = meeting_or_404(meeting_id)
    context = agenda_context(meeting)
    wants_candidates = request.headers.get("HX-Target") == "candidates"
    fragment = "agenda/_candidates.html" if wants_candidates and context["can_edit"] else None
    return render("agenda/agenda.html", fragment, **context)


@bp.post("/<int:meeting_id>/candidates/<int:post_id>/add")
@facilitator_required
def add_question(meeting_id: int, post_id: int):
    """Put a candidate question on the agenda, titled from it; sending it twice (or two
    facilitators at once) still makes one item. htmx gets the candidate back in place, focused
    on its new status, with the agenda updated out of band."""
    meeting = editable_meeting_or_404(meeting_id)
    post = candidate_or_404(meeting, post_id)
    _checked()
    item, created = services.add_question(meeting, post)
    notify.agenda_changed(meeting, current_user)
    title, item_id = item.title, item.id
    db.session.commit()
    if is_partial_request():
        context = agenda_context(meeting, post=post, focus_candidate=True, oob=True)
        return render_template("agenda/_candidate_changed.html", **context)
    if created:
        flash(f"Added “{title}” to the agenda. You can change its title and minutes.", "success")
    else:
        flash(f"“{title}” is already on the agenda.", "info")
    return _back(meeting.id, f"agenda-item-{item_id}")


@bp.post("/<int:meeting_id>/items")
@facilitator_required
def add_item(meeting_id: int):
    """Add a free item: a quick choice (preset=welcome, actions, break or close; welcome goes
    first) or a custom title and minutes, checked (422 with the text kept). The "actions"
    choice is the actions review, once per agenda: asking again finds the one already there."""
    meeting = editable_meeting_or_404(meeting_id)
    form = ItemForm(prefix="new-item")
    preset = request.form.get("preset")
    if preset:
        if preset not in PRESETS:
            abort(400)
        _checked()
        title, minutes, first = PRESETS[preset]
    elif form.validate_on_submit():
        title, minutes, first = form.title.data, form.minutes_value, False
    else:
        context = agenda_context(meeting, item_form=form, form=form)
        return render("agenda/agenda.html", "agenda/_add_item.html", status=422, **context)
    if preset == REVIEW_PRESET:
        item, created = services.add_actions_review(meeting)
    else:
        item, created = services.add_free_item(meeting, title, minutes, first=first), True
    item_id = item.id
    db.session.commit()
    if created:
        message = f"Added {title} to the agenda ({minutes} minutes)."
    else:
        message = f"{item.title} is already on the agenda."
    if is_partial_request():
        return render_template(
            "agenda/_item_added.html", **agenda_context(meeting, announce=message, oob=True)
        )
    flash(message, "success" if created else "info")
    return _back(meeting.id, f"agenda-item-{item_id}")


@bp.route("/<int:meeting_id>/items/<int:item_id>/edit", methods=("GET", "POST"))
@facilitator_required
def edit_item(meeting_id: int, item_id: int):
    """Change an item's title and minutes: its own page, or (htmx) the form in the item's
    place; saved, the agenda comes back with focus on the item (errors: 422, text kept)."""
    meeting = editable_meeting_or_404(meeting_id)
    item = item_or_404(meeting, item_id)
    if request.method == "GET":
        form = ItemForm(
            formdata=None,
            prefix="edit-item",
            data={"title": item.title, "minutes": str(item.minutes)},
        )
    else:
        form = ItemForm(prefix="edit-item")
        if form.validate_on_submit():
            services.edit_item(item, title=form.title.data, minutes=form.minutes_value)
            db.session.commit()
            if is_partial_request():
                context = agenda_context(meeting, focus_item=item.id)
                return render_template("agenda/_agenda.html", **context)
            flash("The item is saved.", "success")
            return _back(meeting.id, f"agenda-item-{item.id}")
    status = 422 if form.errors else 200
    context = {"meeting": meeting, "item": item, "form": form, "partial": is_partial_request()}
    response = render("agenda/edit_item.html", "agenda/_item_form.html", status=status, **context)
    if status == 422 and is_partial_request():
        # The form posts with the whole agenda as its target; errors go back in its own place.
        retarget(response, f"#agenda-item-{item.id}", swap="outerHTML")
    return response


@bp.post("/<int:meeting_id>/items/<int:item_id>/move")
@facilitator_required
def move_item(meeting_id: int, item_id: int):
    """Move an item one place (direction=up or down); positions stay 1..n whoever else is
    editing. htmx: the agenda in place (focus stays on the same button by its id) and
    "Moved <title> to position N of M" in the status region."""
    meeting = editable_meeting_or_404(meeting_id)
    item = item_or_404(meeting, item_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    _checked()
    title = item.title
    try:
        position, count, moved = services.move_item(item, direction)
    except ItemGone:
        db.session.rollback()
        abort(404)
    db.session.commit()
    if moved:
        message = f"Moved {title} to position {position} of {count}"
    else:
        message = f"{title} is already {'first' if direction == 'up' else 'last'}"
    if is_partial_request():
        return render_template("agenda/_agenda.html", **agenda_context(meeting, announce=message))
    flash(message, "info")
    return _back(meeting.id, f"agenda-item-{item_id}")


@bp.post("/<int:meeting_id>/items/<int:item_id>/remove")
@facilitator_required
def remove_item(meeting_id: int, item_id: int):
    """Take an item off the agenda (its question becomes a candidate again); the rest close up.
    htmx: the agenda in place, focused on a note saying what was removed."""
    meeting = editable_meeting_or_404(meeting_id)
    item = item_or_404(meeting, item_id)
    _checked()
    title = item.title
    try:
        services.remove_item(item)
    except ItemGone:
        db.session.rollback()
        abort(404)
    db.session.commit()
    message = f"Removed {title} from the agenda."
    if is_partial_request():
        return render_template("agenda/_agenda.html", **agenda_context(meeting, message=message))
    flash(message, "success")
    return _back(meeting.id, "agenda-items")


@bp.post("/<int:meeting_id>/fill")
@facilitator_required
def fill(meeting_id: int):
    """Add the top-voted questions not yet on the agenda until the meeting's time is used
    (one from each theme first), and the actions review when there are actions to review and
    it is not on the agenda yet; nothing is published, the facilitator reviews."""
    meeting = editable_meeting_or_404(meeting_id)
    _checked()
    added = services.fill_from_top(meeting)
    notify.agenda_changed(meeting, current_user)
    db.session.commit()
    questions = [item for item in added if item.is_question]
    review = "the actions review" if len(questions) < len(added) else ""
    if questions:
        noun = "question" if len(questions) == 1 else "questions"
        flash(
            f"Added {review + ' and ' if review else ''}{len(questions)} {noun} from the top "
            "of the boards. Review the agenda, then publish it when it is ready.",
            "success",
        )
    elif review:
        flash(
            "Added the actions review. No questions were added: the agenda already uses the "
            "meeting's time, or every candidate is on it or not taken.",
            "success",
        )
    else:
        flash(
            "No questions were added: the agenda already uses the meeting's time, or every "
            "candidate is on it or not taken.",
            "info",
        )
    return _back(meeting.id, "agenda-items")


def _candidate_answer(meeting, post, message: str, *, category="success", **extra):
    """The candidate in place for htmx (focused on its status), else back to the page."""
    if is_partial_request():
        context = agenda_context(meeting, post=post, focus_candidate=True, **extra)
        return render_template("agenda/_candidate_changed.html", **context)
    flash(message, category)
    return _back(meeting.id, f"candidate-{post.id}")


@bp.post("/<int:meeting_id>/candidates/<int:post_id>/not-taken")
@facilitator_required
def not_taken(meeting_id: int, post_id: int):
    """Mark a candidate "not taken this time" with a short reason members will see (required,
    200 characters at most; errors 422 next to the field, text kept)."""
    meeting = editable_meeting_or_404(meeting_id)
    post = candidate_or_404(meeting, post_id)
    form = NotTakenForm(prefix=f"not-taken-{post.id}")
    if form.validate_on_submit():
        try:
            services.mark_not_taken(meeting, post, form.reason.data, current_user)
        except Refused as problem:
            db.session.rollback()
            form.reason.errors.append(str(problem))
        else:
            db.session.commit()
            return _candidate_answer(meeting, post, "The question is marked not taken this time.")
    context = agenda_context(meeting, post=post, not_taken_forms={post.id: form}, form=form)
    return render("agenda/agenda.html", "agenda/_candidate.html", status=422, **context)


@bp.post("/<int:meeting_id>/candidates/<int:post_id>/reconsider")
@facilitator_required
def reconsider(meeting_id: int, post_id: int):
    """Take back a "not taken this time" decision: the question is a plain candidate again."""
    meeting = editable_meeting_or_404(meeting_id)
    post = candidate_or_404(meeting, post_id)
    _checked()
    services.reconsider(meeting, post)
    db.session.commit()
    return _candidate_answer(meeting, post, "The question is a candidate again.")


@bp.post("/<int:meeting_id>/publish")
@facilitator_required
def publish(meeting_id: int):
    """Publish the draft agenda: members see it on the meeting page from now on."""
    meeting = editable_meeting_or_404(meeting_id)
    _checked()
    try:
        published = services.publish(meeting, current_user)
        notify.agenda_changed(meeting, current_user)
    except Refused as problem:
        db.session.rollback()
        flash(f"{problem}.", "info")
        return _back(meeting.id)
    db.session.commit()
    if published:
        flash("The agenda is published: members can see it on the meeting page.", "success")
    else:
        flash("The agenda was already published.", "info")
    return _back(meeting.id)
