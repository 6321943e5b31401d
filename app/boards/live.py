"""Live updates while a meeting runs (ACCESSIBILITY.md §8): pages poll a small notice.

The notice's ETag comes from a version the services bump in the same transaction as every post,
edit, removal and vote, so an unchanged board or thread answers a poll with one query, a 304
and no template rendering.
"""

import re
from collections.abc import Callable

from flask import Flask, current_app, render_template, request, url_for
from flask.wrappers import Response
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_etags, quote_etag

from app import security
from app.boards import queries
from app.boards.services import BoardState
from app.extensions import db
from app.models import Board, MeetingStatus, Post
from app.models.meetings import phase_at


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


class PollShortcut:
    """WSGI middleware: an unchanged poll of a published board's live notice, answered 304
    before Flask, with one statement on a pooled connection.

    Everyone on a running meeting's board polls every few seconds, so the unchanged answer is
    the busiest request there is; through Flask it costs a session, the hooks and the ORM's
    execution path for a body-less 304 that reveals nothing beyond "unchanged". Anything else
    (a draft's board, which only facilitators may see; a changed board; no If-None-Match;
    the database away) goes to Flask as before, which gives the same ETag for the same state.
    """

    PATH = re.compile(r"/boards/(\d+)/live\Z")

    def __init__(self, app: Flask):
        self.flask = app
        self.wsgi_app = app.wsgi_app
        self._engine = None
        secure = app.config.get("SESSION_COOKIE_SECURE")
        self.headers = [*security.HEADERS.items(), ("Cache-Control", "private, no-cache")]
        if secure:
            self.headers.append(("Strict-Transport-Security", security.HSTS))

    def __call__(self, environ, start_response):
        asked = environ.get("HTTP_IF_NONE_MATCH")
        found = (
            asked
            and environ["REQUEST_METHOD"] == "GET"
            and self.PATH.match(environ.get("PATH_INFO", ""))
        )
        if found:
            etag = self._etag(int(found.group(1)))
            if etag is not None and parse_etags(asked).contains(etag):
                start_response("304 NOT MODIFIED", [("ETag", quote_etag(etag)), *self.headers])
                return []
        return self.wsgi_app(environ, start_response)

    def _etag(self, board_id: int) -> str | None:
        if self._engine is None:
            with self.flask.app_context():
                self._engine = db.engine
        try:
            with self._engine.connect() as connection:
                row = connection.execute(queries.live_state_query(), {"board_id": board_id})
                row = row.first()
        except SQLAlchemyError:
            return None  # Flask answers (the 503 page when the database is away)
        if row is None or row.status == MeetingStatus.DRAFT:
            return None
        return board_etag(board_id, row.version, phase_at(row.starts_at, row.ends_at))


def board_etag(board_id: int, version: int, phase: str) -> str:
    return f"board-{board_id}-{version}-{phase}"
