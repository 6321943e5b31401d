"""Threads and replies: the thread page, replying, editing, removing, earlier versions."""

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import fragments
from app.actions import services as action_services
from app.boards import bp, kept, live, queries, services
from app.boards.common import (
    limit_posting,
    mark_posted,
    post_or_404,
    post_url,
    require_participation,
)
from app.boards.forms import EditReplyForm, EditThreadForm, ReplyForm
from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request, render_page_or_fragment
from app.models import Phase, Post, PostKind, PostRevision, Role
from app.moderation import services as moderation
from app.permissions import member_required, require

REVISIONS_PER_PAGE = 25


def reply_form_for(parent: Post, **kwargs) -> ReplyForm:
    """The reply form for parent; its prefix keeps field ids unique on a page of forms."""
    return ReplyForm(prefix=f"reply-{parent.id}", **kwargs)


def thread_context(thread: Post, *, form=None, preview=None) -> dict:
    """Everything thread.html needs: the thread, one page of replies as a tree, the reply form.

    The page's content and its replies are kept (app.fragments) for every viewer of the same
    class, by the thread's version; a page whose reply form is being corrected is drawn afresh.
    """
    board = thread.board
    state = services.board_state(board, current_user)
    page = request.args.get("page", 1, type=int)
    # The day is in the key for the thread's actions, which turn overdue at midnight.
    key = kept.key(
        "thread", thread.id, thread.version, state,
        lambda: kept.has_held_replies(thread.id),
        action_services.today(),
    ) + (page,)  # fmt: skip
    shared = state.shared() if key[0] else state

    def page_url(n: int) -> str:
        return url_for("boards.thread", post_id=thread.id, page=n if n > 1 else None)

    next_url = page_url(page)
    context = {
        "thread": thread,
        "board": board,
        "meeting": board.meeting,
        "theme": board.theme,
        "state": state,
        "flags_shown": True,
        "next_url": next_url,
        "form": form or reply_form_for(thread, formdata=None),
        "preview": preview,
        "partial": False,
        "inline": True,
        "page_title": _page_title(thread),
    }

    def draw_content():
        replies_html, shown = fragments.cached(
            key + ("replies",) if key[0] else None,
            lambda: _draw_replies(thread, shared, page, page_url),
        )
        html = render_template(
            "boards/_thread_content.html",
            **{
                **context,
                "state": shared,
                "replies_html": replies_html,
                "live": live.thread_live(thread, state),
            },
        )
        return html, shown

    keep = key[0] and form is None and preview is None
    context["content_html"], shown = fragments.cached(
        key + ("page",) if keep else None, draw_content
    )
    context["pagination"] = SimpleNamespace(**shown)
    return context


def _draw_replies(thread: Post, state, page: int, page_url) -> tuple[str, dict]:
    """One page of the thread's replies, nested (drawn by app.fragments): (html, page numbers)."""
    pagination, nodes = queries.reply_page(thread, page, current_user)
    html = render_template(
        "boards/_replies.html",
        thread=thread,
        state=state,
        nodes=nodes,
        pagination=pagination,
        page_url=page_url,
        flags_shown=True,
        # Nobody replies inside a thread the moderators hid or hold.
        reply_allowed=thread.is_published,
    )
    return html, {"page": pagination.page, "pages": pagination.pages}


@bp.get("/threads/<int:post_id>")
def thread(post_id: int):
    """A thread with one page of replies nested (ACCESSIBILITY.md §7), in a fixed number of
    queries however many replies it has; a reply's id leads to it in its thread."""
    post = post_or_404(post_id)
    if not post.is_thread:
        return redirect(post_url(post))
    return render_template("boards/thread.html", **thread_context(post))


@bp.get("/threads/<int:post_id>/live")
def thread_live(post_id: int):
    """The live notice of a thread while its meeting runs; 304 without rendering if unchanged."""
    thread = post_or_404(post_id)
    if not thread.is_thread:
        return redirect(url_for("boards.thread_live", post_id=thread.root_id))
    phase = thread.board.meeting.phase()
    return live.conditional_live(
        etag=f"thread-{thread.id}-{thread.version}-{phase}",
        on=phase == Phase.DURING,
        version=thread.version,
        count_new=lambda after: queries.replies_after(thread.id, after, current_user),
        page_url=url_for("boards.thread", post_id=thread.id),
    )


def _page_title(thread: Post) -> str:
    """The thread page's <title>, which htmx answers restore after an error changed it."""
    title = "Removed post" if thread.is_removed else thread.title
    if thread.is_hidden and not _sees_hidden(thread):
        title = "Hidden post"
    return f"{title} – {thread.board.theme.title}"


def _sees_hidden(post: Post) -> bool:
    """The author and moderators read a hidden post; others see "Hidden by the moderators"."""
    return current_user.is_authenticated and (
        post.author_id == current_user.id or current_user.has_role(Role.MODERATOR)
    )


def _reply_context(parent: Post, form: ReplyForm, *, preview=None, focus_field=True) -> dict:
    thread = parent if parent.is_thread else parent.root
    return {
        "parent": parent,
        "thread_title": thread.title if not thread.is_removed else "Removed post",
        "page_title": _page_title(thread),
        "form": form,
        "preview": preview,
        "partial": is_partial_request(),
        # In place on a thread page (htmx); the reply page's form posts without htmx.
        "inline": is_partial_request(),
        "focus_field": focus_field,
    }


def _writable_parent(post_id: int) -> Post:
    """A post that can be answered: on an open board, not removed, and published (as is its
    thread); the member must not be suspended."""
    parent = post_or_404(post_id)
    thread = parent if parent.is_thread else parent.root
    require(
        services.is_writable(parent.board)
        and not parent.is_removed
        and parent.is_published
        and thread.is_published
    )
    require_participation()
    return parent


@bp.get("/posts/<int:post_id>/reply")
@member_required
def reply_form(post_id: int):
    """The form to reply to a post: its own page, or (htmx) in place of the post's Reply link."""
    parent = _writable_parent(post_id)
    form = reply_form_for(parent, formdata=None)
    return render_page_or_fragment(
        "boards/reply.html", "boards/_reply_form.html", **_reply_context(parent, form)
    )


@bp.post("/posts/<int:post_id>/replies")
@limit_posting
@member_required
def reply(post_id: int):
    """Reply to a post on an open board. Errors come back next to the field (422), text kept.
    With htmx the reply appears in place, focused; without, the page redirects to it."""
    parent = _writable_parent(post_id)
    form = reply_form_for(parent)
    partial = is_partial_request()
    previewing = "preview" in request.form
    if previewing or not form.validate_on_submit():
        status = 200 if previewing else 422
        preview = services.render_body(form.body.data) if previewing else None
        if parent.is_thread and not partial:
            context = thread_context(parent, form=form, preview=preview)
            return render_template("boards/thread.html", **context), status
        context = _reply_context(parent, form, preview=preview)
        return render_page_or_fragment(
            "boards/reply.html", "boards/_reply_form.html", status=status, **context
        )
    held = moderation.hold_reason(parent.board, current_user, form.body.data)
    reply = services.create_reply(
        parent,
        current_user,
        body=form.body.data,
        anonymous=form.anonymous.data,
        held_reason=held,
    )
    if held:
        moderation.record_hold(reply)
    db.session.commit()
    mark_posted()
    if partial:
        return _reply_created(parent, reply)
    if held:
        flash(
            "Your reply is waiting for review: a moderator will read it before others see it.",
            "success",
        )
    else:
        flash("Your reply is posted.", "success")
    return redirect(post_url(reply))


def _reply_created(parent: Post, reply: Post):
    """The htmx answer: the form closes (or comes back empty at the foot of the thread) and the
    reply is placed out of band where the page would draw it."""
    state = services.board_state(parent.board, current_user)
    node = queries.Node(reply, parent=parent)
    if reply.depth > queries.MAX_DEPTH_SHOWN:
        node.in_reply_to = parent
    thread_id = parent.thread_id
    thread = parent if parent.is_thread else parent.root
    return render_template(
        "boards/_reply_created.html",
        page_title=_page_title(thread),
        parent=parent,
        node=node,
        placement=queries.placement(reply, current_user),
        state=state,
        form=reply_form_for(parent, formdata=None),
        preview=None,
        partial=True,
        inline=True,
        focus_field=False,
        reply_count=db.session.scalar(select(Post.reply_count).where(Post.id == thread_id)),
    )


@bp.route("/posts/<int:post_id>/edit", methods=("GET", "POST"))
@member_required
def edit(post_id: int):
    """Authors edit their own posts while the board is open; after the first 5 minutes the
    earlier version is kept and the post shows "edited"."""
    post = post_or_404(post_id)
    require(services.can_edit(post, current_user, post.board))
    if post.is_thread:
        form = EditThreadForm(obj=post, needs_body=post.kind == PostKind.DISCUSSION)
    else:
        form = EditReplyForm(obj=post)
    preview = None
    status = 200
    if request.method == "POST":
        if "preview" in request.form:
            preview = services.render_body(form.body.data)
        elif form.validate_on_submit():
            title = form.title.data if post.is_thread else ""
            services.edit_post(post, current_user, title=title, body=form.body.data or "")
            db.session.commit()
            flash("Your changes are saved.", "success")
            return redirect(post_url(post))
        else:
            status = 422
    return render_template(
        "boards/edit.html", post=post, form=form, preview=preview, back_url=post_url(post)
    ), status


@bp.route("/posts/<int:post_id>/remove", methods=("GET", "POST"))
@member_required
def remove(post_id: int):
    """Authors remove their own posts (after a confirmation page): the post keeps its place as
    "Removed by its author", its replies stay, and its text stays for moderators."""
    post = post_or_404(post_id)
    require(services.can_edit(post, current_user, post.board))
    form = EmptyForm()
    if form.validate_on_submit():
        services.remove_post(post, current_user)
        db.session.commit()
        flash("Your post is removed.", "success")
        return redirect(post_url(post))
    return render_template("boards/remove.html", post=post, form=form, back_url=post_url(post))


@bp.get("/posts/<int:post_id>/revisions")
@member_required
def revisions(post_id: int):
    """A post's earlier versions, newest first, for its author and for moderators."""
    post = post_or_404(post_id)
    require(services.can_see_revisions(post, current_user))
    pagination = db.paginate(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=REVISIONS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "boards/revisions.html",
        post=post,
        revisions=list(pagination.items),
        pagination=pagination,
        page_url=lambda n: url_for("boards.revisions", post_id=post.id, page=n),
        back_url=post_url(post),
        viewer_is_moderator=current_user.has_role(Role.MODERATOR),
    )
