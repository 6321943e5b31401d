"""What the moderation views share: loading posts under the visibility rule, rate limits, links
to posts, and the view of one queue item (its forms and claim), built once for page and
fragment alike."""

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, g, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.boards import queries as board_queries
from app.boards import services as boards
from app.extensions import limiter
from app.htmx import is_partial_request, render_page_or_fragment, retarget
from app.models import AuditEvent, Post, User
from app.models.moderation import can_see
from app.moderation import decisions, people, queries
from app.moderation.forms import DecisionForm, LiftForm, SuspendForm, WarnForm, for_post
from app.moderation.queries import QueueItem
from app.timeutil import utcnow


def user_key() -> str:
    """Rate limits count per member (a visitor, refused anyway, counts per address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def mark_flagged() -> None:
    """Tell the reporting rate limit that this request recorded a report."""
    g.moderation_flagged = True


limit_flagging = limiter.limit(
    lambda: current_app.config["RATELIMIT_FLAG"],
    key_func=user_key,
    methods=["POST"],
    # Only a report actually recorded counts: the form with a mistake is free.
    deduct_when=lambda response: bool(g.get("moderation_flagged")),
)


def post_or_404(post_id: int) -> Post:
    """The post, or 404 when it, its board, or (held) the post itself is not for this viewer."""
    post = boards.get_post(post_id)
    if post is None or not boards.can_view(post.board, current_user):
        abort(404)
    if not can_see(post, current_user):
        abort(404)
    return post


def post_link(post: Post) -> str:
    """Where a post is read: its thread page, on the right page of replies, at #post-<id>."""
    if post.is_thread:
        return url_for("boards.thread", post_id=post.id, _anchor=f"post-{post.id}")
    page = board_queries.reply_page_number(post)
    return url_for(
        "boards.thread",
        post_id=post.root_id,
        page=page if page > 1 else None,
        _anchor=f"post-{post.id}",
    )


# One queue item ----------------------------------------------------------------------------


@dataclass
class ItemView:
    """A queue item as a moderator sees it: context, forms, claim, and any message."""

    item: QueueItem
    decision: DecisionForm
    warn: WarnForm
    suspend: SuspendForm
    lift: LiftForm
    holder: User | None
    mine: bool
    expires_at: datetime | None
    outcomes: tuple[str, ...]
    next_url: str
    notice: str = ""
    conflict: bool = False  # another moderator holds it: offer "take over"
    decided: AuditEvent | None = None
    focus: bool = False

    @property
    def post(self) -> Post:
        return self.item.post

    @property
    def review(self):
        return self.item.review


def item_view(item: QueueItem, next_url: str, **overrides) -> ItemView:
    """Build an item's view (forms given in overrides keep what the moderator typed)."""
    post_id = item.post.id
    review = item.review
    now = utcnow()
    holder_id = decisions.claim_holder(review, now)
    decision = overrides.pop("decision", None) or DecisionForm(formdata=None)
    if review is not None and not decision.review.data:
        decision.review.data = str(review.id)
    decision.next.data = decision.next.data or next_url
    suspend = overrides.pop("suspend", None) or SuspendForm(
        formdata=None,
        lengths=people.ladder(),
        suggested=people.suggested_days(item.suspensions),
    )
    view = ItemView(
        item=item,
        decision=for_post(decision, post_id, {"reason": "decision-reason"}),
        warn=for_post(
            overrides.pop("warn", None) or WarnForm(formdata=None),
            post_id,
            {"message": "warn-message"},
        ),
        suspend=for_post(suspend, post_id, {"days": "suspend-days", "reason": "suspend-reason"}),
        lift=for_post(
            overrides.pop("lift", None) or LiftForm(formdata=None),
            post_id,
            {"reason": "lift-reason"},
        ),
        holder=review.claimed_by if holder_id is not None else None,
        mine=holder_id is not None and holder_id == current_user.id,
        expires_at=(review.claimed_at + decisions.claim_expiry()) if holder_id else None,
        outcomes=decisions.allowed_outcomes(item.post),
        next_url=next_url,
    )
    for name, value in overrides.items():
        setattr(view, name, value)
    return view


def load_item(post_id: int) -> QueueItem:
    item = queries.item_for(post_id)
    if item is None:
        abort(404)
    return item


def render_item(view: ItemView, *, status: int = 200, announce: str = ""):
    """The item page, or (htmx) the item alone; errors swap back into the item's own place."""
    response = render_page_or_fragment(
        "moderation/item.html",
        "moderation/_queue_item.html",
        status=status,
        entry=view,
        announce=announce,
        partial=is_partial_request(),
        form=_first_with_errors(view),
    )
    if status >= 400 and is_partial_request():
        retarget(response, f"#queue-item-{view.post.id}", swap="outerHTML")
    return response


def _first_with_errors(view: ItemView):
    for form in (view.decision, view.warn, view.suspend, view.lift):
        if form.errors:
            return form
    return None
