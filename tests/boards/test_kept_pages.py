"""Board and thread pages kept for every member (app.fragments): each member still sees their
own votes, follows, reports, posts and CSRF token, never another's; every change shows on the
next request, whichever process served the page before."""

import re

import pytest
from sqlalchemy import delete, update

from app import content_generation, fragments
from app.extensions import db
from app.models import ContentGeneration, Post, Role, User
from app.models.moderation import Outcome
from app.moderation import decisions
from app.moderation import services as moderation
from app.notifications import follows
from tests.boards.conftest import csrf_token_from, text

pytestmark = pytest.mark.usefixtures("app")


def _generation(world) -> int:
    with world.app.app_context():
        return db.session.get(ContentGeneration, 1).value


def _pressed(html: str, post_id: int) -> str:
    match = re.search(rf'id="vote-{post_id}"[^>]*aria-pressed="(\w+)"', html)
    assert match, f"no vote button for {post_id}"
    return match.group(1)


@pytest.fixture
def scene(world):
    board = world.board(phase="during")
    alice, bob = world.user(name="Alice Aye"), world.user(name="Bob Bee")
    author = world.user(name="Carol Sea")
    question = world.thread(board, author, title="How do we share power?")
    mine = world.thread(board, alice, title="Alice asks anonymously", anonymous=True)
    reply = world.reply(question, author, body="A reply by Carol")
    world.vote(question, alice)
    return board, alice, bob, author, question, mine, reply


@pytest.mark.parametrize("first", ["alice", "bob"])
def test_a_kept_board_shows_each_member_their_own_votes_posts_and_token(world, scene, first):
    board, alice, bob, _, question, mine, _ = scene
    clients = {"alice": world.client(alice), "bob": world.client(bob)}
    pages = {}
    for name in (first, "bob" if first == "alice" else "alice"):
        pages[name] = clients[name].get(f"/boards/{board.id}").get_data(as_text=True)
    assert _pressed(pages["alice"], question.id) == "true"
    assert _pressed(pages["bob"], question.id) == "false"
    assert pages["alice"].count("You voted for this") == 1
    assert "You voted for this" not in pages["bob"]
    # Alice's anonymous thread: hers to see as such, a member's to Bob (who may vote on it).
    assert "you, posted anonymously" in pages["alice"]
    assert "you, posted anonymously" not in pages["bob"]
    assert f'id="vote-{mine.id}"' in pages["bob"] and f'id="vote-{mine.id}"' not in pages["alice"]
    # Every form carries the reader's own token.
    for name, html in pages.items():
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert tokens == {csrf_token_from(html)}, name
    assert csrf_token_from(pages["alice"]) != csrf_token_from(pages["bob"])
    assert "\x00" not in pages["alice"] + pages["bob"]


def test_a_kept_thread_shows_each_member_their_own_reports_follows_and_links(world, scene):
    board, alice, bob, author, question, _, reply = scene
    with world.app.app_context():
        moderation.flag_post(db.session.get(Post, reply.id), db.session.get(User, bob.id), "spam")
        follows.follow(bob.id, "thread", question.id)
        db.session.commit()
    url = f"/boards/threads/{question.id}"
    pages = {
        who: world.client(user).get(url).get_data(as_text=True)
        for who, user in (("author", author), ("bob", bob), ("alice", alice))
    }
    # The author edits their own posts; nobody else gets the links.
    assert f'id="edit-{reply.id}"' in pages["author"]
    assert f'id="edit-{reply.id}"' not in pages["bob"] + pages["alice"]
    # Bob reported the reply and follows the thread; Alice did neither.
    assert "You reported this post" in pages["bob"]
    assert "You reported this post" not in pages["alice"]
    assert 'name="follow" value="0"' in pages["bob"]
    assert 'name="follow" value="1"' in pages["alice"]
    assert _pressed(pages["alice"], question.id) == "true"
    assert _pressed(pages["bob"], question.id) == "false"


def test_changes_shown_on_the_next_request(world, scene):
    board, alice, bob, author, question, _, reply = scene
    client = world.client(bob)
    board_url, thread_url = f"/boards/{board.id}", f"/boards/threads/{question.id}"
    assert "Carol Sea" in text(client.get(board_url))
    assert "Carol Sea" in text(client.get(thread_url))
    # A name (the content generation moves).
    before = _generation(world)
    world.update(User, author.id, display_name="Carol Renamed")
    assert _generation(world) == before + 1
    assert "Carol Renamed" in text(client.get(board_url))
    assert "Carol Renamed" in text(client.get(thread_url))
    # A vote (the board's and the question's versions move).
    world.vote(question, bob)
    assert "2 votes" in text(client.get(board_url))
    assert _pressed(client.get(thread_url).get_data(as_text=True), question.id) == "true"
    # A report, which moderators see counted on the post.
    moderator = world.user(Role.MODERATOR)
    watching = world.client(moderator)
    assert "Reported by" not in text(watching.get(thread_url))
    with world.app.app_context():
        moderation.flag_post(db.session.get(Post, reply.id), db.session.get(User, bob.id), "spam")
        db.session.commit()
    assert "Reported by 1 member" in text(watching.get(thread_url))
    # A moderator's decision.
    with world.app.app_context():
        decisions.decide(
            db.session.get(Post, reply.id),
            db.session.get(User, moderator.id),
            Outcome.HIDDEN,
            "Off topic",
        )
        db.session.commit()
    assert "Hidden by the moderators" in text(client.get(thread_url))
    assert "Reported by" not in text(watching.get(thread_url))


def test_only_what_lists_show_moves_the_generation(world, scene):
    _, alice, _, _, question, _, _ = scene
    voter = world.user()
    before = _generation(world)
    world.vote(question, voter)  # versions, not the generation
    world.update(User, alice.id, session_gen=5)  # not shown anywhere
    assert _generation(world) == before
    world.update(User, alice.id, display_name="Alice Again")
    assert _generation(world) == before + 1


def test_the_cache_keeps_to_its_size():
    cache = fragments.FragmentCache(max_bytes=100)
    for n in range(10):
        cache.put(n, fragments.Fragment("x" * 20, {}))
    assert len(cache) == 5
    assert cache.get(0) is None and cache.get(9) is not None
    cache.put("big", fragments.Fragment("x" * 60, {}))  # over a quarter: not kept
    assert cache.get("big") is None


def test_without_its_counter_row_a_database_has_nothing_kept(world, scene):
    board, _, bob, author, _, _, _ = scene
    with world.app.app_context():
        db.session.execute(delete(ContentGeneration))
        db.session.commit()
    client = world.client(bob)
    assert "Carol Sea" in text(client.get(f"/boards/{board.id}"))
    with world.app.app_context():
        # A bulk update of a name: nothing moves a counter that is not there, so only drawing
        # every page afresh keeps the page true.
        db.session.execute(update(User).where(User.id == author.id).values(display_name="Carol B"))
        db.session.commit()
    assert "Carol B" in text(client.get(f"/boards/{board.id}"))
    # Only the page header is kept: it shows no data (app.layout).
    kept = list(world.app.extensions["rt_fragments"])
    assert kept and all(key[0] == "site-header" for key in kept)


def test_the_generation_read_with_the_member_serves_until_the_session_writes(world, scene):
    _, _, bob, author, _, _, _ = scene
    with world.app.test_request_context("/"):
        before = content_generation.read()
        content_generation.remember(before)
        assert content_generation.read() == before
        # A write (here a bulk one) forgets it: the next key is read again, and so moves on.
        db.session.execute(update(User).where(User.id == author.id).values(display_name="C B"))
        db.session.commit()
        assert content_generation.read() == before + 1
        content_generation.remember(before + 1)
        db.session.get(User, bob.id).display_name = "Bob B"
        db.session.flush()
        db.session.rollback()
        assert "rt_generation" not in db.session.info
    # Nor does a session kept past its request (tests keep one) carry it into the next one.
    with world.app.app_context():
        with world.app.test_request_context("/"):
            content_generation.remember(before + 1)
            assert "rt_generation" in db.session.info
        assert "rt_generation" not in db.session.info
