"""What every boards view shares: loading with the visibility rule, rate limits, URLs."""

from flask import abort, current_app, g, make_response, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.boards import bp, queries, services
from app.boards.mentions import member_path
from app.extensions import db, limiter
from app.main.errors import render_error
from app.models import Board, Post
from app.models.moderation import can_see
from app.models.posts import Phase
from app.moderation import services as moderation

_SAMPLE_ID = 1_000_000_007  # a user id no other digit of a profile path can be mistaken for

PHASE_LABELS = {
    Phase.BEFORE: "Before the meeting",
    Phase.DURING: "During the meeting",
    Phase.AFTER: "After the meeting",
}


def board_or_404(board_id: int) -> Board:
    """The board, or 404 when it does not exist or the viewer may not see it (drafts)."""
    board = services.get_board(board_id)
    if board is None or not services.can_view(board, current_user):
        abort(404)
    return board


def post_or_404(post_id: int) -> Post:
    """The post (with its board and meeting), or 404 under the same rule as its board, and
    for a held post, to anyone but its author and the moderators (the visibility rule)."""
    post = services.get_post(post_id)
    if post is None or not services.can_view(post.board, current_user):
        abort(404)
    if not can_see(post, current_user):
        abort(404)
    return post


def commit_keeping_loaded() -> None:
    """Commit without expiring what the request loaded, for an answer rendered from objects
    it already holds (whose changed counters the service set or expired itself)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def require_participation() -> None:
    """Refuse (403, saying why and until when) a suspended member's attempt to take part."""
    if problem := moderation.participation_problem(current_user):
        abort(make_response(render_error(403, problem)))


def user_key() -> str:
    """Rate limits count per member (a visitor, refused anyway, counts per address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def _posted(response) -> bool:
    # Only a post actually written counts: previews and forms with mistakes are free.
    return bool(g.get("boards_posted"))


def mark_posted() -> None:
    """Tell the posting rate limit that this request wrote a post."""
    g.boards_posted = True


def _established() -> bool:
    # Moderation's "new member" has few published posts (one query, kept for the request).
    return not (current_user.is_authenticated and moderation.is_new_member(current_user))


# One allowance for new threads and replies together; new members also have a stricter one.
_limit_everyone = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_POST"],
    scope="boards-posting",
    key_func=user_key,
    methods=["POST"],
    deduct_when=_posted,
)
_limit_new_members = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_POST_NEW"],
    scope="boards-posting-new",
    key_func=user_key,
    methods=["POST"],
    deduct_when=_posted,
    exempt_when=_established,
)


def limit_posting(view):
    """RATELIMIT_POST for everyone, and RATELIMIT_POST_NEW as well for new members."""
    return _limit_everyone(_limit_new_members(view))


limit_voting = limiter.limit(
    lambda: current_app.config["RATELIMIT_VOTE"], key_func=user_key, methods=["POST"]
)


def current_path() -> str:
    """This page's path and query, as a `next` value."""
    return request.full_path.rstrip("?")


def post_url(post: Post) -> str:
    """Where a post is read: its thread page (on the right page of replies) at #post-<id>."""
    if post.is_thread:
        return url_for("boards.thread", post_id=post.id, _anchor=f"post-{post.id}")
    page = queries.reply_page_number(post, current_user)
    return url_for(
        "boards.thread",
        post_id=post.root_id,
        page=page if page > 1 else None,
        _anchor=f"post-{post.id}",
    )


@bp.context_processor
def board_helpers() -> dict:
    """Helpers every boards template uses (pages and fragments alike)."""

    def member_url(user_id: int) -> str | None:
        # Profiles are for members: visitors see names without links.
        if not current_user.is_authenticated:
            return None
        # Built once a request and filled in for each author: building it for every post on
        # a page (the URL map bound each time) was a visible share of a long thread's time.
        if "member_path_pattern" not in g:
            sample = member_path(_SAMPLE_ID)
            g.member_path_pattern = sample.replace(str(_SAMPLE_ID), "{}") if sample else None
        pattern = g.member_path_pattern
        return pattern.format(int(user_id)) if pattern else None

    return {"member_url": member_url, "phase_labels": PHASE_LABELS}
