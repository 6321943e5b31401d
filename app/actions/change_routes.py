"""Changing an action: its status (in place on a card with htmx), answering an invitation,
progress updates, comments, following, inviting owners, and facilitators' edits and drops."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.actions import bp, services
from app.actions.forms import (
    CommentForm,
    DeclineForm,
    DropForm,
    EditForm,
    InviteForm,
    UpdateForm,
)
from app.actions.views import (
    action_or_404,
    action_page,
    back_url,
    done,
    posted_status_form,
    render_card,
    send_invitations,
    stale,
)
from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request
from app.models import ActionStatus
from app.permissions import member_required, require


@bp.post("/<int:action_id>/status")
@member_required
def status(action_id: int):
    """An owner moves the action to another status (a reason is needed to drop it). If the
    form's version is no longer the action's, nothing changes and 409 shows the new state."""
    action = action_or_404(action_id)
    require(services.can_change_status(action, current_user))
    form = posted_status_form(action)
    next_url = back_url(action)
    if not form.validate():
        if is_partial_request():
            return render_card(action, status=422, form=form, next_url=next_url)
        return action_page(action, status=422, status_form=form)
    try:
        changed = services.change_status(
            action, current_user, form.status.data, int(form.version.data), form.reason.data or ""
        )
    except services.StaleAction:
        return stale(action.id, next_url=next_url)
    db.session.commit()
    label = ActionStatus.LABELS[form.status.data]
    message = (
        f"\u201c{action.title}\u201d moved to {label}."
        if changed
        else f"\u201c{action.title}\u201d is already {label}."
    )
    return done(action, message, next_url=next_url)


@bp.post("/<int:action_id>/accept")
@member_required
def accept(action_id: int):
    """An invited member accepts ownership (the first acceptance opens a proposed action)."""
    action = action_or_404(action_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    require(action.owner_state(current_user.id) is not None)
    next_url = back_url(action)
    try:
        services.accept(action, current_user)
    except services.ActionProblem as problem:
        db.session.rollback()
        return _refused(action_id, str(problem), next_url)
    db.session.commit()
    return done(action, f"You own \u201c{action.title}\u201d.", next_url=next_url, focus=True)


@bp.post("/<int:action_id>/decline")
@member_required
def decline(action_id: int):
    """An invited member declines ownership, optionally saying why (on the timeline)."""
    action = action_or_404(action_id)
    require(action.owner_state(current_user.id) is not None)
    form = DeclineForm()
    if not form.validate_on_submit():
        return action_page(action, status=422, decline_form=form)
    next_url = back_url(action)
    try:
        services.decline(action, current_user, form.reason.data or "")
    except services.ActionProblem as problem:
        db.session.rollback()
        return _refused(action_id, str(problem), next_url)
    db.session.commit()
    return done(action, f"You declined \u201c{action.title}\u201d.", next_url=next_url, focus=True)


def _refused(action_id: int, message: str, next_url: str):
    """409: the change no longer applies (an invitation already answered); nothing changed."""
    action = action_or_404(action_id)
    if is_partial_request():
        return render_card(action, status=409, notice=message, announce=message, next_url=next_url)
    flash(message, "info")
    return redirect(next_url)


@bp.post("/<int:action_id>/updates")
@member_required
def update(action_id: int):
    """An owner posts a progress update: it joins the timeline and becomes the latest update."""
    action = action_or_404(action_id)
    require(services.is_owner(action, current_user))
    form = UpdateForm(prefix="update")
    if not form.validate_on_submit():
        return action_page(action, status=422, update_form=form)
    services.post_update(action, current_user, form.text.data)
    db.session.commit()
    flash("Your progress update is on the timeline.", "success")
    return redirect(url_for("actions.action", action_id=action.id, _anchor="timeline"))


@bp.post("/<int:action_id>/comments")
@member_required
def comment(action_id: int):
    """Any member comments on an action; the comment joins the timeline."""
    action = action_or_404(action_id)
    form = CommentForm(prefix="comment")
    if not form.validate_on_submit():
        return action_page(action, status=422, comment_form=form)
    services.add_comment(action, current_user, form.text.data)
    db.session.commit()
    flash("Your comment is on the timeline.", "success")
    return redirect(url_for("actions.action", action_id=action.id, _anchor="timeline"))


@bp.post("/<int:action_id>/follow")
@member_required
def follow(action_id: int):
    """Follow (follow=1) or stop following (follow=0) an action; htmx gets the button back
    with its new state announced."""
    action = action_or_404(action_id)
    want = request.form.get("follow")
    if want not in ("0", "1") or not EmptyForm().validate_on_submit():
        abort(400)
    following = services.set_following(action, current_user, want == "1")
    db.session.commit()
    message = (
        f"You are following \u201c{action.title}\u201d."
        if following
        else f"You no longer follow \u201c{action.title}\u201d."
    )
    if is_partial_request():
        return render_template(
            "actions/_follow.html", action=action, following=following, announce=message
        )
    flash(message, "success")
    return redirect(url_for("actions.action", action_id=action.id))


@bp.post("/<int:action_id>/owners")
@member_required
def invite(action_id: int):
    """Owners, the proposer and facilitators invite more members to own the action; each is
    emailed. Unknown people, non-members and people already invited change nothing."""
    action = action_or_404(action_id)
    require(services.can_invite(action, current_user))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            people = services.invite(action, current_user, form.owner_users)
        except services.ActionProblem as problem:
            db.session.rollback()
            action = action_or_404(action_id)
            form.owners.errors.append(str(problem))
        else:
            send_invitations(action, people)
            db.session.commit()
            names = ", ".join(p.display_name for p in people)
            flash(f"We have asked {names} to accept this action.", "success")
            return redirect(url_for("actions.action", action_id=action.id))
    return action_page(action, status=422, invite_form=form)


@bp.route("/<int:action_id>/edit", methods=("GET", "POST"))
@member_required
def edit(action_id: int):
    """A facilitator corrects an action's title, detail or due date, giving a reason that is
    kept on its timeline; a stale form changes nothing (409)."""
    action = action_or_404(action_id)
    require(services.can_edit(action, current_user))
    form = EditForm()
    if request.method == "GET":
        form = EditForm(formdata=None, obj=action)
        form.fill_due(action.due_on)
        form.version.data = str(action.version)
    elif form.validate(today=services.today(), current_due=action.due_on):
        try:
            changed = services.edit_action(
                action,
                current_user,
                title=form.title.data,
                detail=form.detail.data or "",
                due_on=form.due_on,
                reason=form.reason.data,
                version=int(form.version.data),
            )
        except services.StaleAction:
            return stale(action.id)
        db.session.commit()
        flash(
            "Action saved." if changed else "Nothing was changed.",
            "success" if changed else "info",
        )
        return redirect(url_for("actions.action", action_id=action.id))
    status = 422 if form.errors else 200
    return render_template("actions/edit.html", form=form, action=action), status


@bp.route("/<int:action_id>/drop", methods=("GET", "POST"))
@member_required
def drop(action_id: int):
    """A facilitator (or an owner) drops the action with a reason, kept on its timeline."""
    action = action_or_404(action_id)
    require(services.can_drop(action, current_user))
    form = DropForm()
    if request.method == "GET":
        form = DropForm(formdata=None)
        form.version.data = str(action.version)
    elif form.validate_on_submit():
        try:
            services.change_status(
                action,
                current_user,
                ActionStatus.DROPPED,
                int(form.version.data),
                form.reason.data,
            )
        except services.StaleAction:
            return stale(action.id)
        db.session.commit()
        flash(f"\u201c{action.title}\u201d is dropped.", "success")
        return redirect(url_for("actions.action", action_id=action.id))
    status = 422 if form.errors else 200
    return render_template("actions/drop.html", form=form, action=action), status
