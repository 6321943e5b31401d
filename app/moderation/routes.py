"""The moderators' queue: held and reported posts oldest first, claims, and decisions in place.

Moderators and admins only (facilitators too only if they also moderate). Every decision is
a plain form that also works in place with htmx; each closes the post's review at most once.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import EmptyForm
from app.htmx import is_partial_request
from app.models.moderation import Outcome
from app.moderation import bp, decisions, notify, queries, services
from app.moderation.forms import DecisionForm, RedactForm
from app.moderation.views import item_view, load_item, render_item
from app.permissions import moderator_required, safe_next

VERBS = {
    Outcome.APPROVED: "approved",
    Outcome.RESTORED: "restored",
    Outcome.HIDDEN: "hidden",
    Outcome.REDACTED: "redacted",
}


def _queue_url(page: int | None = None) -> str:
    return url_for("moderation.queue", page=page if page and page > 1 else None)


@bp.get("/")
@moderator_required
def queue():
    """Held and reported posts and appeals, oldest first, each with its context and decisions;
    25 a page in a fixed number of queries however long the queue is."""
    page = request.args.get("page", 1, type=int)
    pagination, items = queries.queue_page(page)
    next_url = _queue_url(pagination.page)
    return render_template(
        "moderation/queue.html",
        entries=[item_view(item, next_url) for item in items],
        pagination=pagination,
        page_url=_queue_url,
        announce="",
        partial=False,
    )


@bp.get("/posts/<int:post_id>")
@moderator_required
def item(post_id: int):
    """One post as the queue shows it, whether or not it waits for review (the item alone for
    htmx)."""
    return render_item(item_view(load_item(post_id), _queue_url()))


@bp.post("/posts/<int:post_id>/claim")
@moderator_required
def claim(post_id: int):
    """Mark the item as being reviewed by you, so other moderators see who has it; taking it
    from another moderator needs take_over=1."""
    item = load_item(post_id)
    if not EmptyForm().validate_on_submit():
        return render_item(item_view(item, _queue_url()), status=400)
    if item.review is None:
        view = item_view(item, _queue_url(), notice="This post is not waiting in the queue.")
        return render_item(view, status=409)
    try:
        decisions.claim(item.review, current_user, take_over=request.form.get("take_over") == "1")
        db.session.commit()
    except decisions.ClaimedByOther:
        db.session.rollback()
        view = item_view(load_item(post_id), _queue_url(), conflict=True)
        return render_item(view, status=409)
    except decisions.Stale as stale:
        db.session.rollback()
        return render_item(item_view(load_item(post_id), _queue_url(), notice=str(stale)), 409)
    if is_partial_request():
        view = item_view(load_item(post_id), _queue_url())
        return render_item(view, announce="You are reviewing this post.")
    flash("You are reviewing this post. Other moderators can see that.", "info")
    return redirect(url_for("moderation.item", post_id=post_id))


@bp.post("/posts/<int:post_id>/decide")
@moderator_required
def decide(post_id: int):
    """Approve, restore or hide a post with a reason (required where it goes against the
    author); the author is emailed. A decision on an item another moderator is reviewing asks
    to confirm taking it over; one already decided is refused with what happened."""
    item = load_item(post_id)
    form = DecisionForm()
    next_url = safe_next(form.next.data, default=_queue_url())
    if not form.validate_on_submit():
        return render_item(item_view(item, next_url, decision=form), status=422)
    review_id = int(form.review.data) if (form.review.data or "").isdigit() else None
    try:
        decided = decisions.decide(
            item.post,
            current_user,
            form.decision.data,
            form.reason.data or "",
            review_id=review_id,
            take_over=form.take_over.data == "1",
        )
        notify.send_decision(decided.event)
        db.session.commit()
    except decisions.ClaimedByOther:
        db.session.rollback()
        view = item_view(load_item(post_id), next_url, decision=form, conflict=True)
        return render_item(view, status=409)
    except services.Refused as refused:
        db.session.rollback()
        fresh = DecisionForm(formdata=None)
        view = item_view(load_item(post_id), next_url, decision=fresh, notice=str(refused))
        return render_item(view, status=409)
    message = f"Post {VERBS[form.decision.data]}. The author has been told."
    if is_partial_request():
        view = item_view(load_item(post_id), next_url, decided=decided.event, focus=True)
        return render_item(view)
    flash(message, "success")
    return redirect(next_url)


@bp.route("/posts/<int:post_id>/redact", methods=("GET", "POST"))
@moderator_required
def redact(post_id: int):
    """Replace a post's text with a version without the personal information; the original is
    kept for moderators and admins only, and the author is told why."""
    item = load_item(post_id)
    post = item.post
    form = RedactForm(
        obj=None if request.method == "POST" else post,
        is_thread=post.is_thread,
    )
    if request.method == "GET" and item.review is not None:
        form.review.data = str(item.review.id)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            review_id = int(form.review.data) if (form.review.data or "").isdigit() else None
            try:
                decided = decisions.decide(
                    post,
                    current_user,
                    Outcome.REDACTED,
                    form.reason.data,
                    review_id=review_id,
                    take_over=form.take_over.data == "1",
                    title=form.title.data if post.is_thread else None,
                    body=form.body.data or "",
                )
                notify.send_decision(decided.event)
                db.session.commit()
            except decisions.ClaimedByOther as claimed:
                db.session.rollback()
                form.take_over.data = "1"
                name = claimed.review.claimed_by.display_name if claimed.review.claimed_by else ""
                flash(
                    f"{name or 'Another moderator'} is reviewing this post. "
                    "Send again to take it over.",
                    "info",
                )
                status = 409
            except services.Refused as refused:
                db.session.rollback()
                flash(str(refused), "info")
                return redirect(url_for("moderation.item", post_id=post_id))
            else:
                flash("Personal information removed. The author has been told.", "success")
                return redirect(url_for("moderation.item", post_id=post_id))
        else:
            status = 422
    item = load_item(post_id)
    return render_template("moderation/redact.html", item=item, form=form, post=item.post), status
