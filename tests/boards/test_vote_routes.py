"""Voting: the toggle with and without htmx, who may vote, CSRF, rate limits, and exact counts
under concurrency."""

import random
import threading

import pytest

from app.extensions import db
from app.models import MeetingStatus, Post, Role, Vote
from tests.boards.conftest import HX, World, csrf_token_from, text, votes_and_count
from tests.conftest import app_on_test_database


def vote(client, post_id, want=None, next_url="/boards/1", headers=None):
    data = {"next": next_url}
    if want:
        data["want"] = want
    return client.post(f"/boards/posts/{post_id}/vote", data=data, headers=headers or {})


def test_vote_and_take_it_back_without_js(world):
    board = world.board()
    question = world.thread(board, world.user())
    client = world.client(world.user())
    response = vote(client, question.id, "add", next_url=f"/boards/{board.id}?sort=newest")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/{board.id}?sort=newest#post-{question.id}"
    assert votes_and_count(world, question.id) == (1, 1)
    assert "Vote recorded." in text(client.get(f"/boards/{board.id}"))
    vote(client, question.id, "remove")
    assert votes_and_count(world, question.id) == (0, 0)


def test_vote_with_htmx_swaps_the_control_and_announces(world):
    board = world.board()
    question = world.thread(board, world.user(), title="Shared power")
    client = world.client(world.user())
    response = vote(client, question.id, "add", next_url=f"/boards/{board.id}", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<form id="vote-form-{question.id}"')
    assert (
        f'id="vote-{question.id}" class="button button--secondary vote__button" aria-pressed="true"'
        in body
    )
    assert (
        'name="want" value="remove"' in body and f'name="next" value="/boards/{board.id}"' in body
    )
    assert '<div hx-swap-oob="innerHTML:#sr-status">Vote recorded. 1 vote.</div>' in body
    body = text(vote(client, question.id, "remove", headers=HX))
    assert 'aria-pressed="false"' in body and ">Vote removed.</div>" in body


def test_without_want_the_vote_toggles(world):
    board = world.board()
    question = world.thread(board, world.user())
    client = world.client(world.user())
    vote(client, question.id)
    assert votes_and_count(world, question.id) == (1, 1)
    vote(client, question.id)
    assert votes_and_count(world, question.id) == (0, 0)


def test_a_double_submission_counts_once(world):
    board = world.board()
    question = world.thread(board, world.user())
    client = world.client(world.user())
    vote(client, question.id, "add")
    vote(client, question.id, "add")
    assert votes_and_count(world, question.id) == (1, 1)
    vote(client, question.id, "remove")
    vote(client, question.id, "remove")
    assert votes_and_count(world, question.id) == (0, 0)


def test_next_must_be_on_this_site(world):
    board = world.board()
    question = world.thread(board, world.user())
    client = world.client(world.user())
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = vote(client, question.id, next_url=evil)
        assert response.headers["Location"] == f"/boards/{board.id}#post-{question.id}"


def test_hidden_counts_stay_hidden_in_the_answer(world):
    board = world.board(hide_votes=True)
    question = world.thread(board, world.user())
    body = text(vote(world.client(world.user()), question.id, "add", headers=HX))
    assert ">Vote recorded.</div>" in body and "1 vote" not in body
    assert 'aria-pressed="true"' in body


@pytest.mark.parametrize("case", ["own", "discussion", "reply", "closed", "cancelled", "removed"])
def test_votes_refused(world, case):
    board = world.board(
        closed=case == "closed",
        status=MeetingStatus.CANCELLED if case == "cancelled" else MeetingStatus.PUBLISHED,
    )
    author, voter = world.user(), world.user()
    post = world.thread(board, author, kind="discussion" if case == "discussion" else "question")
    if case == "reply":
        post = world.reply(post, author)
    if case == "removed":
        world.client(author).post(f"/boards/posts/{post.id}/remove")
    client = world.client(author if case == "own" else voter)
    assert vote(client, post.id, "add").status_code == 403
    refused = vote(client, post.id, "add", headers=HX)
    assert refused.status_code == 403 and refused.headers["HX-Retarget"] == "#htmx-errors"
    assert world.count(Vote) == 0


def test_visitors_are_sent_to_log_in(world):
    board = world.board()
    question = world.thread(board, world.user())
    response = vote(world.client(), question.id, "add")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    hx = vote(
        world.client(),
        question.id,
        "add",
        headers={**HX, "HX-Current-URL": f"http://localhost/boards/{board.id}"},
    )
    assert (
        hx.status_code == 401
        and hx.headers["HX-Redirect"] == f"/auth/login?next=/boards/{board.id}"
    )
    assert world.count(Vote) == 0


def test_unknown_and_draft_posts_are_404(world):
    client = world.client(world.user())
    assert vote(client, 999, "add").status_code == 404
    draft = world.board(status=MeetingStatus.DRAFT)
    question = world.thread(draft, world.user(Role.FACILITATOR))
    assert vote(client, question.id, "add").status_code == 404


def test_vote_needs_a_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    board = world.board()
    question = world.thread(board, world.user())
    client = world.client(world.user())
    refused = vote(client, question.id, "add", headers=HX)
    assert refused.status_code == 400 and "expired" in text(refused)
    assert world.count(Vote) == 0
    token = csrf_token_from(text(client.get(f"/boards/{board.id}")))
    accepted = vote(client, question.id, "add", headers={**HX, "X-CSRFToken": token})
    assert accepted.status_code == 200
    assert votes_and_count(world, question.id) == (1, 1)
    # The token in the form works too (no JavaScript).
    response = client.post(
        f"/boards/posts/{question.id}/vote", data={"want": "remove", "csrf_token": token}
    )
    assert response.status_code == 302 and world.count(Vote) == 0


# Rate limits -------------------------------------------------------------------------------


@pytest.fixture
def limited(_schema, database_uri, tmp_path):
    """An app with rate limits on (the limiter is shared: do not use the `app` fixture too)."""
    with app_on_test_database(
        database_uri,
        tmp_path / "outbox",
        RATELIMIT_ENABLED=True,
        RATELIMIT_VOTE="3 per minute",
        RATELIMIT_POST="2 per minute",
    ) as app:
        yield World(app)


def test_votes_are_rate_limited_per_member(limited):
    board = limited.board()
    author = limited.user()
    questions = [limited.thread(board, author) for _ in range(4)]
    client = limited.client(limited.user())
    statuses = [vote(client, q.id, "add").status_code for q in questions]
    assert statuses == [302, 302, 302, 429]
    # Another member has their own allowance.
    assert vote(limited.client(limited.user()), questions[3].id, "add").status_code == 302


def test_posting_is_rate_limited_but_previews_and_mistakes_are_free(limited):
    board = limited.board()
    client = limited.client(limited.user())
    url = f"/boards/{board.id}/threads"
    good = {"kind": "question", "title": "A question"}
    assert client.post(url, data={**good, "preview": "1"}).status_code == 200
    assert client.post(url, data={"kind": "question"}).status_code == 422
    assert client.post(url, data=good).status_code == 302
    thread_id = _max_id(limited)
    assert (
        client.post(
            f"/boards/posts/{thread_id}/replies", data={f"reply-{thread_id}-body": "x"}
        ).status_code
        == 302
    )
    refused = client.post(url, data=good)
    assert refused.status_code == 429 and "Too many attempts" in text(refused)
    assert limited.count(Post) == 2


def _max_id(world) -> int:
    with world.app.app_context():
        from sqlalchemy import func, select

        return db.session.scalar(select(func.max(Post.id)))


# Concurrency -------------------------------------------------------------------------------


def test_count_is_exact_under_concurrent_votes(world):
    """20 members vote and un-vote at once, each from their own client and thread."""
    board = world.board()
    question = world.thread(board, world.user())
    members = [world.user() for _ in range(20)]
    toggles = {m.id: random.Random(m.id).randint(3, 8) for m in members}
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def run(member):
        try:
            client = world.client(member)
            start.wait()
            for i in range(toggles[member.id]):
                want = "add" if i % 2 == 0 else "remove"
                status = vote(client, question.id, want, headers=HX).status_code
                assert status == 200, status
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    expected = sum(1 for n in toggles.values() if n % 2 == 1)
    assert votes_and_count(world, question.id) == (expected, expected)


def test_count_is_exact_when_one_member_double_clicks_in_parallel(world):
    board = world.board()
    question = world.thread(board, world.user())
    member = world.user()
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def run():
        try:
            client = world.client(member)
            start.wait()
            vote(client, question.id, "add", headers=HX)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert votes_and_count(world, question.id) == (1, 1)


def test_phase_is_not_a_vote_matter(world):
    """Votes work during and after the meeting too, while the board is open."""
    for phase in ("during", "after"):
        board = world.board(phase=phase)
        question = world.thread(board, world.user())
        assert vote(world.client(world.user()), question.id, "add").status_code == 302


def test_an_htmx_vote_costs_a_fixed_handful_of_statements(world, count_queries):
    """The member (with whether they have a moderation notice: no), the post with its board,
    the vote row, the two counters: the answer is rendered from what is loaded (no second read
    of the post or the member)."""
    board = world.board()
    question = world.thread(board, world.user())
    client = world.client(world.user())
    client.get(f"/boards/{board.id}")  # the session's first request may refresh it
    counts = {}
    for label, want in (("add", "add"), ("remove", "remove"), ("toggle on", None), ("off", None)):
        with count_queries() as queries:
            response = vote(client, question.id, want, headers=HX)
        assert response.status_code == 200
        counts[label] = queries.count
        assert sum(s.lstrip().upper().startswith("SELECT") for s in queries.statements) == 2, (
            queries.statements
        )
    # The toggle's delete finds no row before it adds one: one statement more, never two.
    assert counts == {"add": 5, "remove": 5, "toggle on": 6, "off": 5}, counts
    assert votes_and_count(world, question.id) == (0, 0)
