"""The board page, its filter and pages, starting a thread, similar questions, previews, the
theme page and the facilitators' settings."""

import re

import pytest

from app.models import AuditEvent, Board, MeetingStatus, Post, Role
from tests.boards.conftest import HX, text

# The board page ----------------------------------------------------------------------------


def test_visitor_reads_a_board(world):
    board = world.board()
    author = world.user(name="Amara Okafor")
    question = world.thread(board, author, title="How do we join up health and skills?")
    page = text(world.client().get(f"/boards/{board.id}"))
    assert "<h1>Holistic approach</h1>" in page
    assert "How do we join up health and skills?" in page
    assert 'id="board-phase">Before the meeting<' in page
    assert f'id="post-{question.id}"' in page
    # Counts for everyone; a way back to this board after logging in.
    assert f'id="vote-count-{question.id}">0 votes<' in page
    assert f'href="/auth/login?next=/boards/{board.id}" id="vote-login-{question.id}"' in page
    assert 'id="new-thread-form"' not in page and 'id="login-to-post"' in page
    # Profiles are for members: visitors see the name only.
    assert "/community/members/" not in page


def test_member_sees_the_form_and_vote_buttons(world):
    board = world.board()
    me, other = world.user(), world.user()
    mine = world.thread(board, me, title="My question")
    theirs = world.thread(board, other, title="Their question")
    world.vote(theirs, me)
    page = text(world.client(me).get(f"/boards/{board.id}"))
    assert 'id="new-thread-form"' in page
    assert (
        f'id="vote-{theirs.id}" class="button button--secondary vote__button" aria-pressed="true"'
        in page
    )
    assert "You voted for this" in page
    # Not on one's own question.
    assert f'id="vote-{mine.id}"' not in page and f'id="vote-count-{mine.id}"' in page
    assert f'name="next" value="/boards/{board.id}"' in page


def test_board_list_fragment_for_htmx(world):
    board = world.board()
    world.thread(board, world.user(), title="A question")
    response = world.client().get(f"/boards/{board.id}", headers=HX)
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="threads"') and "<html" not in body
    assert "A question" in body
    assert 'hx-swap-oob="innerHTML:#sr-status">1 thread found.' in body
    assert "HX-Request" in response.headers["Vary"]


def test_unknown_board_is_404(world):
    assert world.client().get("/boards/999").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 404),
        (Role.MEMBER, 404),
        (Role.MODERATOR, 404),
        (Role.FACILITATOR, 200),
        (Role.ADMIN, 200),
    ],
)
def test_draft_meetings_boards_are_for_facilitators(world, role, status):
    board = world.board(status=MeetingStatus.DRAFT)
    client = world.client(world.user(role) if role else None)
    response = client.get(f"/boards/{board.id}")
    assert response.status_code == status
    if status == 200:
        assert "only facilitators can see this board" in text(response)


def test_cancelled_meetings_board_is_read_only(world):
    board = world.board(status=MeetingStatus.CANCELLED)
    member = world.user()
    question = world.thread(board, world.user())
    page = text(world.client(member).get(f"/boards/{board.id}"))
    assert "This meeting was cancelled" in page and 'id="meeting-cancelled"' in page
    assert 'id="new-thread-form"' not in page and f'id="vote-{question.id}"' not in page
    client = world.client(member)
    assert (
        client.post(
            f"/boards/{board.id}/threads", data={"kind": "question", "title": "x"}
        ).status_code
        == 403
    )


def test_closed_board_is_read_only(world):
    board = world.board(closed=True)
    member = world.user()
    question = world.thread(board, world.user())
    page = text(world.client(member).get(f"/boards/{board.id}"))
    assert 'id="board-closed"' in page and "This board is closed" in page
    assert 'id="new-thread-form"' not in page and f'id="vote-{question.id}"' not in page
    assert "Voting has closed." in page


# Filter, sort and pages --------------------------------------------------------------------


def _titles(page: str) -> list[str]:
    return re.findall(
        r'class="thread-summary__title"><a href="/boards/threads/\d+">([^<]+)</a>', page
    )


def test_filter_by_kind_and_phase(world, app):
    from datetime import timedelta

    board = world.board(phase="after")
    author = world.user()
    world.thread(board, author, title="Asked after")
    world.thread(board, author, kind="discussion", title="Reflection after")
    with app.app_context():
        from app.extensions import db
        from tests import factories

        b = db.session.get(Board, board.id)
        factories.thread(b, title="Asked before", now=b.meeting.starts_at - timedelta(days=1))
        db.session.commit()
    client = world.client()
    assert set(_titles(text(client.get(f"/boards/{board.id}?kind=question")))) == {
        "Asked after",
        "Asked before",
    }
    assert _titles(text(client.get(f"/boards/{board.id}?kind=discussion"))) == ["Reflection after"]
    assert _titles(text(client.get(f"/boards/{board.id}?phase=before"))) == ["Asked before"]
    assert set(_titles(text(client.get(f"/boards/{board.id}?phase=after")))) == {
        "Asked after",
        "Reflection after",
    }
    # Unknown values are ignored, not errors.
    assert len(_titles(text(client.get(f"/boards/{board.id}?kind=x&phase=y&sort=z")))) == 3


def test_sorts(world):
    board = world.board()
    author = world.user()
    popular = world.thread(board, author, title="Popular")
    busy = world.thread(board, author, title="Busy")
    world.thread(board, author, title="Newest")
    for _ in range(2):
        world.vote(popular, world.user())
    world.reply(busy, author)
    client = world.client()
    assert _titles(text(client.get(f"/boards/{board.id}")))[0] == "Popular"
    assert _titles(text(client.get(f"/boards/{board.id}?sort=newest")))[0] == "Newest"
    assert _titles(text(client.get(f"/boards/{board.id}?sort=active")))[0] == "Busy"


def test_filter_form_works_without_js_and_with_htmx(world):
    board = world.board()
    page = text(world.client().get(f"/boards/{board.id}?kind=question&sort=newest"))
    form = re.search(r'<form id="thread-filters".*?</form>', page, re.S).group(0)
    assert 'method="get"' in form and f'action="/boards/{board.id}"' in form
    assert 'hx-target="#threads"' in form and 'hx-push-url="true"' in form
    assert '<option selected value="question">' in form or 'value="question" selected' in form
    assert 'id="filter-sort"' in form and 'id="filter-phase"' in form


def test_pages_of_threads_and_show_more(world, app):
    board = world.board()
    with app.app_context():
        from app.extensions import db
        from tests import factories

        b = db.session.get(Board, board.id)
        author = factories.user(password=None)
        for i in range(30):
            factories.thread(b, author, title=f"Question {i:02d}")
        db.session.commit()
    client = world.client()
    first = text(client.get(f"/boards/{board.id}?sort=newest"))
    assert len(_titles(first)) == 25
    assert f'href="/boards/{board.id}?page=2&amp;sort=newest" rel="next"' in first
    assert f'hx-get="/boards/{board.id}/threads?page=2&amp;sort=newest"' in first
    assert (
        'id="show-more-threads"' in first and 'hx-target="closest li" hx-swap="outerHTML"' in first
    )
    more = client.get(f"/boards/{board.id}/threads?page=2&sort=newest", headers=HX)
    body = text(more)
    assert more.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<li class="thread-list__item"')
    assert len(_titles(body)) == 5 and 'id="show-more-threads"' not in body
    assert body.count("autofocus") == 1  # focus lands on the first thread loaded
    second = text(client.get(f"/boards/{board.id}?page=2&sort=newest"))
    assert "(page 2 of 2)" in second and len(_titles(second)) == 5
    # Without htmx the "more" address is only a way to the board's page.
    plain = client.get(f"/boards/{board.id}/threads?page=2&sort=newest")
    assert plain.status_code == 302
    assert plain.headers["Location"] == f"/boards/{board.id}?page=2&sort=newest"


# Hidden vote counts ------------------------------------------------------------------------


def test_hidden_counts_before_the_meeting(world):
    board = world.board(hide_votes=True)
    member = world.user()
    question = world.thread(board, world.user(), title="Hidden")
    world.vote(question, member)
    page = text(world.client(member).get(f"/boards/{board.id}"))
    assert "1 vote" not in page and "Vote counts are hidden until the meeting starts" in page
    assert (
        f'id="vote-{question.id}" class="button button--secondary vote__button" aria-pressed="true"'
        in page
    )
    # Ranking by votes would reveal them: the list falls back to newest first.
    assert 'value="top"' not in page and "sorted by newest" in page
    facilitator_page = text(world.client(world.user(Role.FACILITATOR)).get(f"/boards/{board.id}"))
    assert (
        "1 vote" in facilitator_page
        and "hidden from members until the meeting starts" in facilitator_page
    )


def test_counts_shown_once_the_meeting_starts(world):
    board = world.board(phase="during", hide_votes=True)
    question = world.thread(board, world.user())
    world.vote(question, world.user())
    page = text(world.client(world.user()).get(f"/boards/{board.id}"))
    assert f'id="vote-count-{question.id}">1 vote<' in page


# Starting a thread -------------------------------------------------------------------------

GOOD = {"kind": "question", "title": "How do we share power?", "body": "With **whom**?"}


def test_new_thread_without_js_redirects_to_it(world):
    board = world.board()
    member = world.user()
    client = world.client(member)
    response = client.post(f"/boards/{board.id}/threads", data=GOOD)
    post = world.get(Post, _last_post_id(world))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/boards/threads/{post.id}#post-{post.id}"
    assert (post.title, post.body_html, post.author_id) == (
        "How do we share power?",
        "<p>With <strong>whom</strong>?</p>",
        member.id,
    )
    assert post.phase == "before"
    refreshed = world.get(Board, board.id)
    assert (refreshed.question_count, refreshed.post_count) == (1, 1)
    page = text(client.get(response.headers["Location"]))
    assert "Your post is on the board." in page


def _last_post_id(world) -> int:
    with world.app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db

        return db.session.scalar(select(func.max(Post.id)))


def test_new_thread_with_htmx_appears_in_place(world):
    board = world.board()
    client = world.client(world.user())
    client.get(f"/boards/{board.id}")
    response = client.post(f"/boards/{board.id}/threads", data=GOOD, headers=HX)
    body = text(response)
    post_id = _last_post_id(world)
    assert response.status_code == 200 and "<html" not in body
    # A fresh form in place of the one sent ...
    form = re.search(r'<form id="new-thread-form".*?</form>', body, re.S).group(0)
    assert "How do we share power?" not in form and "checked" not in form
    # ... and the thread at the top of the list, focused.
    assert 'hx-swap-oob="afterbegin:#thread-list"' in body
    assert '<p id="no-threads" hx-swap-oob="delete">' in body  # the board's first thread
    again = client.post(f"/boards/{board.id}/threads", data=GOOD, headers=HX)
    assert 'id="no-threads"' not in text(again)
    assert (
        f'id="post-{post_id}" class="thread-summary" aria-labelledby="post-{post_id}-h" '
        'tabindex="-1" autofocus' in body
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"title": "A title"},
            "kind",
            "Select whether you are asking a question or starting a discussion",
        ),
        ({"kind": "poll", "title": "A title"}, "kind", "Select whether you are asking"),
        ({"kind": "question", "title": "   "}, "title", "Enter a title"),
        (
            {"kind": "question", "title": "x" * 151},
            "title",
            "Title must be 150 characters or fewer",
        ),
        (
            {"kind": "discussion", "title": "A title", "body": " "},
            "body",
            "Enter what you want to discuss",
        ),
        (
            {"kind": "question", "title": "A title", "body": "x" * 10_001},
            "body",
            "Details must be 10,000 characters or fewer",
        ),
    ],
)
def test_new_thread_errors(world, data, field, message):
    board = world.board()
    client = world.client(world.user())
    response = client.post(f"/boards/{board.id}/threads", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "<title>Error: " in page and 'class="error-summary"' in page
    assert re.search(
        rf'id="{field}[-0]*-error"><span class="visually-hidden">Error:</span> {message}', page
    )
    if data.get("title", "").strip():
        assert f'value="{data["title"]}"' in page  # what was typed is kept
    assert world.count(Post) == 0
    fragment = client.post(f"/boards/{board.id}/threads", data=data, headers=HX)
    body = text(fragment)
    assert fragment.status_code == 422 and "<html" not in body
    assert '<form id="new-thread-form"' in body and message in body
    assert "<title>Error: " in body and 'class="error-summary" tabindex="-1" autofocus' in body


def test_new_thread_needs_a_member(world):
    board = world.board()
    response = world.client().post(f"/boards/{board.id}/threads", data=GOOD)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    hx = world.client().post(f"/boards/{board.id}/threads", data=GOOD, headers=HX)
    assert hx.status_code == 401 and "/auth/login" in hx.headers["HX-Redirect"]
    assert world.client(world.user()).post("/boards/999/threads", data=GOOD).status_code == 404
    draft = world.board(status=MeetingStatus.DRAFT)
    assert (
        world.client(world.user()).post(f"/boards/{draft.id}/threads", data=GOOD).status_code == 404
    )


def test_anonymous_thread(world):
    board = world.board()
    author = world.user(name="Amara Okafor")
    world.client(author).post(f"/boards/{board.id}/threads", data={**GOOD, "anonymous": "y"})
    others = text(world.client(world.user()).get(f"/boards/{board.id}"))
    assert "by A member" in others and "Amara Okafor" not in others
    mine = text(world.client(author).get(f"/boards/{board.id}"))
    assert "you, posted anonymously" in mine
    moderator = text(world.client(world.user(Role.MODERATOR)).get(f"/boards/{board.id}"))
    assert "anonymous to members: Amara Okafor" in moderator


def test_mentions_link_to_profiles(world):
    board = world.board()
    rhys = world.user(name="Rhys Evans")
    world.client(world.user()).post(
        f"/boards/{board.id}/threads", data={**GOOD, "body": "What do you think, @Rhys Evans?"}
    )
    post = world.get(Post, _last_post_id(world))
    assert (
        f'<a class="mention" href="/community/members/{rhys.id}">@Rhys Evans</a>' in post.body_html
    )


# Previews and similar questions ------------------------------------------------------------


def test_preview_without_js_rerenders_the_form(world):
    board = world.board()
    client = world.client(world.user())
    response = client.post(
        f"/boards/{board.id}/threads", data={**GOOD, "body": "# Heading\n\n*soft*", "preview": "1"}
    )
    page = text(response)
    assert response.status_code == 200 and world.count(Post) == 0
    assert 'id="preview-post-content"' in page and "<h3>Heading</h3>" in page
    assert "<em>soft</em>" in page and "# Heading" in page  # the text is kept in the field


def test_preview_region_with_htmx(world):
    client = world.client(world.user())
    response = client.post(
        "/boards/preview?field=reply-7-body",
        data={"reply-7-body": "A [link](javascript:alert(1))"},
        headers=HX,
    )
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="preview-reply-7-content"')
    # markdown-it refuses the javascript: link; its text stays as typed, escaped.
    assert "href=" not in body and "A [link](javascript:alert(1))" in body
    assert (
        world.client(world.user()).post("/boards/preview?field=title", headers=HX).status_code
        == 400
    )
    assert world.client().post("/boards/preview", headers=HX).status_code == 401


def test_similar_questions_fragment(world):
    board = world.board()
    author = world.user()
    match = world.thread(board, author, title="Using local data about wellbeing")
    world.thread(board, author, title="Sharing power")
    world.vote(match, world.user())
    response = world.client().get(f"/boards/{board.id}/similar?title=wellbeing+data", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="similar-list"')
    assert (
        f'href="/boards/threads/{match.id}" id="similar-{match.id}"' in body and "(1 vote)" in body
    )
    assert "Sharing power" not in body
    page = text(world.client().get(f"/boards/{board.id}/similar?title=wellbeing"))
    assert "<html" in page and "Using local data about wellbeing" in page
    empty = text(world.client().get(f"/boards/{board.id}/similar?title=the", headers=HX))
    assert "<li>" not in empty
    assert world.client().get("/boards/999/similar?title=x").status_code == 404


def test_title_field_asks_for_similar_questions(world):
    board = world.board()
    page = text(world.client(world.user()).get(f"/boards/{board.id}"))
    title = re.search(r'<input[^>]*id="title"[^>]*>', page).group(0)
    assert f'hx-get="/boards/{board.id}/similar"' in title
    assert (
        'hx-trigger="input changed delay:500ms"' in title
        and 'hx-target="#similar-questions"' in title
    )
    assert '<div id="similar-questions" class="similar" aria-live="polite">' in page
    assert "maxlength" not in title and "required" not in title


# The theme page ----------------------------------------------------------------------------


def test_theme_page_lists_boards_newest_meeting_first(world, app):
    from datetime import timedelta

    from app.extensions import db
    from app.models import Meeting
    from tests import factories

    with app.app_context():
        series = factories.series(themes=("Using data well",))
        old = factories.meeting(series_=series, title="Old meeting", starts_in=timedelta(days=-60))
        new = factories.meeting(series_=series, title="New meeting", starts_in=timedelta(days=10))
        factories.meeting(series_=series, title="Draft meeting", status=MeetingStatus.DRAFT)
        theme_id = series.themes[0].id
        db.session.commit()
        assert db.session.get(Meeting, old.id) and db.session.get(Meeting, new.id)
    page = text(world.client(world.user()).get(f"/boards/themes/{theme_id}"))
    assert "<h1>Using data well</h1>" in page
    assert page.index("New meeting") < page.index("Old meeting")
    assert "Draft meeting" not in page
    facilitator = text(world.client(world.user(Role.FACILITATOR)).get(f"/boards/themes/{theme_id}"))
    assert "Draft meeting" in facilitator
    assert world.client().get("/boards/themes/999").status_code == 404


# Facilitators' settings --------------------------------------------------------------------


def test_facilitator_closes_and_reopens_a_board(world):
    board = world.board()
    facilitator = world.user(Role.FACILITATOR)
    client = world.client(facilitator)
    page = text(client.get(f"/boards/{board.id}"))
    assert 'id="board-close"' in page and 'id="hide-votes"' in page
    response = client.post(f"/boards/{board.id}/close")
    assert response.status_code == 302 and response.headers["Location"] == f"/boards/{board.id}"
    assert world.get(Board, board.id).closed_at is not None
    assert world.count(AuditEvent, action="board.closed", subject_id=board.id) == 1
    assert 'id="board-reopen"' in text(client.get(f"/boards/{board.id}"))
    client.post(f"/boards/{board.id}/reopen")
    assert world.get(Board, board.id).closed_at is None
    assert world.count(AuditEvent, action="board.reopened") == 1


def test_facilitator_hides_and_shows_counts(world):
    board = world.board()
    client = world.client(world.user(Role.ADMIN))
    client.post(f"/boards/{board.id}/hide-votes", data={"hide": "1"})
    assert world.get(Board, board.id).hide_votes_until_start is True
    assert 'id="hide-votes" aria-pressed="true"' in text(client.get(f"/boards/{board.id}"))
    client.post(f"/boards/{board.id}/hide-votes", data={"hide": "0"})
    assert world.get(Board, board.id).hide_votes_until_start is False
    assert client.post(f"/boards/{board.id}/hide-votes", data={"hide": "maybe"}).status_code == 400


@pytest.mark.parametrize("action", ["close", "reopen", "hide-votes"])
def test_settings_need_a_facilitator(world, action):
    board = world.board()
    data = {"hide": "1"}
    visitor = world.client().post(f"/boards/{board.id}/{action}", data=data)
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert (
        world.client(world.user()).post(f"/boards/{board.id}/{action}", data=data).status_code
        == 403
    )
    member_page = text(world.client(world.user()).get(f"/boards/{board.id}"))
    assert 'id="board-settings"' not in member_page
    facilitator = world.client(world.user(Role.FACILITATOR))
    assert facilitator.post(f"/boards/999/{action}", data=data).status_code == 404


def test_preview_without_htmx_is_a_page(world):
    response = world.client(world.user()).post("/boards/preview", data={"body": "*hi*"})
    page = text(response)
    assert response.status_code == 200 and "<html" in page and "<em>hi</em>" in page
