"""Live updates while a meeting runs (ACCESSIBILITY.md §8): pages poll a small notice.

The notice's ETag comes from a version the services bump in the same transaction as every post,
edit, removal and vote, so an unchanged board or thread answers a poll with one query, a 304
and no template rendering.
"""

from collections.abc import Callable

from flask import current_app, render_template, request, url_for
from flask.wrappers import Response

from app.boards import queries
from app.boards.services import BoardState
from app.models import Board, Post


def board_live(board: Board, state: BoardState) -> dict | None:
    """The live region of a board page, or None outside the meeting."""
    if not state.live:
        return None
    after = queries.newest_post_id(board.id)
    return {
        "on": True,
        "url": url_for("boards.live", board_id=board.id, since=board.version, after=after),
        "new_count": 0,
        "changed": False,
        "page_url": url_for("boards.board", board_id=board.id),
    }


def thread_live(thread: Post, state: BoardState) -> dict | None:
    """The live region of a thread page, or None outside the meeting."""
    if not state.live:
        return None
    after = queries.newest_reply_id(thread.id)
    return {
        "on": True,
        "url": url_for("boards.thread_live", post_id=thread.id, since=thread.version, after=after),
        "new_count": 0,
        "changed": False,
        "page_url": url_for("boards.thread", post_id=thread.id),
    }


def _no_cache(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    # Stored by the browser but checked every time; private: drafts are not for everyone.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def not_modified(etag: str) -> Response | None:
    """The 304 for a poll whose ETag still holds, else None."""
    if request.if_none_match.contains(etag):
        return _no_cache(current_app.response_class(status=304), etag)
    return None


def conditional_live(
    *, etag: str, on: bool, version: int, count_new: Callable[[int], int], page_url: str
) -> Response:
    """Answer a poll: 304 when the client's ETag still holds, else the notice.

    `since` and `after` in the URL are what the page showed (version and newest post id); the
    notice counts what arrived since. Outside the meeting the notice comes back without its
    polling trigger, which stops the polling.
    """
    if (unchanged := not_modified(etag)) is not None:
        return unchanged
    since = request.args.get("since", type=int)
    after = request.args.get("after", 0, type=int)
    changed = since is not None and since != version
    live = {
        "on": on,
        "url": request.full_path.rstrip("?"),
        "new_count": count_new(after) if changed else 0,
        "changed": changed,
        "page_url": page_url,
    }
    response = current_app.make_response(render_template("boards/_live.html", live=live))
    return _no_cache(response, etag)
