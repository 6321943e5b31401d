"""Board pages: the thread list with its filter, starting a thread, similar questions, live
updates, a theme's boards, and the facilitators' settings."""

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice, SelectField

from app import fragments
from app.boards import bp, facilitation, kept, queries, services
from app.boards.common import (
    board_or_404,
    limit_posting,
    mark_posted,
    post_url,
    require_participation,
)
from app.boards.forms import ThreadForm
from app.boards.live import board_etag, board_live, conditional_live, not_modified
from app.extensions import db
from app.htmx import is_partial_request, render_page_or_fragment
from app.models import Board, MeetingStatus, Phase, Post, Role, Theme, visible
from app.models.meetings import phase_at
from app.moderation import services as moderation
from app.permissions import facilitator_required, has_role, member_required, require


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class ThreadFilterForm(FlaskForm):
    """The board's filter and sort (a GET form: no CSRF, clean query strings)."""

    class Meta:
        csrf = False

    kind = SelectField("Show", id="filter-kind", choices=_choices(queries.KINDS))
    phase = SelectField("Written", id="filter-phase", choices=_choices(queries.PHASES))
    sort = SelectField("Sort by", id="filter-sort", choices=_choices(queries.SORTS))


def board_context(board: Board, *, form=None, preview=None, focus_first=False) -> dict:
    """Everything board.html and its fragments need, built once for page and fragment alike.

    The page's content and its list of threads are kept (app.fragments) for every viewer of the
    same class, by the board's version; a page whose form is being corrected is drawn afresh.
    """
    state = services.board_state(board, current_user)
    filters = queries.ThreadFilter.from_args(request.args, counts_shown=state.show_counts)
    page = request.args.get("page", 1, type=int)
    partial = is_partial_request()
    # Where a vote without JavaScript comes back to: this page, filter included.
    next_url = url_for(
        "boards.board", board_id=board.id, page=page if page > 1 else None, **filters.args()
    )
    key = kept.key(
        "board", board.id, board.version, state,
        lambda: kept.has_unpublished_threads(board.id),
    ) + (
        page, tuple(filters.args().items()), partial, focus_first,
    )  # fmt: skip
    shared = state.shared() if key[0] else state
    list_template = "boards/_thread_items.html" if focus_first else "boards/_threads.html"

    def threads():
        return fragments.cached(
            key + (list_template,) if key[0] else None,
            lambda: _draw_threads(board, shared, filters, page, list_template, next_url),
        )

    context = {
        "board": board,
        "meeting": board.meeting,
        "theme": board.theme,
        "state": state,
        "next_url": next_url,
        "form": form,
        "preview": preview,
        "similar": [],
        "partial": partial,
    }

    def draw_content():
        threads_html, shown = threads()
        filter_form = ThreadFilterForm(formdata=None, data=vars(filters))
        if not state.show_counts:
            filter_form.sort.choices = [c for c in filter_form.sort.choices if c.value != "top"]
        html = render_template(
            "boards/_board_content.html",
            **{
                **context,
                "state": shared,
                "form": form or (ThreadForm(formdata=None) if state.can_post else None),
                "filter_form": filter_form,
                "threads_html": threads_html,
                "live": board_live(board, state),
            },
        )
        return html, shown

    if partial:
        context["fragment_html"], shown = threads()
    else:
        keep = key[0] and form is None and preview is None
        context["content_html"], shown = fragments.cached(
            key + ("page",) if keep else None, draw_content
        )
    context["pagination"] = SimpleNamespace(**shown)
    return context


def _draw_threads(board, state, filters, page, template, next_url) -> tuple[str, dict]:
    """One page of the board's threads (drawn by app.fragments): (html, page numbers)."""
    pagination = queries.thread_page(board.id, filters, page, current_user)

    def page_url(n: int) -> str:
        return url_for("boards.board", board_id=board.id, page=n, **filters.args())

    html = render_template(
        template,
        board=board,
        state=state,
        filters=filters,
        kinds=queries.KINDS,
        phases=queries.PHASES,
        sorts=queries.SORTS,
        pagination=pagination,
        threads=list(pagination.items),
        page_url=page_url,
        more_url=url_for(
            "boards.threads", board_id=board.id, page=pagination.page + 1, **filters.args()
        ),
        next_url=next_url,
        partial=is_partial_request(),
        focus_first=template == "boards/_thread_items.html",
    )
    return html, {"page": pagination.page, "pages": pagination.pages, "total": pagination.total}


def board_url(board: Board) -> str:
    return url_for("boards.board", board_id=board.id)


@bp.get("/<int:board_id>")
def board(board_id: int):
    """The board: its phase, its threads filtered and sorted (the list alone for htmx), and the
    form to start a thread; a fixed number of queries however many threads it holds."""
    board = board_or_404(board_id)
    return render_page_or_fragment(
        "boards/board.html", "_partials/fragment.html", **board_context(board)
    )


@bp.get("/<int:board_id>/threads")
def threads(board_id: int):
    """The next page of threads as list items for "Show more threads" (htmx); the board's own
    page otherwise."""
    board = board_or_404(board_id)
    if not is_partial_request():
        return redirect(url_for("boards.board", board_id=board.id, **request.args.to_dict()))
    return render_page_or_fragment(
        "boards/board.html", "_partials/fragment.html", **board_context(board, focus_first=True)
    )


@bp.post("/<int:board_id>/threads")
@limit_posting
@member_required
def new_thread(board_id: int):
    """Start a question or a discussion on an open board; errors come back next to their field
    (422) with the text kept; htmx gets a fresh form and the thread at the top of the list."""
    board = board_or_404(board_id)
    require(services.is_writable(board))
    require_participation()
    form = ThreadForm()
    partial = is_partial_request()
    if "preview" in request.form:
        context = board_context(board, form=form, preview=services.render_body(form.body.data))
        return render_page_or_fragment("boards/board.html", "boards/_thread_form.html", **context)
    if not form.validate_on_submit():
        context = board_context(board, form=form)
        context["similar"] = queries.similar_questions(
            board.id, form.title.data or "", viewer=current_user
        )
        return render_page_or_fragment(
            "boards/board.html", "boards/_thread_form.html", status=422, **context
        )
    held = moderation.hold_reason(
        board, current_user, f"{form.title.data}\n\n{form.body.data or ''}"
    )
    post = services.create_thread(
        board,
        current_user,
        kind=form.kind.data,
        title=form.title.data,
        body=form.body.data or "",
        anonymous=form.anonymous.data,
        held_reason=held,
    )
    if held:
        moderation.record_hold(post)
    db.session.commit()
    mark_posted()
    if partial:
        state = services.board_state(board, current_user)
        return render_template(
            "boards/_thread_created.html",
            board=board,
            meeting=board.meeting,
            theme=board.theme,
            state=state,
            form=ThreadForm(formdata=None),
            preview=None,
            similar=[],
            partial=True,
            post=post,
            next_url=board_url(board),
            first_thread=not db.session.scalar(
                select(
                    visible(
                        select(Post.id).where(
                            Post.board_id == board.id, Post.parent_id.is_(None), Post.id != post.id
                        ),
                        current_user,
                    ).exists()
                )
            ),
        )
    if held:
        flash(
            "Your post is waiting for review: a moderator will read it before others see it.",
            "success",
        )
    else:
        flash("Your post is on the board.", "success")
    return redirect(post_url(post))


@bp.get("/<int:board_id>/similar")
def similar(board_id: int):
    """Questions on this board whose titles share words with ?title= (the list alone for htmx,
    for the live region under the title field)."""
    board = board_or_404(board_id)
    title = request.args.get("title", "")[: services.TITLE_MAX]
    return render_page_or_fragment(
        "boards/similar.html",
        "boards/_similar.html",
        board=board,
        theme=board.theme,
        state=services.board_state(board, current_user),
        similar=queries.similar_questions(board.id, title, viewer=current_user),
        title=title,
    )


@bp.get("/<int:board_id>/live")
def live(board_id: int):
    """The live notice of a running meeting's board; 304 without rendering while unchanged.

    Polls come every few seconds from everyone on the board: the unchanged answer costs one
    Core statement (the version and the meeting's times) and loads neither board nor member.
    """
    row = queries.live_state(board_id)
    if row is None:
        abort(404)
    # A draft's board is for facilitators: its poll takes the full check below first.
    if row.status != MeetingStatus.DRAFT:
        etag = board_etag(board_id, row.version, phase_at(row.starts_at, row.ends_at))
        if (unchanged := not_modified(etag)) is not None:
            return unchanged
    board = board_or_404(board_id)
    return conditional_live(
        etag=board_etag(board.id, board.version, board.meeting.phase()),
        on=board.meeting.phase() == Phase.DURING,
        version=board.version,
        count_new=lambda after: queries.posts_after(board.id, after, current_user),
        page_url=board_url(board),
    )


@bp.post("/preview")
@member_required
def preview():
    """Render ?field= of the posted form exactly as it would be saved (the preview region)."""
    field = request.args.get("field", "body")
    if not field.endswith("body"):
        abort(400)
    text = (request.form.get(field) or "").strip()[: services.BODY_MAX * 2]
    key = field[: -len("body")].rstrip("-") or "post"
    return render_page_or_fragment(
        "boards/preview.html",
        "boards/_preview.html",
        preview=services.render_body(text),
        preview_key=key,
    )


@bp.get("/themes/<int:theme_id>")
def theme(theme_id: int):
    """A theme's boards across meetings, newest meeting first (drafts for facilitators only)."""
    theme = db.session.scalar(
        select(Theme).options(joinedload(Theme.series)).where(Theme.id == theme_id)
    )
    if theme is None:
        abort(404)
    pagination = queries.theme_boards(
        theme.id,
        include_drafts=has_role(Role.FACILITATOR),
        page=request.args.get("page", 1, type=int),
    )
    return render_template(
        "boards/theme.html",
        theme=theme,
        boards=list(pagination.items),
        pagination=pagination,
        page_url=lambda n: url_for("boards.theme", theme_id=theme.id, page=n),
    )


# Facilitators ------------------------------------------------------------------------------


@bp.post("/<int:board_id>/close")
@facilitator_required
def close(board_id: int):
    """Make the board read-only: no posts, edits or votes until it is reopened."""
    board = board_or_404(board_id)
    if facilitation.close_board(board, current_user):
        db.session.commit()
        flash("The board is closed. It is read-only and voting has stopped.", "success")
    return redirect(board_url(board))


@bp.post("/<int:board_id>/reopen")
@facilitator_required
def reopen(board_id: int):
    """Open a closed board again for posts and votes."""
    board = board_or_404(board_id)
    if facilitation.reopen_board(board, current_user):
        db.session.commit()
        flash("The board is open again.", "success")
    return redirect(board_url(board))


@bp.post("/<int:board_id>/hold-posts")
@facilitator_required
def hold_posts(board_id: int):
    """Hold (hold=1) every member's post for a moderator before others see it, or stop (0)."""
    board = board_or_404(board_id)
    hold = request.form.get("hold")
    if hold not in ("0", "1"):
        abort(400)
    if facilitation.set_hold_posts(board, current_user, hold == "1"):
        db.session.commit()
        flash(
            "Every new post on this board now waits for a moderator before others see it."
            if hold == "1"
            else "New posts on this board appear at once again.",
            "success",
        )
    return redirect(board_url(board))


@bp.post("/<int:board_id>/hide-votes")
@facilitator_required
def hide_votes(board_id: int):
    """Hide (hide=1) or show (hide=0) vote counts until the meeting starts."""
    board = board_or_404(board_id)
    hide = request.form.get("hide")
    if hide not in ("0", "1"):
        abort(400)
    if facilitation.set_hide_votes(board, current_user, hide == "1"):
        db.session.commit()
        flash(
            "Vote counts are hidden from members until the meeting starts."
            if hide == "1"
            else "Vote counts are shown to everyone.",
            "success",
        )
    return redirect(board_url(board))
