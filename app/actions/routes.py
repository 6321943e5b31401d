"""Actions pages for members: the board, "My actions", the CSV export, proposing an action and
an action's own page."""

import csv
import io

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import content_generation
from app.actions import bp, lists, queries, services
from app.actions.forms import ActionForm
from app.actions.sources import post_title
from app.actions.views import action_or_404, action_page, send_invitations
from app.csvsafe import csv_response, spreadsheet_safe
from app.extensions import db
from app.htmx import is_partial_request, render_page_or_fragment
from app.models import ActionStatus, SourceType
from app.permissions import member_required
from app.timeutil import to_london


def _page(name: str) -> int:
    """A page number from the query string (1 when missing or nonsense)."""
    return max(request.args.get(name, 1, type=int) or 1, 1)


@bp.get("/")
@member_required
def board():
    """The actions board: a column per status, filtered by series, meeting, theme, owner and
    overdue (a GET form), each column paginated; a fixed number of queries however many
    actions and owners there are, and when kept (app.actions.lists) almost none. htmx gets
    the columns alone."""
    filters = queries.BoardFilter.from_args(request.args)
    pages = {s: _page(f"page_{s}") for s in ActionStatus.ALL}
    partial = is_partial_request()
    generation = content_generation.read()
    board_html, found = lists.board_html(filters, pages, generation)
    return render_page_or_fragment(
        "actions/board.html",
        "actions/_board.html",
        board_html=board_html,
        found=found,
        filter_html=None if partial else lists.filter_html(filters, generation),
        export_url=url_for("actions.export", **filters.args()),
        partial=partial,
    )


@bp.get("/mine")
@member_required
def mine():
    """What I own, what I am invited to and what I follow, still-to-do and overdue first; a
    fixed number of queries however many actions."""
    pages = {name: _page(f"page_{name}") for name in ("owned", "invited", "following")}
    found = queries.my_actions(current_user, pages)

    def page_url_for(name: str):
        def page_url(n: int) -> str:
            args = {f"page_{k}": p.page for k, p in found.items() if p.page > 1}
            args[f"page_{name}"] = n
            return url_for("actions.mine", **args)

        return page_url

    return render_template(
        "actions/mine.html",
        lists=found,
        page_url_for=page_url_for,
        today=services.today(),
        next_url=request.full_path.rstrip("?"),
        viewer_id=current_user.id,
    )


def _owners_text(action) -> str:
    owners = [o.user.display_name for o in action.accepted_owners]
    invited = [f"{o.user.display_name} (invited)" for o in action.invited_owners]
    return "; ".join(owners + invited)


def _source_text(action) -> str:
    if action.source_type == SourceType.POST and action.post is not None:
        return f"Thread: {post_title(action.post)}"
    if action.source_type == SourceType.BOARD and action.board is not None:
        return f"Board: {action.board.theme.title} ({action.meeting.title})"
    if action.source_type == SourceType.AGENDA_ITEM:
        at = f" ({action.meeting.title})" if action.meeting else ""
        return f"Agenda item: {action.source_label}{at}"
    if action.meeting is not None:
        return f"Meeting: {action.meeting.title}"
    return ""


def _stamp(moment) -> str:
    if moment is None:
        return ""
    local = to_london(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@bp.get("/export.csv")
@member_required
def export():
    """The actions the board's filter matches, as CSV that is safe to open in a spreadsheet
    (cells that would run as formulas are neutralised)."""
    filters = queries.BoardFilter.from_args(request.args)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["title", "owners", "source", "proposed", "due", "status", "status changed",
         "done", "last update", "last update at"]
    )  # fmt: skip
    for action in queries.export_rows(filters, services.today()):
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                action.title,
                _owners_text(action),
                _source_text(action),
                _stamp(action.created_at),
                action.due_on.isoformat(),
                action.status_label,
                _stamp(action.status_changed_at),
                action.done_on.isoformat() if action.done_on else "",
                action.last_update,
                _stamp(action.last_update_at),
            )
        )
    return csv_response(out.getvalue(), "actions.csv")


def _source_from_args():
    """The source named in the query string (?meeting=, ?board=, ?post=, ?agenda_item=), the
    most specific one when several are given; 404 when it is unknown or hidden; None if none."""
    for kind in (SourceType.AGENDA_ITEM, SourceType.POST, SourceType.BOARD, SourceType.MEETING):
        raw = request.args.get(kind)
        if raw is None or raw == "":
            continue
        if not raw.isdigit():
            abort(404)
        source = services.find_source(kind, int(raw), current_user)
        if source is None:
            abort(404)
        return source
    return None


@bp.route("/new", methods=("GET", "POST"))
@member_required
def new():
    """Propose an action, from a meeting, board, thread or agenda item when the query string
    names one (its title is suggested). Errors come back next to their field (422) with what
    was typed kept, and nothing is saved; invited owners are emailed."""
    source = _source_from_args()
    form = ActionForm()
    if request.method == "GET":
        form = ActionForm(formdata=None)
        if source is not None:
            form.title.data = source.title
            form.detail.data = source.detail
    elif form.validate(today=services.today()):
        try:
            action, invited = services.create_action(
                title=form.title.data,
                detail=form.detail.data or "",
                due_on=form.due_on,
                proposer=current_user,
                owners=form.owner_users,
                self_own=bool(form.own.data),
                source=source,
            )
        except services.ActionProblem as problem:
            db.session.rollback()
            form.owners.errors.append(str(problem))
        else:
            send_invitations(action, invited)
            db.session.commit()
            if invited:
                names = ", ".join(p.display_name for p in invited)
                flash(f"Action proposed. We have asked {names} to accept it.", "success")
            else:
                flash("Action added. You own it.", "success")
            return redirect(url_for("actions.action", action_id=action.id))
    status = 422 if form.errors else 200
    return render_template(
        "actions/new.html",
        form=form,
        source=source,
        form_url=url_for("actions.new", **(source.query if source else {})),
    ), status


@bp.get("/<int:action_id>")
@member_required
def action(action_id: int):
    """An action: its details, owners and their answers, and its whole timeline; the forms
    shown are the ones this person may use (the routes check again)."""
    return action_page(action_or_404(action_id))
