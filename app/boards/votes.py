"""Up-votes on questions: a toggle that keeps its count exact under concurrency."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.boards import bp, services
from app.boards.common import (
    commit_keeping_loaded,
    limit_voting,
    post_or_404,
    require_participation,
)
from app.boards.forms import VoteForm
from app.extensions import db
from app.htmx import is_partial_request
from app.permissions import member_required, safe_next


@bp.post("/posts/<int:post_id>/vote")
@limit_voting
@member_required
def vote(post_id: int):
    """Add or take back the member's vote on a question (not their own, not on a closed board).

    `want` says what the button showed, so a double submission cannot undo itself. htmx gets the
    control back in place and an announcement; without JavaScript the page reloads at the post.
    """
    post = post_or_404(post_id)
    board = post.board
    require_participation()
    if services.vote_problem(post, current_user, board):
        abort(403)
    form = VoteForm()
    back = safe_next(form.next.data, default=url_for("boards.board", board_id=post.board_id))
    if form.want.data in ("add", "remove"):
        result = services.set_vote(post, current_user, form.want.data == "add")
    else:
        result = services.toggle_vote(post, current_user)
    if is_partial_request():
        state = services.board_state(post.board, current_user)
        # The answer shows the post, board and member already loaded, and the count the UPDATE
        # returned: kept as they are through the commit instead of read again after it.
        commit_keeping_loaded()
        return render_template(
            "boards/_vote_response.html",
            post=post,
            voted=result.voted,
            state=state,
            next_url=back,
        )
    db.session.commit()
    flash("Vote recorded." if result.voted else "Vote removed.", "info")
    return redirect(f"{back.split('#')[0]}#post-{post.id}")
