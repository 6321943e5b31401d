"""What the actions views share: loading, the card and action-page contexts, emails, and the
template globals other areas' pages use to show actions (one query each)."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.actions import bp, cards, queries, reviews, services
from app.actions.charts import series_chart
from app.actions.forms import (
    CommentForm,
    DeclineForm,
    InviteForm,
    ReviewForm,
    StatusForm,
    UpdateForm,
    shown_status,
    status_options,
)
from app.actions.sources import post_title
from app.extensions import db
from app.htmx import is_partial_request, retarget
from app.mail import external_url, send_email
from app.models import Action, ActionStatus, OwnerState
from app.permissions import safe_next


def action_or_404(action_id: int) -> Action:
    """The action with its owners and source chain, or 404."""
    action = services.load_action(action_id)
    if action is None:
        abort(404)
    return action


def status_form_for(action: Action) -> StatusForm:
    """A fresh status form at the action's current version (prefixed: many on one page)."""
    form = StatusForm(prefix=f"a{action.id}", formdata=None)
    form.status.data = shown_status(action.status)
    form.version.data = str(action.version)
    return form


def posted_status_form(action: Action) -> StatusForm:
    """The status form as posted from this action's card or page (same prefix)."""
    return StatusForm(prefix=f"a{action.id}")


def back_url(action: Action) -> str:
    """Where a plain (no-JS) card form goes back to: its `next` field (the board or "My
    actions", with their filters) when it is a path on this site, else the action's page."""
    default = url_for("actions.action", action_id=action.id)
    return safe_next(request.form.get(f"a{action.id}-next") or request.form.get("next"), default)


def render_card(
    action: Action,
    *,
    status: int = 200,
    form: StatusForm | None = None,
    notice: str | None = None,
    announce: str | None = None,
    next_url: str | None = None,
    focus_notice: bool = False,
):
    """One action's card alone, for htmx, with a message when it changed or could not."""
    viewer = action.owner_state(current_user.id)
    if viewer == OwnerState.ACCEPTED and not services.can_change_status(action, current_user):
        viewer = None
    response = make_response(
        render_template(
            "actions/_card.html",
            action=cards.card_from_action(action),
            viewer=viewer,
            form=form,
            notice=notice,
            announce=announce,
            focus_notice=focus_notice,
            today=services.today(),
            next_url=next_url or url_for("actions.action", action_id=action.id),
            card_heading="h3",
        ),
        status,
    )
    response.vary.add("HX-Request")
    if status >= 400:
        # The conflict card replaces the stale one in place (app.js swaps a retargeted error).
        retarget(response, f"#action-{action.id}", swap="outerHTML")
    return response


def action_page(action: Action, *, status: int = 200, **forms):
    """The action's page: details, owners, the forms this person may use, and the timeline."""
    user = current_user
    context = {
        "action": action,
        "today": services.today(),
        "timeline": services.timeline(action),
        "following": services.is_following(action, user),
        "my_state": action.owner_state(user.id),
        "can_move": services.can_change_status(action, user),
        "can_drop": services.can_drop(action, user),
        "can_edit": services.can_edit(action, user),
        "can_invite": services.can_invite(action, user),
        "review_meeting": reviews.review_meeting_for(action) if action.is_active else None,
        "status_form": forms.get("status_form") or status_form_for(action),
        "update_form": forms.get("update_form") or UpdateForm(prefix="update", formdata=None),
        "comment_form": forms.get("comment_form") or CommentForm(prefix="comment", formdata=None),
        "invite_form": forms.get("invite_form") or InviteForm(formdata=None),
        "decline_form": forms.get("decline_form") or DeclineForm(formdata=None),
        "notice": forms.get("notice"),
        "next_url": url_for("actions.action", action_id=action.id),
    }
    # The page's error summary follows whichever form failed.
    failed = next((f for f in forms.values() if hasattr(f, "errors") and f.errors), None)
    context["form"] = failed
    return render_template("actions/action.html", **context), status


def done(action: Action, message: str, *, next_url: str | None = None, focus: bool = False):
    """A change went through: htmx gets the card back with the message announced, or, when
    the button used is gone (focus=True), shown first and focused; without JavaScript, a flash
    message and a redirect (post/redirect/get)."""
    if is_partial_request():
        if focus:
            return render_card(action, notice=message, focus_notice=True, next_url=next_url)
        return render_card(action, announce=message, next_url=next_url)
    flash(message, "success")
    return redirect(next_url or url_for("actions.action", action_id=action.id))


def stale(action_id: int, *, next_url: str | None = None):
    """409: someone changed the action first. The fresh card (or page) says so and shows it."""
    db.session.rollback()
    action = action_or_404(action_id)
    message = (
        f"This action was changed by someone else while you were looking at it. It is now "
        f"\u201c{action.status_label}\u201d. Check it, then try again if you still need to."
    )
    if is_partial_request():
        return render_card(action, status=409, notice=message, announce=message, next_url=next_url)
    return action_page(action, status=409, notice=message)


def send_invitations(action: Action, people) -> None:
    """Tell each invited member they have been asked to own the action (queued with the change:
    the caller commits)."""
    link = external_url("actions.action", action_id=action.id)
    for person in people:
        send_email(
            person.email,
            f"You are invited to own an action: {action.title}",
            f"Hello {person.display_name},\n\n"
            f"You have been invited to own this action on Roundtable:\n\n"
            f"  {action.title}\n  Due {action.due_on:%d %B %Y}\n\n"
            f"Accept or decline it here:\n{link}\n",
        )


# Template globals, used by other areas' pages through small includes --------------------------


bp.add_app_template_filter(services.long_date, "long_date")
bp.add_app_template_global(dict(ActionStatus.LABELS), "action_status_labels")


bp.add_app_template_global(post_title, "action_post_title")


@bp.app_template_global()
def action_today():
    """Today in the UK (what "overdue" is measured against)."""
    return services.today()


@bp.app_template_global()
def source_actions(kind: str, ident: int) -> list:
    """The actions of a meeting, board, thread ("post"), agenda item or theme, for members
    (ONE query); visitors get an empty list and no query."""
    if not services.is_member(current_user) or kind not in queries.SOURCE_KINDS:
        return []
    return queries.actions_for_source(kind, ident)


@bp.app_template_global()
def series_action_chart(series):
    """The series' actions chart (two queries), for members only; None for visitors."""
    if not services.is_member(current_user):
        return None
    return series_chart(series.id, series.title)


@bp.app_template_global()
def review_form_for(entry):
    """The form for one entry of an actions review (the failed one keeps its errors)."""
    return entry.form or ReviewForm(prefix=f"review-{entry.action.id}", formdata=None)


@bp.app_template_global()
def action_source_link(action: Action) -> tuple[str, str] | None:
    """(label, url) of where the action came from, from what the query loaded."""
    return cards.action_source(action)


bp.add_app_template_global(status_form_for, "action_status_form")
bp.add_app_template_global(status_options, "action_status_options")
