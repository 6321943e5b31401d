"""Held posts: a new member's first posts, posts full of links, and boards that hold every post;
what the author sees and may do meanwhile; the facilitators' toggle."""

import pytest

from app.models import AuditEvent, Board, Post, Review, Role
from app.moderation import services
from tests.moderation.conftest import HX, text

LINKS = (
    "See https://a.example.org https://b.example.org https://c.example.org https://d.example.org"
)


def _post_thread(client, board_id, title="My first question", body=""):
    return client.post(
        f"/boards/{board_id}/threads", data={"kind": "question", "title": title, "body": body}
    )


def test_a_new_members_first_post_waits_for_review(world, holding):
    board = world.board()
    newcomer = world.user()
    client = world.client(newcomer)
    response = _post_thread(client, board.id)
    assert response.status_code == 302
    post_id = int(response.headers["Location"].split("/threads/")[1].split("#")[0])
    post = world.get(Post, post_id)
    assert post.held_at is not None and post.held_reason == "first_posts"
    assert "Your post is waiting for review" in text(client.get(response.headers["Location"]))
    own = text(client.get(f"/boards/threads/{post_id}"))
    assert "Waiting for review" in own
    assert "A new member&#39;s first posts are read by a moderator" in own
    assert (
        "A moderator usually reviews posts within a day. You can edit your post meanwhile." in own
    )
    assert "My first question" not in text(world.client(world.user()).get(f"/boards/{board.id}"))
    assert world.get(Board, board.id).question_count == 0
    assert world.review_of(post).cause == "held"
    assert [e.detail for e in world.events("moderation.held")] == ["first_posts"]
    # The author may edit it while it waits.
    edited = client.post(
        f"/boards/posts/{post_id}/edit", data={"title": "My first question, edited", "body": ""}
    )
    assert edited.status_code == 302
    assert world.get(Post, post_id).title == "My first question, edited"
    # Their second post is held too until one is approved (N=1 counts approved posts).
    world.decide(post, world.moderator(), "approved")
    second = _post_thread(client, board.id, title="My second question")
    second_id = int(second.headers["Location"].split("/threads/")[1].split("#")[0])
    assert world.get(Post, second_id).held_at is None
    assert world.get(Board, board.id).question_count == 2


def test_htmx_shows_the_held_thread_to_its_author(world, holding):
    board = world.board()
    client = world.client(world.user())
    response = client.post(
        f"/boards/{board.id}/threads",
        data={"kind": "question", "title": "Waiting here"},
        headers=HX,
    )
    assert response.status_code == 200 and "Waiting for review" in text(response)


def test_a_held_reply_through_the_route(world, holding):
    board = world.board()
    thread = world.thread(board, world.user())
    client = world.client(world.user())
    response = client.post(
        f"/boards/posts/{thread.id}/replies", data={f"reply-{thread.id}-body": "Hello all"}
    )
    assert response.status_code == 302
    assert "Your reply is waiting for review" in text(client.get(f"/boards/threads/{thread.id}"))
    assert world.get(Post, thread.id).reply_count == 0
    inline = client.post(
        f"/boards/posts/{thread.id}/replies",
        data={f"reply-{thread.id}-body": "And again"},
        headers=HX,
    )
    assert inline.status_code == 200 and "Waiting for review" in text(inline)


def test_links_from_new_members_are_held(world, app):
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 0
    board = world.board()
    client = world.client(world.user())
    response = _post_thread(client, board.id, title="Sources", body=LINKS)
    post_id = int(response.headers["Location"].split("/threads/")[1].split("#")[0])
    assert world.get(Post, post_id).held_reason == "links"
    few = _post_thread(client, board.id, title="Fewer", body="https://a.example.org only")
    few_id = int(few.headers["Location"].split("/threads/")[1].split("#")[0])
    assert world.get(Post, few_id).held_at is None


def test_established_members_links_are_not_held(world, app):
    app.config.update(MODERATION_HOLD_FIRST_POSTS=0, MODERATION_NEW_MEMBER_POSTS=2)
    board = world.board()
    member = world.user()
    for _ in range(2):
        world.thread(board, member)
    response = _post_thread(world.client(member), board.id, title="Sources", body=LINKS)
    post_id = int(response.headers["Location"].split("/threads/")[1].split("#")[0])
    assert world.get(Post, post_id).held_at is None


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.MODERATOR, Role.ADMIN])
def test_appointed_people_are_never_held(world, holding, role):
    board = world.board()
    world.update(Board, board.id, hold_posts=True)
    response = _post_thread(world.client(world.user(role)), board.id)
    post_id = int(response.headers["Location"].split("/threads/")[1].split("#")[0])
    assert world.get(Post, post_id).held_at is None


def test_a_board_that_holds_every_post(world, app):
    board = world.board()
    world.update(Board, board.id, hold_posts=True)
    member = world.user()
    for _ in range(6):
        world.thread(board, member)  # an established member
    response = _post_thread(world.client(member), board.id)
    post_id = int(response.headers["Location"].split("/threads/")[1].split("#")[0])
    post = world.get(Post, post_id)
    assert post.held_reason == "board"
    page = text(world.client(member).get(f"/boards/threads/{post_id}"))
    assert "The facilitators asked for every post on this board" in page


def test_hold_reason_rules(app, world):
    board = world.board()
    member = world.user()
    with app.app_context():
        from app.extensions import db
        from app.models import User

        b, m = db.session.get(Board, board.id), db.session.get(User, member.id)
        app.config["MODERATION_HOLD_FIRST_POSTS"] = 2
        assert services.hold_reason(b, m, "text") == "first_posts"
        app.config["MODERATION_HOLD_FIRST_POSTS"] = 0
        assert services.hold_reason(b, m, "text") is None
        assert services.hold_reason(b, m, LINKS) == "links"
        assert services.count_links(LINKS) == 4
        assert services.count_links("[one](https://a.example.org) and www.b.example.org") == 2
        assert services.is_new_member(m)


# The facilitators' toggle ------------------------------------------------------------------


def test_facilitator_turns_holding_on_and_off(world):
    board = world.board()
    facilitator = world.client(world.user(Role.FACILITATOR))
    page = text(facilitator.get(f"/boards/{board.id}"))
    assert 'id="hold-posts" aria-pressed="false"' in page
    response = facilitator.post(f"/boards/{board.id}/hold-posts", data={"hold": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/boards/{board.id}"
    assert world.get(Board, board.id).hold_posts is True
    page = text(facilitator.get(f"/boards/{board.id}"))
    assert 'id="hold-posts" aria-pressed="true"' in page
    assert "Every new post waits for a moderator" in page
    facilitator.post(f"/boards/{board.id}/hold-posts", data={"hold": "0"})
    assert world.get(Board, board.id).hold_posts is False
    actions = [e.action for e in world.events() if e.action.startswith("board.hold")]
    assert actions == ["board.hold_posts_on", "board.hold_posts_off"]
    assert world.count(AuditEvent, action="board.hold_posts_on") == 1


def test_hold_toggle_permissions_and_bad_values(world):
    board = world.board()
    url = f"/boards/{board.id}/hold-posts"
    visitor = world.client().post(url, data={"hold": "1"})
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert world.client(world.user()).post(url, data={"hold": "1"}).status_code == 403
    assert world.client(world.user(Role.MODERATOR)).post(url, data={"hold": "1"}).status_code == 403
    facilitator = world.client(world.user(Role.FACILITATOR))
    assert facilitator.post(url, data={"hold": "yes"}).status_code == 400
    assert facilitator.post("/boards/99999/hold-posts", data={"hold": "1"}).status_code == 404
    assert world.get(Board, board.id).hold_posts is False
    assert world.client(world.user(Role.ADMIN)).post(url, data={"hold": "1"}).status_code == 302


def test_approving_a_held_post_publishes_and_counts_it(world):
    board = world.board()
    held = world.held(board, world.user(), title="Now public")
    world.decide(held, world.moderator(), "approved", "")
    assert "Now public" in text(world.client().get(f"/boards/{board.id}"))
    assert world.get(Board, board.id).question_count == 1
    assert world.count(Review, post_id=held.id) == 1
