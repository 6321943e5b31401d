"""Decisions about a post's author (warn, suspend, lift a suspension) and a member's moderation
record. Moderators and admins only; each decision is audited and the member is emailed."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.htmx import is_partial_request
from app.models import Suspension, User
from app.moderation import bp, notify, people, queries, services
from app.moderation.forms import LiftForm, SuspendForm, WarnForm, for_post
from app.moderation.views import item_view, load_item, render_item
from app.permissions import moderator_required, safe_next

PER_PAGE = 25


def _back(post_id: int) -> str:
    return safe_next(request.form.get("next"), default=url_for("moderation.item", post_id=post_id))


def _decide(event) -> None:
    """Queue the author's email with the decision, and commit both."""
    notify.send_decision(event)
    db.session.commit()


def _done(post_id: int, message: str, event):
    """After a decision about the author: the item in place (htmx) or PRG."""
    if is_partial_request():
        view = item_view(load_item(post_id), _back(post_id), decided=event, focus=True)
        return render_item(view)
    flash(message, "success")
    return redirect(_back(post_id))


@bp.post("/posts/<int:post_id>/warn")
@moderator_required
def warn(post_id: int):
    """Warn the post's author: they see the message as a banner on their next page."""
    item = load_item(post_id)
    form = WarnForm()
    if not form.validate_on_submit():
        return render_item(item_view(item, _back(post_id), warn=form), status=422)
    event = people.warn(item.post.author, current_user, form.message.data, item.post)
    _decide(event)
    return _done(post_id, f"{item.post.author.display_name} has been warned.", event)


@bp.post("/posts/<int:post_id>/suspend")
@moderator_required
def suspend(post_id: int):
    """Suspend the post's author for one of the offered lengths (the suggestion escalates with
    each suspension): they can read, but not post, vote, report or register."""
    item = load_item(post_id)
    form = SuspendForm(lengths=people.ladder(), suggested=people.suggested_days(item.suspensions))
    if not form.validate_on_submit():
        return render_item(item_view(item, _back(post_id), suspend=form), status=422)
    author = item.post.author
    try:
        event = people.suspend(
            author, current_user, int(form.days.data), form.reason.data, item.post
        )
        _decide(event)
    except services.Refused as refused:
        db.session.rollback()
        view = item_view(load_item(post_id), _back(post_id), notice=str(refused))
        return render_item(view, status=409)
    return _done(post_id, f"{author.display_name} is suspended.", event)


@bp.post("/suspensions/<int:suspension_id>/lift")
@moderator_required
def lift(suspension_id: int):
    """End a suspension now, with a reason the member reads. From a queue item (post_id given)
    the item comes back in place; otherwise the member's record."""
    suspension = db.session.get(Suspension, suspension_id)
    if suspension is None:
        abort(404)
    post_id = request.form.get("post_id", type=int)
    item = load_item(post_id) if post_id else None
    form = LiftForm()
    if not form.validate_on_submit():
        if item is not None:
            return render_item(item_view(item, _back(post_id), lift=form), status=422)
        return _person_page(suspension.user, lift_form=form, status=422)
    try:
        event = people.lift(suspension, current_user, form.reason.data)
        _decide(event)
    except services.Refused as refused:
        db.session.rollback()
        if item is not None:
            view = item_view(load_item(post_id), _back(post_id), notice=str(refused))
            return render_item(view, status=409)
        flash(str(refused), "info")
        return redirect(url_for("moderation.person", user_id=suspension.user_id))
    message = "The suspension is lifted."
    if item is not None:
        return _done(post_id, message, event)
    flash(message, "success")
    return redirect(url_for("moderation.person", user_id=suspension.user_id))


def _person_page(person: User, *, lift_form=None, status: int = 200):
    suspension = people.active_suspension(person.id)
    pagination = db.paginate(
        queries.record_of(person.id),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    lift_form = lift_form or LiftForm(formdata=None)
    return render_template(
        "moderation/person.html",
        person=person,
        suspension=suspension,
        suspensions=people.suspension_count(person.id),
        lift_form=for_post(lift_form, person.id, {"reason": "lift-reason"}),
        events=list(pagination.items),
        pagination=pagination,
        page_url=lambda n: url_for("moderation.person", user_id=person.id, page=n),
        form=lift_form if lift_form.errors else None,
        posts=queries.recent_posts(person.id),
    ), status


@bp.get("/people/<int:user_id>")
@moderator_required
def person(user_id: int):
    """A member's moderation record: any suspension (with the form to lift it), their recent
    posts, and every decision about them, newest first."""
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    return _person_page(person)
