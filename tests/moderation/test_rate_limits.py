"""Rate limits on reporting and posting: counted in Redis so that every worker and host shares
them (two app instances here), a clear 429 page or fragment, and one switch for them all."""

import pytest
import redis

from app.models import Flag
from tests.conftest import app_on_test_database
from tests.moderation.conftest import HX, ModerationWorld, text

REDIS_DB = 7
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"


@pytest.fixture
def shared_redis():
    """Redis db 7, emptied before and after (the limiter keeps its counters there)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def two_hosts(_schema, database_uri, tmp_path, shared_redis):
    """Two app instances with limits on, sharing one Redis (as two hosts would)."""
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_FLAG": "2 per minute",
        "RATELIMIT_POST": "5 per minute",
        "RATELIMIT_POST_NEW": "1 per minute",
    }
    with (
        app_on_test_database(database_uri, tmp_path / "a", **settings) as first,
        app_on_test_database(database_uri, tmp_path / "b", **settings) as second,
    ):
        yield ModerationWorld(first), ModerationWorld(second)


def flag(client, post_id, headers=None):
    return client.post(
        f"/moderation/posts/{post_id}/flag",
        data={f"flag-{post_id}-reason": "spam"},
        headers=headers or {},
    )


def test_report_limit_holds_across_two_hosts(two_hosts, shared_redis):
    a, b = two_hosts
    board = a.board()
    author, member = a.user(), a.user()
    posts = [a.thread(board, author) for _ in range(4)]
    on_a, on_b = a.client(member), b.client(member)
    assert flag(on_a, posts[0].id).status_code == 302
    assert flag(on_b, posts[1].id).status_code == 302
    refused = flag(on_a, posts[2].id)
    assert refused.status_code == 429
    assert "Too many attempts" in text(refused) and "Try again in" in text(refused)
    assert refused.headers.get("Retry-After")
    fragment = flag(on_b, posts[2].id, headers=HX)
    assert fragment.status_code == 429 and "<html" not in text(fragment)
    assert fragment.headers["HX-Retarget"] == "#htmx-errors"
    assert 'data-status="429"' in text(fragment) and "Try again in" in text(fragment)
    assert a.count(Flag) == 2
    # The counts live in Redis: emptied there, the member may report again on either host.
    assert shared_redis.dbsize() > 0
    shared_redis.flushdb()
    assert flag(on_b, posts[2].id).status_code == 302
    # Another member has their own allowance.
    assert flag(a.client(a.user()), posts[3].id).status_code == 302


def test_a_form_with_a_mistake_does_not_count(two_hosts):
    a, _ = two_hosts
    board = a.board()
    post = a.thread(board, a.user())
    client = a.client(a.user())
    for _ in range(3):
        assert client.post(f"/moderation/posts/{post.id}/flag", data={}).status_code == 422
    assert flag(client, post.id).status_code == 302


def test_new_members_have_a_stricter_posting_limit(two_hosts):
    a, b = two_hosts
    board = a.board()
    newcomer = a.user()
    data = {"kind": "question", "title": "A question"}
    assert a.client(newcomer).post(f"/boards/{board.id}/threads", data=data).status_code == 302
    refused = b.client(newcomer).post(f"/boards/{board.id}/threads", data=data)
    assert refused.status_code == 429 and "Try again in" in text(refused)
    established = a.user()
    for _ in range(5):
        a.thread(board, established)
    client = b.client(established)
    for _ in range(2):
        assert client.post(f"/boards/{board.id}/threads", data=data).status_code == 302


def test_one_setting_switches_every_limit_off(_schema, database_uri, tmp_path, shared_redis):
    with app_on_test_database(
        database_uri,
        tmp_path / "off",
        RATELIMIT_ENABLED=False,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_FLAG="1 per minute",
        RATELIMIT_POST_NEW="1 per minute",
    ) as app:
        world = ModerationWorld(app)
        board = world.board()
        member = world.user()
        posts = [world.thread(board, world.user()) for _ in range(3)]
        client = world.client(member)
        assert [flag(client, p.id).status_code for p in posts] == [302, 302, 302]
        data = {"kind": "question", "title": "Again"}
        assert [
            client.post(f"/boards/{board.id}/threads", data=data).status_code for _ in range(3)
        ] == [302, 302, 302]
