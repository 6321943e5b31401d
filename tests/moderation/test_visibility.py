"""The one visibility rule (app.models.moderation.visible) and where it applies: board lists,
thread replies, similar questions, live counts, agenda candidates, counters and single posts."""

import re

import pytest
from sqlalchemy import select

from app.agenda import queries as agenda_queries
from app.boards import queries as board_queries
from app.extensions import db
from app.models import Board, Post, Role, User, visible
from app.models.moderation import can_see
from tests.moderation.conftest import HX, text


@pytest.fixture
def scene(world):
    """A board with a published, a hidden and a held question, by different authors."""
    board = world.board()
    author, held_author, mod = world.user(), world.user(), world.moderator()
    published = world.thread(board, author, title="Published question")
    hidden = world.thread(board, author, title="Hidden question")
    world.decide(hidden, mod, "hidden", "Personal attack")
    held = world.held(board, held_author, title="Held question")
    return board, author, held_author, mod, published, hidden, held


def _ids(app, user_id=None, in_place=False) -> set[int]:
    with app.app_context():
        user = db.session.get(User, user_id) if user_id else None
        return set(db.session.scalars(visible(select(Post.id), user, in_place=in_place)))


def test_visible_applies_one_rule_for_each_viewer(app, world, scene):
    board, author, held_author, mod, published, hidden, held = scene
    other = world.user()
    admin = world.user(Role.ADMIN)
    assert _ids(app) == {published.id}
    assert _ids(app, other.id) == {published.id}
    assert _ids(app, author.id) == {published.id, hidden.id}  # their own hidden post
    assert _ids(app, held_author.id) == {published.id, held.id}  # their own held post
    assert _ids(app, mod.id) == _ids(app, admin.id) == {published.id, hidden.id, held.id}
    # In a thread, a hidden post keeps its place; a held one still has none.
    assert _ids(app, other.id, in_place=True) == {published.id, hidden.id}
    # can_see (one loaded post) agrees with visible() for every viewer.
    with app.app_context():
        for viewer_id in (None, other.id, author.id, held_author.id, mod.id):
            viewer = db.session.get(User, viewer_id) if viewer_id else None
            for in_place in (False, True):
                expected = _ids(app, viewer_id, in_place)
                for post in db.session.scalars(select(Post)):
                    assert can_see(post, viewer, in_place=in_place) == (post.id in expected)


def test_board_list_hides_moderated_threads_from_other_members(world, scene):
    board, author, held_author, mod, published, hidden, held = scene
    for client in (world.client(), world.client(world.user())):
        page = text(client.get(f"/boards/{board.id}"))
        assert "Published question" in page
        assert "Hidden question" not in page and "Held question" not in page
        assert "1 thread, sorted" in page
    own = text(world.client(held_author).get(f"/boards/{board.id}"))
    assert "Held question" in own and "Waiting for review" in own
    assert "Hidden question" not in own
    mine = text(world.client(author).get(f"/boards/{board.id}"))
    assert "Hidden question" in mine and "Hidden by the moderators" in mine
    moderator = text(world.client(mod).get(f"/boards/{board.id}"))
    assert all(t in moderator for t in ("Published question", "Hidden question", "Held question"))
    assert f'id="review-{held.id}"' in moderator and f'id="review-{hidden.id}"' in moderator
    # The htmx list answers the same.
    fragment = text(world.client(world.user()).get(f"/boards/{board.id}", headers=HX))
    assert "Held question" not in fragment and "Hidden question" not in fragment


def test_counters_count_published_posts_only(world, scene):
    board, author, held_author, mod, published, hidden, held = scene
    stored = world.get(Board, board.id)
    assert (stored.question_count, stored.post_count) == (1, 1)
    world.decide(held, mod, "approved", "")
    world.decide(hidden, mod, "restored", "Not an attack on reflection")
    stored = world.get(Board, board.id)
    assert (stored.question_count, stored.post_count) == (3, 3)
    # The theme page shows the counters (nothing moderated can be inferred from them).
    page = text(world.client().get(f"/boards/themes/{stored.theme_id}"))
    assert "3 questions, 3 posts." in page


def test_a_hidden_reply_keeps_its_place_and_replies_below_stay(world):
    board = world.board()
    mod = world.moderator()
    thread = world.thread(board, world.user(), title="Data we trust")
    rude = world.reply(thread, world.user(name="Rude Person"), body="Something cruel")
    answer = world.reply(rude, world.user(name="Kind Person"), body="Let us keep it civil")
    world.decide(rude, mod, "hidden", "Personal attack")
    page = text(world.client(world.user()).get(f"/boards/threads/{thread.id}"))
    assert f'<p class="post__removed" id="hidden-{rude.id}">Hidden by the moderators</p>' in page
    assert "Something cruel" not in page and "Rude Person" not in page
    assert re.search(rf'<h3 id="post-{rude.id}-h" class="post__heading">Hidden post', page)
    assert "Let us keep it civil" in page and f'id="item-{answer.id}"' in page
    assert 'Replies (<span id="reply-count">2</span>)' in page
    # No reply link to a hidden post; the author reads theirs with the reason.
    assert f'id="reply-link-{rude.id}"' not in page
    own = text(world.client(world.get(User, rude.author_id)).get(f"/boards/threads/{thread.id}"))
    assert "Something cruel" in own and "Reason: Personal attack" in own
    # Moderators read it, labelled.
    modpage = text(world.client(mod).get(f"/boards/threads/{thread.id}"))
    assert "Something cruel" in modpage and "Hidden by the moderators" in modpage


def test_a_held_reply_is_shown_to_its_author_only(world):
    board = world.board()
    thread = world.thread(board, world.user())
    newcomer = world.user()
    held = world.held_reply(thread, newcomer, body="My first words here")
    assert "My first words here" not in text(
        world.client(world.user()).get(f"/boards/threads/{thread.id}")
    )
    own = text(world.client(newcomer).get(f"/boards/threads/{thread.id}"))
    assert "My first words here" in own and "Waiting for review" in own
    assert "A moderator usually reviews posts within a day." in own
    assert f'id="edit-{held.id}"' in own  # they may edit it meanwhile
    assert world.get(Post, thread.id).reply_count == 0
    world.decide(held, world.moderator(), "approved", "")
    assert world.get(Post, thread.id).reply_count == 1
    assert "My first words here" in text(world.client().get(f"/boards/threads/{thread.id}"))


def test_held_threads_are_not_found_by_others_and_hidden_ones_show_a_placeholder(world, scene):
    board, author, held_author, mod, published, hidden, held = scene
    other = world.client(world.user())
    assert other.get(f"/boards/threads/{held.id}").status_code == 404
    assert world.client().get(f"/boards/threads/{held.id}").status_code == 404
    assert world.client(held_author).get(f"/boards/threads/{held.id}").status_code == 200
    assert world.client(mod).get(f"/boards/threads/{held.id}").status_code == 200
    page = text(other.get(f"/boards/threads/{hidden.id}"))
    assert '<h1 id="thread-title">Hidden post</h1>' in page and "Hidden question" not in page
    assert 'id="reply-h"' not in page  # nobody replies inside a hidden thread
    assert other.get(f"/boards/posts/{held.id}/reply").status_code == 404
    replying = world.client(world.user()).post(
        f"/boards/posts/{hidden.id}/replies", data={f"reply-{hidden.id}-body": "Hello"}
    )
    assert replying.status_code == 403


def test_votes_refused_on_moderated_questions(world, scene):
    board, author, held_author, mod, published, hidden, held = scene
    voter = world.client(world.user())
    assert voter.post(f"/boards/posts/{hidden.id}/vote", data={"want": "add"}).status_code == 403
    assert voter.post(f"/boards/posts/{held.id}/vote", data={"want": "add"}).status_code == 404


def test_similar_questions_and_live_counts_follow_the_rule(app, world, scene):
    board, author, held_author, mod, published, hidden, held = scene
    with app.app_context():
        other = db.session.get(User, world.user().id)
        titles = [
            r.title for r in board_queries.similar_questions(board.id, "question", viewer=other)
        ]
        assert titles == ["Published question"]
        moderator = db.session.get(User, mod.id)
        assert len(board_queries.similar_questions(board.id, "question", viewer=moderator)) == 3
        assert board_queries.posts_after(board.id, 0, other) == 1
        assert board_queries.posts_after(board.id, 0, moderator) == 3
    similar = text(
        world.client(world.user()).get(f"/boards/{board.id}/similar?title=question", headers=HX)
    )
    assert "Published question" in similar and "Held question" not in similar


def test_agenda_candidates_leave_out_moderated_questions(app, world, scene):
    board, *_, published, hidden, held = scene
    with app.app_context():
        meeting_id = db.session.get(Board, board.id).meeting_id
        ids = [p.id for p in db.session.scalars(agenda_queries.candidates_query(meeting_id))]
    assert ids == [published.id]
