"""Live updates during a meeting (polling with ETags) and the query budget of the list pages."""

import random
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import request_started, template_rendered

from app import security
from app.extensions import db
from app.models import Board, Meeting, MeetingStatus, Post, User
from tests import factories
from tests.boards.conftest import HX, text


@contextmanager
def templates_rendered(app):
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


# Live updates ------------------------------------------------------------------------------


def live_url(page: str) -> str:
    match = re.search(
        r'<div id="live" class="live" data-live hx-get="([^"]+)" hx-trigger="every 10s"', page
    )
    assert match, "no polling live region"
    return match.group(1).replace("&amp;", "&")


def test_board_polls_only_while_the_meeting_runs(world):
    running = world.board(phase="during")
    page = text(world.client().get(f"/boards/{running.id}"))
    assert live_url(page).startswith(f"/boards/{running.id}/live?since=")
    assert f'<a id="check-updates" href="/boards/{running.id}">Check for updates</a>' in page
    for phase in ("before", "after"):
        board = world.board(phase=phase)
        page = text(world.client().get(f"/boards/{board.id}"))
        assert 'id="live"' not in page and 'id="check-updates"' not in page


def test_unchanged_board_answers_a_poll_with_304_and_no_rendering(app, world, count_queries):
    board = world.board(phase="during")
    world.thread(board, world.user())
    client = world.client()
    url = live_url(text(client.get(f"/boards/{board.id}")))
    first = client.get(url, headers=HX)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "private" in first.headers["Cache-Control"]
    assert 'id="show-new-posts"' not in text(first)
    with templates_rendered(app) as rendered, count_queries() as queries:
        again = client.get(url, headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert rendered == [] and queries.count == 1, queries.statements


def test_an_unchanged_poll_is_answered_before_the_app(app, world):
    """The shortcut (app.boards.live.PollShortcut): no session, hooks or views for a 304, the
    same headers as the app gives; a draft's board is left to the app and its rules."""
    board = world.board(phase="during")
    client = world.client()
    url = live_url(text(client.get(f"/boards/{board.id}")))
    etag = client.get(url).headers["ETag"]
    started = []
    with request_started.connected_to(lambda sender, **kw: started.append(1), app):
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and started == []
        assert again.headers["ETag"] == etag and "Set-Cookie" not in again.headers
        assert again.headers["Cache-Control"] == "private, no-cache"
        for name, value in security.HEADERS.items():
            assert again.headers[name] == value
        world.update(Meeting, world.get(Board, board.id).meeting_id, status="draft")
        hidden = client.get(url, headers={"If-None-Match": etag})
        assert hidden.status_code == 404 and started == [1]


def test_poll_reports_new_posts_and_changed_votes(world):
    board = world.board(phase="during")
    question = world.thread(board, world.user())
    client = world.client()
    url = live_url(text(client.get(f"/boards/{board.id}")))
    etag = client.get(url, headers=HX).headers["ETag"]
    world.vote(question, world.user())
    changed = client.get(url, headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Votes or posts have changed" in text(changed)
    world.thread(board, world.user())
    world.reply(question, world.user())
    body = text(client.get(url, headers=HX))
    assert f'<a id="show-new-posts" href="/boards/{board.id}">2 new posts – Show them</a>' in body
    assert 'hx-trigger="every 10s"' in body and "data-live" in body


def test_poll_stops_when_the_meeting_ends(world):
    board = world.board(phase="during")
    client = world.client()
    url = live_url(text(client.get(f"/boards/{board.id}")))
    with world.app.app_context():
        meeting = db.session.get(Board, board.id).meeting
        meeting.ends_at = meeting.starts_at + timedelta(minutes=1)
        db.session.commit()
    body = text(client.get(url, headers=HX))
    assert '<div id="live"' in body and "hx-trigger" not in body


def test_thread_polls_too(world):
    board = world.board(phase="during")
    thread = world.thread(board, world.user())
    client = world.client()
    page = text(client.get(f"/boards/threads/{thread.id}"))
    url = live_url(page)
    assert url.startswith(f"/boards/threads/{thread.id}/live?since=")
    assert f'<a id="check-updates" href="/boards/threads/{thread.id}">' in page
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # Activity elsewhere on the board does not disturb this thread.
    world.thread(board, world.user())
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    world.reply(thread, world.user())
    body = text(client.get(url, headers={"If-None-Match": etag}))
    assert "1 new post – Show them" in body


def test_live_follows_the_board_rules(world):
    draft = world.board(phase="during", status=MeetingStatus.DRAFT)
    assert world.client(world.user()).get(f"/boards/{draft.id}/live").status_code == 404
    assert world.client().get("/boards/999/live").status_code == 404
    assert world.client().get("/boards/threads/999/live").status_code == 404


# Query budget ------------------------------------------------------------------------------


def _fill_board(app, threads: int, voter_id: int) -> int:
    """A board with `threads` threads (some voted by voter, some anonymous); returns its id."""
    with app.app_context():
        board = factories.meeting().boards[0]
        authors = [factories.user(password=None) for _ in range(5)]
        voter = db.session.get(User, voter_id)
        for i in range(threads):
            post = factories.thread(
                board,
                authors[i % 5],
                kind="question" if i % 3 else "discussion",
                anonymous=i % 7 == 0,
            )
            if post.kind == "question" and i % 2:
                factories.vote(post, voter)
        db.session.commit()
        return board.id


@pytest.mark.parametrize("who", ["visitor", "member", "moderator"])
def test_board_page_costs_the_same_for_10_or_500_threads(app, world, count_queries, who):
    from app.models import Role

    viewer = world.user({"member": Role.MEMBER, "moderator": Role.MODERATOR}.get(who, Role.MEMBER))
    small = _fill_board(app, 10, viewer.id)
    large = _fill_board(app, 500, viewer.id)
    client = world.client(None if who == "visitor" else viewer)
    counts, again = [], []
    for board_id in (small, large):
        for url in (f"/boards/{board_id}", f"/boards/{board_id}?sort=active&kind=question"):
            for seen in (counts, again):
                with count_queries() as queries:
                    assert client.get(url).status_code == 200
                seen.append(queries.count)
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert again[0] == again[2] and again[1] == again[3], again
    # Moderation adds one query for a logged-in member (their standing: warnings banner and
    # suspension) and one more for moderators (the queue count in the navigation);
    # notifications one for members (whether they follow the board); the kept list
    # (app.fragments) one for its key, one for a member's held threads, one for their votes.
    assert counts[0] <= 10, counts
    # The second time the page is kept (moderators' too): no count, threads, agenda notes.
    assert again[0] <= counts[0] - 3, (counts, again)


def _fill_thread(app, replies: int) -> int:
    """A thread with `replies` replies in a random tree (deep chains included)."""
    rng = random.Random(replies)
    with app.app_context():
        board = factories.meeting().boards[0]
        authors = [factories.user(password=None) for _ in range(5)]
        thread = factories.thread(board, authors[0])
        posts = [thread]
        for i in range(replies):
            # Mostly answer a recent post, so that some branches run deep.
            parent = posts[-1] if rng.random() < 0.4 else rng.choice(posts)
            posts.append(factories.reply(parent, authors[i % 5], anonymous=i % 11 == 0))
        db.session.commit()
        assert max(p.depth for p in posts) > 5
        return thread.id


def test_thread_page_costs_the_same_for_5_or_500_replies(app, world, count_queries):
    small = _fill_thread(app, 8)
    large = _fill_thread(app, 500)
    member = world.user()
    counts, again = [], []
    for client in (world.client(), world.client(member)):
        for thread_id in (small, large):
            for seen in (counts, again):
                with count_queries() as queries:
                    response = client.get(f"/boards/threads/{thread_id}")
                assert response.status_code == 200
                seen.append(queries.count)
    assert counts[0] == counts[1] and counts[2] == counts[3], counts
    assert again[0] == again[1], again
    # A fixed budget whatever the size of the thread (the agenda note on the thread is one;
    # moderation's are the member's standing and the posts on the page they reported; the
    # kept replies (app.fragments) one for their key and one for a member's held replies).
    assert counts[2] <= 14, counts
    # Kept the second time (app.fragments): no replies, agenda notes, actions or forms; the
    # member's votes, follows and reports are one query each. A page bigger than a quarter of
    # the cache (the 500 replies in one page here) is drawn each time.
    assert again[2] <= counts[2] - 6, (counts, again)
    assert again[3] <= counts[3], (counts, again)
    with world.app.app_context():
        assert db.session.query(Post).filter_by(root_id=large).count() == 500


def test_a_reply_fragment_loads_in_fixed_queries(app, world, count_queries):
    thread_id = _fill_thread(app, 60)
    client = world.client(world.user())
    with count_queries() as queries:
        client.get(f"/boards/posts/{thread_id}/reply", headers=HX)
    assert queries.count <= 4, queries.statements
