"""The thread page, replies (with and without htmx), edits with revisions, removal."""

import re
from datetime import timedelta

import pytest

from app.models import MeetingStatus, Post, PostRevision, Role
from tests.boards.conftest import HX, text

# The thread page ---------------------------------------------------------------------------


def test_thread_page_nests_replies(world):
    board = world.board()
    amara, rhys = world.user(name="Amara Okafor"), world.user(name="Rhys Evans")
    thread = world.thread(board, amara, title="Joining up services", body="Where *first*?")
    first = world.reply(thread, rhys, body="Start with schools")
    second = world.reply(first, amara, body="Agreed")
    page = text(world.client().get(f"/boards/threads/{thread.id}"))
    assert '<h1 id="thread-title">Joining up services</h1>' in page
    assert "<em>first</em>" in page and 'Replies (<span id="reply-count">2</span>)' in page
    # Nested lists, an h3 per reply naming the author and (for screen readers) whom it answers.
    nested = re.search(
        rf'<ol class="thread" id="replies-{thread.id}">\s*<li id="item-{first.id}".*?'
        rf'<ol class="thread" id="replies-{first.id}">\s*<li id="item-{second.id}"',
        page,
        re.S,
    )
    assert nested
    assert re.search(
        rf'<h3 id="post-{second.id}-h" class="post__heading">Amara Okafor'
        r'<span class="visually-hidden">, reply to Rhys Evans</span>',
        page,
    )
    assert 'id="reply-link-' not in page  # visitors do not get reply links


def test_deep_replies_run_flat_with_in_reply_to(world):
    board = world.board()
    author = world.user(name="Amara Okafor")
    thread = world.thread(board, author)
    parent = thread
    chain = []
    for i in range(6):
        parent = world.reply(parent, world.user(name=f"Person {i}"))
        chain.append(parent)
    page = text(world.client().get(f"/boards/threads/{thread.id}"))
    d3, d4, d5, d6 = chain[2], chain[3], chain[4], chain[5]
    run = re.search(rf'<ol class="thread" id="replies-{d3.id}">(.*)', page, re.S).group(1)
    assert (
        run.index(f'id="item-{d4.id}"')
        < run.index(f'id="item-{d5.id}"')
        < run.index(f'id="item-{d6.id}"')
    )
    assert f'id="replies-{d4.id}"' not in page and f'id="replies-{d5.id}"' not in page
    assert "In reply to Person 3" in page and "In reply to Person 4" in page


def test_reply_address_leads_into_its_thread(world):
    board = world.board()
    thread = world.thread(board, world.user())
    reply = world.reply(thread, world.user())
    response = world.client().get(f"/boards/threads/{reply.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/threads/{thread.id}#post-{reply.id}"


def test_thread_404s(world):
    assert world.client().get("/boards/threads/999").status_code == 404
    draft = world.board(status=MeetingStatus.DRAFT)
    thread = world.thread(draft, world.user(Role.FACILITATOR))
    assert world.client(world.user()).get(f"/boards/threads/{thread.id}").status_code == 404
    assert (
        world.client(world.user(Role.FACILITATOR)).get(f"/boards/threads/{thread.id}").status_code
        == 200
    )


def test_replies_are_paginated_with_their_subtrees(world, app):
    from app.extensions import db
    from tests import factories

    board = world.board()
    with app.app_context():
        thread = factories.thread(db.session.get(type(board), board.id), title="Long one")
        author = factories.user(password=None)
        start = thread.created_at
        tops = [
            factories.reply(thread, author, now=start + timedelta(seconds=i)) for i in range(55)
        ]
        deep = factories.reply(
            tops[52], author, body="Deep on page two", now=start + timedelta(minutes=2)
        )
        db.session.commit()
        thread_id, deep_id = thread.id, deep.id
    client = world.client()
    first = text(client.get(f"/boards/threads/{thread_id}"))
    assert first.count('class="thread__item"') == 50 and "Deep on page two" not in first
    assert f'href="/boards/threads/{thread_id}?page=2" rel="next"' in first
    second = text(client.get(f"/boards/threads/{thread_id}?page=2"))
    assert second.count('class="thread__item"') == 6 and "Deep on page two" in second
    assert "(replies page 2 of 2)" in second
    assert client.get(f"/boards/threads/{deep_id}").headers["Location"] == (
        f"/boards/threads/{thread_id}?page=2#post-{deep_id}"
    )


# Replying ----------------------------------------------------------------------------------


def test_reply_without_js_redirects_to_it(world):
    board = world.board()
    thread = world.thread(board, world.user())
    member = world.user()
    client = world.client(member)
    response = client.post(
        f"/boards/posts/{thread.id}/replies", data={f"reply-{thread.id}-body": "My *view*"}
    )
    reply = world.get(Post, _newest(world))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/threads/{thread.id}#post-{reply.id}"
    assert (reply.parent_id, reply.body_html, reply.phase) == (
        thread.id,
        "<p>My <em>view</em></p>",
        "before",
    )
    assert world.get(Post, thread.id).reply_count == 1
    assert "Your reply is posted." in text(client.get(response.headers["Location"]))


def _newest(world) -> int:
    with world.app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db

        return db.session.scalar(select(func.max(Post.id)))


def test_reply_to_the_thread_with_htmx(world):
    board = world.board()
    thread = world.thread(board, world.user())
    client = world.client(world.user())
    response = client.post(
        f"/boards/posts/{thread.id}/replies", data={f"reply-{thread.id}-body": "Hello"}, headers=HX
    )
    body = text(response)
    reply_id = _newest(world)
    assert response.status_code == 200 and "<html" not in body
    form = re.search(rf'<form id="reply-form-{thread.id}".*?</form>', body, re.S).group(0)
    assert "Hello" not in form  # cleared
    assert f'hx-swap-oob="beforeend:#replies-{thread.id}"' in body
    assert (
        f'<article id="post-{reply_id}" class="post" aria-labelledby="post-{reply_id}-h" '
        'tabindex="-1" autofocus' in body
    )
    assert '<span id="reply-count" hx-swap-oob="true">1</span>' in body
    assert '<p id="no-replies" hx-swap-oob="delete">' in body  # the first reply
    second = client.post(
        f"/boards/posts/{thread.id}/replies", data={f"reply-{thread.id}-body": "Again"}, headers=HX
    )
    assert 'id="no-replies"' not in text(second)


def test_inline_reply_with_htmx(world):
    board = world.board()
    thread = world.thread(board, world.user())
    first = world.reply(thread, world.user(name="Rhys Evans"))
    client = world.client(world.user())
    # The Reply link turns into a form in place, with the cursor in it.
    page = text(client.get(f"/boards/threads/{thread.id}"))
    assert (
        f'id="reply-link-{first.id}"' in page and f'hx-get="/boards/posts/{first.id}/reply"' in page
    )
    form = client.get(f"/boards/posts/{first.id}/reply", headers=HX)
    body = text(form)
    assert body.lstrip().startswith(f'<form id="reply-form-{first.id}"') and "<html" not in body
    assert f'id="reply-{first.id}-body"' in body and "autofocus" in body
    # Sent, the form closes back into the link and the reply opens a new list under its parent.
    sent = client.post(
        f"/boards/posts/{first.id}/replies", data={f"reply-{first.id}-body": "Indeed"}, headers=HX
    )
    body = text(sent)
    # (The <title> first puts back the page's title, in case an error had changed it.)
    assert re.match(rf'\s*<title>[^<]+ – Roundtable</title>\s*<a id="reply-link-{first.id}"', body)
    assert (
        f'hx-swap-oob="beforeend:#item-{first.id}"><ol class="thread" id="replies-{first.id}">'
        in body
    )


def test_reply_page_without_js(world):
    board = world.board()
    thread = world.thread(board, world.user(), title="The thread")
    first = world.reply(thread, world.user(name="Rhys Evans"), body="Quoted text")
    page = text(world.client(world.user()).get(f"/boards/posts/{first.id}/reply"))
    assert "<h1>Reply to Rhys Evans</h1>" in page and "Quoted text" in page
    assert f'<form id="reply-form-{first.id}"' in page and "The thread" in page
    # The thread is not on screen here: the form posts plainly and the page redirects to it.
    form = re.search(rf'<form id="reply-form-{first.id}"[^>]*>', page).group(0)
    assert "hx-post" not in form
    thread_page = text(world.client(world.user()).get(f"/boards/threads/{thread.id}"))
    form = re.search(rf'<form id="reply-form-{thread.id}"[^>]*>', thread_page).group(0)
    assert f'hx-post="/boards/posts/{thread.id}/replies"' in form


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Enter your reply"), ("x" * 10_001, "Reply must be 10,000 characters or fewer")],
)
def test_reply_errors(world, body, message):
    board = world.board()
    thread = world.thread(board, world.user())
    first = world.reply(thread, world.user())
    client = world.client(world.user())
    # At the foot of the thread: the thread page again, with the error and the text kept.
    response = client.post(
        f"/boards/posts/{thread.id}/replies", data={f"reply-{thread.id}-body": body}
    )
    page = text(response)
    assert response.status_code == 422 and "<title>Error: " in page
    assert f'id="reply-{thread.id}-body-error"' in page and message in page
    assert 'class="error-summary"' in page and f'href="#reply-{thread.id}-body"' in page
    # Under a reply: the reply page.
    response = client.post(
        f"/boards/posts/{first.id}/replies", data={f"reply-{first.id}-body": body}
    )
    assert response.status_code == 422 and "Reply to " in text(response)
    # htmx: the form alone, the error next to the field, focus in the field.
    fragment = client.post(
        f"/boards/posts/{first.id}/replies", data={f"reply-{first.id}-body": body}, headers=HX
    )
    html = text(fragment)
    assert fragment.status_code == 422 and "<html" not in html
    assert f'<form id="reply-form-{first.id}"' in html and message in html and "autofocus" in html
    assert world.count(Post) == 2


def test_reply_preview_without_js(world):
    board = world.board()
    thread = world.thread(board, world.user())
    response = world.client(world.user()).post(
        f"/boards/posts/{thread.id}/replies",
        data={f"reply-{thread.id}-body": "**bold**", "preview": "1"},
    )
    page = text(response)
    assert response.status_code == 200 and f'id="preview-reply-{thread.id}-content"' in page
    assert "<strong>bold</strong>" in page and world.count(Post) == 1


def test_reply_permissions(world):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author)
    data = {f"reply-{thread.id}-body": "Hi"}
    visitor = world.client().post(f"/boards/posts/{thread.id}/replies", data=data)
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert world.client().get(f"/boards/posts/{thread.id}/reply").status_code == 302
    assert (
        world.client(world.user()).post("/boards/posts/999/replies", data=data).status_code == 404
    )
    closed = world.board(closed=True)
    closed_thread = world.thread(closed, author)
    member = world.client(world.user())
    closed_data = {f"reply-{closed_thread.id}-body": "Hi"}
    assert (
        member.post(f"/boards/posts/{closed_thread.id}/replies", data=closed_data).status_code
        == 403
    )
    assert member.get(f"/boards/posts/{closed_thread.id}/reply").status_code == 403
    world.client(author).post(f"/boards/posts/{thread.id}/remove")
    assert member.post(f"/boards/posts/{thread.id}/replies", data=data).status_code == 403


# Editing -----------------------------------------------------------------------------------


def _age(world, post, minutes):
    world.update(Post, post.id, created_at=post.created_at - timedelta(minutes=minutes))


def test_edit_within_five_minutes_is_silent(world):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author, title="Typo tittle")
    client = world.client(author)
    form = text(client.get(f"/boards/posts/{thread.id}/edit"))
    assert 'value="Typo tittle"' in form and 'id="edit-form"' in form
    response = client.post(
        f"/boards/posts/{thread.id}/edit", data={"title": "Typo title", "body": ""}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/threads/{thread.id}#post-{thread.id}"
    edited = world.get(Post, thread.id)
    assert edited.title == "Typo title" and edited.edited_at is None
    assert world.count(PostRevision) == 0
    assert "Edited" not in text(client.get(f"/boards/threads/{thread.id}"))


def test_later_edit_keeps_a_revision_and_shows_edited(world):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author, title="First title", body="First *body*")
    _age(world, thread, 10)
    client = world.client(author)
    client.post(f"/boards/posts/{thread.id}/edit", data={"title": "Second title", "body": "Second"})
    revision = world.get(PostRevision, 1)
    assert (revision.title, revision.body) == ("First title", "First *body*")
    page = text(client.get(f"/boards/threads/{thread.id}"))
    assert (
        'class="post__edited">Edited' in page
        and f'href="/boards/posts/{thread.id}/revisions"' in page
    )
    history = text(client.get(f"/boards/posts/{thread.id}/revisions"))
    assert "Second title" in history and "First title" in history and "<em>body</em>" in history
    moderator_view = world.client(world.user(Role.MODERATOR)).get(
        f"/boards/posts/{thread.id}/revisions"
    )
    assert moderator_view.status_code == 200 and "as a moderator" in text(moderator_view)
    assert world.client(world.user()).get(f"/boards/posts/{thread.id}/revisions").status_code == 403
    assert world.client().get(f"/boards/posts/{thread.id}/revisions").status_code == 302
    assert world.client(author).get("/boards/posts/999/revisions").status_code == 404
    # Other members see "Edited" but no link to the earlier versions.
    other = text(world.client(world.user()).get(f"/boards/threads/{thread.id}"))
    assert "Edited" in other and "/revisions" not in other


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("question", {"title": "", "body": ""}, "Enter a title"),
        ("question", {"title": "x" * 151, "body": ""}, "Title must be 150 characters or fewer"),
        ("discussion", {"title": "Fine", "body": ""}, "Enter what you want to discuss"),
        ("reply", {"body": ""}, "Enter your reply"),
    ],
)
def test_edit_errors(world, kind, data, message):
    board = world.board()
    author = world.user()
    post = world.thread(board, author, kind="discussion" if kind == "discussion" else "question")
    if kind == "reply":
        post = world.reply(post, author, body="Kept")
    response = world.client(author).post(f"/boards/posts/{post.id}/edit", data=data)
    assert response.status_code == 422
    page = text(response)
    assert message in page and "<title>Error: " in page


def test_edit_preview(world):
    board = world.board()
    author = world.user()
    post = world.reply(world.thread(board, author), author, body="Old")
    response = world.client(author).post(
        f"/boards/posts/{post.id}/edit", data={"body": "New _text_", "preview": "1"}
    )
    assert response.status_code == 200 and "<em>text</em>" in text(response)
    assert world.get(Post, post.id).body == "Old"


def test_edit_permissions(world):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author)
    assert world.client(world.user()).get(f"/boards/posts/{thread.id}/edit").status_code == 403
    assert (
        world.client(world.user(Role.MODERATOR))
        .post(f"/boards/posts/{thread.id}/edit", data={"title": "Hijack"})
        .status_code
        == 403
    )
    assert world.client().get(f"/boards/posts/{thread.id}/edit").status_code == 302
    assert world.client(author).get("/boards/posts/999/edit").status_code == 404
    world.update(type(board), board.id, closed_at=thread.created_at)
    assert world.client(author).get(f"/boards/posts/{thread.id}/edit").status_code == 403


# Removing ----------------------------------------------------------------------------------


def test_author_removes_a_post_and_replies_keep_their_place(world):
    board = world.board()
    author = world.user(name="Amara Okafor")
    thread = world.thread(board, author, title="Title")
    mine = world.reply(thread, author, body="Regrettable words")
    answer = world.reply(mine, world.user(), body="An answer")
    client = world.client(author)
    confirm = text(client.get(f"/boards/posts/{mine.id}/remove"))
    assert "Remove your post?" in confirm and "Regrettable words" in confirm
    response = client.post(f"/boards/posts/{mine.id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/threads/{thread.id}#post-{mine.id}"
    page = text(world.client(world.user()).get(f"/boards/threads/{thread.id}"))
    assert "Removed by its author" in page and "Regrettable words" not in page
    assert f'id="item-{answer.id}"' in page and "An answer" in page
    assert 'Replies (<span id="reply-count">2</span>)' in page
    moderator = text(world.client(world.user(Role.MODERATOR)).get(f"/boards/threads/{thread.id}"))
    assert "Regrettable words" in moderator and "moderators only" in moderator
    assert world.get(Post, mine.id).removed_by_id == author.id


def test_remove_permissions(world):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author)
    assert world.client(world.user()).post(f"/boards/posts/{thread.id}/remove").status_code == 403
    assert world.client(world.user()).get(f"/boards/posts/{thread.id}/remove").status_code == 403
    assert world.client().post(f"/boards/posts/{thread.id}/remove").status_code == 302
    assert world.client(author).post("/boards/posts/999/remove").status_code == 404
    assert world.get(Post, thread.id).removed_at is None


def test_reply_form_404_and_login(world):
    member = world.client(world.user())
    assert member.get("/boards/posts/999/reply").status_code == 404
    assert member.get("/boards/posts/999/reply", headers=HX).status_code == 404
    board = world.board()
    thread = world.thread(board, world.user())
    hx = world.client().get(f"/boards/posts/{thread.id}/reply", headers=HX)
    assert hx.status_code == 401 and "/auth/login" in hx.headers["HX-Redirect"]
