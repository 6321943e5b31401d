"""Reporting a post: the link on the thread page, the form it loads (htmx) or the page it
opens (no JavaScript), validation, who may report, and the hide that exactly one of many
reports makes."""

import re
import threading
from html.parser import HTMLParser

from app.models import Flag, Post
from tests.moderation.conftest import HX, text

REPORT_TEXT = 'Report<span class="visually-hidden"> this post to the moderators</span>'
# What only a report form draws: its fields, its button, its question.
FORM_MARKS = ("flag-form-", 'name="flag-', "flag-send-", "Why are you reporting", "<details")


def flag_data(post_id: int, reason: str | None = "spam", note: str = "") -> dict:
    data = {f"flag-{post_id}-note": note}
    if reason is not None:
        data[f"flag-{post_id}-reason"] = reason
    return data


class _StartTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def start_tags(html: str) -> list[tuple[str, dict]]:
    """Every start tag in html, as (name, attributes), in order."""
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.found


def element(html: str, ident: str) -> tuple[str, dict] | None:
    """The start tag with id ident (there must be at most one), or None."""
    found = [tag for tag in start_tags(html) if tag[1].get("id") == ident]
    assert len(found) <= 1, found
    return found[0] if found else None


def assert_report_link(page: str, post_id: int) -> str:
    """page has post_id's "Report" link: the report page without JavaScript, the form in its
    place with htmx. Returns its href."""
    url = f"/moderation/posts/{post_id}/flag"
    tag, attrs = element(page, f"flag-{post_id}")
    assert tag == "a", (tag, attrs)
    assert attrs["href"] == attrs["hx-get"] == url
    assert attrs["hx-target"] == "this" and attrs["hx-swap"] == "outerHTML"
    assert "flag__link" in attrs["class"].split()
    assert f'hx-swap="outerHTML">{REPORT_TEXT}</a>' in page
    return attrs["href"]


def test_thread_page_gives_members_a_report_link_for_others_posts(world):
    board = world.board()
    author, reader = world.user(), world.user()
    thread = world.thread(board, author)
    reply = world.reply(thread, reader)
    answer = world.reply(reply, author)
    page = text(world.client(reader).get(f"/boards/threads/{thread.id}"))
    for post in (thread, answer):
        assert_report_link(page, post.id)
    assert page.count(REPORT_TEXT) == 2
    # Only links: no report form (nor its fields, token or disclosure) is drawn into the page.
    for mark in FORM_MARKS:
        assert mark not in page, mark
    # Not on their own reply; nothing for visitors.
    assert f'id="flag-{reply.id}"' not in page
    assert 'class="flag' not in text(world.client().get(f"/boards/threads/{thread.id}"))


def test_thread_page_shows_what_the_member_reported_already(world):
    board = world.board()
    author, reader = world.user(), world.user()
    thread = world.thread(board, author)
    reply = world.reply(thread, author)
    world.flag(reply, reader)
    page = text(world.client(reader).get(f"/boards/threads/{thread.id}"))
    assert (
        f'<p class="flag flag--done" id="flag-{reply.id}"><span id="flag-send-{reply.id}" '
        'tabindex="-1">You reported this post</span></p>'
    ) in page
    assert page.count("You reported this post") == 1 and "autofocus" not in page
    assert_report_link(page, thread.id)
    # Another member still gets the link for that reply.
    other = text(world.client(world.user()).get(f"/boards/threads/{thread.id}"))
    assert_report_link(other, reply.id)
    assert "You reported this post" not in other


def test_report_without_javascript_comes_back_to_the_post(world):
    board = world.board()
    thread = world.thread(board, world.user(), title="Pooling budgets")
    reply = world.reply(thread, world.user(), body="Pool them by ward")
    client = world.client(world.user())
    thread_page = text(client.get(f"/boards/threads/{thread.id}"))
    for post, shown in ((thread, "Pooling budgets"), (reply, "Pool them by ward")):
        # The link's own address is a whole page with the form, posting without htmx.
        page = client.get(assert_report_link(thread_page, post.id))
        assert page.status_code == 200
        assert "<h1>Report a post</h1>" in text(page) and shown in text(page)
        assert f'id="flag-form-{post.id}"' in text(page) and "hx-post" not in text(page)
        response = client.post(f"/moderation/posts/{post.id}/flag", data=flag_data(post.id))
        assert response.status_code == 302
        assert response.headers["Location"] == f"/boards/threads/{thread.id}#post-{post.id}"
    again = text(client.get(f"/boards/threads/{thread.id}"))
    for post in (thread, reply):
        assert f'<p class="flag flag--done" id="flag-{post.id}">' in again
    assert "You reported this post. Thank you." in again  # the flash banner, once
    assert again.count(">You reported this post</span>") == 2 and REPORT_TEXT not in again
    assert world.count(Flag, post_id=thread.id) == 1
    assert world.get(Post, thread.id).flag_count == 1
    assert world.get(Post, reply.id).flag_count == 1


def test_report_with_htmx_swaps_in_place_and_announces(world):
    board = world.board()
    thread = world.thread(board, world.user())
    client = world.client(world.user())
    response = client.post(
        f"/moderation/posts/{thread.id}/flag", data=flag_data(thread.id, "abusive"), headers=HX
    )
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<p class="flag flag--done" id="flag-{thread.id}">')
    # The sending button's id stays, so htmx keeps focus in place; the result is announced.
    assert f'<span id="flag-send-{thread.id}" tabindex="-1">You reported this post</span>' in body
    assert '<div hx-swap-oob="innerHTML:#sr-status">Thank you.' in body
    assert world.count(Flag, post_id=thread.id, reason="abusive") == 1


def test_report_needs_a_reason_and_a_note_for_other(world):
    board = world.board()
    thread = world.thread(board, world.user())
    client = world.client(world.user())
    url = f"/moderation/posts/{thread.id}/flag"
    missing = client.post(url, data=flag_data(thread.id, None))
    assert missing.status_code == 422
    assert "Select why you are reporting this post" in text(missing)
    assert "<title>Error: Report a post" in text(missing)
    other = client.post(url, data=flag_data(thread.id, "other"), headers=HX)
    assert other.status_code == 422 and "<html" not in text(other)
    assert other.headers["HX-Retarget"] == f"#flag-{thread.id}"
    assert f'<details class="flag" id="flag-{thread.id}" open>' in text(other)
    assert "Tell the moderators what is wrong with this post" in text(other)
    # Focus goes to the error summary, not to the disclosure's summary.
    assert [tag for tag in start_tags(text(other)) if "autofocus" in tag[1]] == [
        ("div", {"class": "error-summary", "tabindex": "-1", "autofocus": None})
    ]
    long = client.post(url, data=flag_data(thread.id, "other", "x" * 1001))
    assert long.status_code == 422
    assert "Your note must be 1,000 characters or fewer" in text(long)
    unknown = client.post(url, data=flag_data(thread.id, "boring"))
    assert unknown.status_code == 422
    assert world.count(Flag) == 0


def test_one_report_per_member_per_post(world):
    board = world.board()
    thread = world.thread(board, world.user())
    client = world.client(world.user())
    url = f"/moderation/posts/{thread.id}/flag"
    client.post(url, data=flag_data(thread.id))
    again = client.post(url, data=flag_data(thread.id, "abusive"), headers=HX)
    assert again.status_code == 200 and "You reported this post" in text(again)
    assert "You reported this post" in text(client.get(url))
    # A "Report" link left on a page from before (another tab): its answer says so, focused.
    link = text(client.get(url, headers=HX))
    assert link.lstrip().startswith(f'<p class="flag flag--done" id="flag-{thread.id}">')
    assert f'<span id="flag-send-{thread.id}" tabindex="-1" autofocus>' in link
    assert "<form" not in link and "sr-status" not in link
    assert world.count(Flag, post_id=thread.id) == 1
    assert world.get(Post, thread.id).flag_count == 1


def test_who_may_report(world):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author)
    url = f"/moderation/posts/{thread.id}/flag"
    visitor = world.client().post(url, data=flag_data(thread.id))
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert world.client().get(url, headers=HX).headers["HX-Redirect"].startswith("/auth/login")
    own = world.client(author).post(url, data=flag_data(thread.id))
    assert own.status_code == 403 and "You cannot report your own post." in text(own)
    own_htmx = world.client(author).post(url, data=flag_data(thread.id), headers=HX)
    assert own_htmx.status_code == 403 and own_htmx.headers["HX-Retarget"] == "#htmx-errors"
    assert world.client(world.user()).get("/moderation/posts/99999/flag").status_code == 404
    assert world.count(Flag) == 0


def test_removed_hidden_and_held_posts_cannot_be_reported(world):
    board = world.board()
    author, mod = world.user(), world.moderator()
    hidden = world.thread(board, author)
    world.decide(hidden, mod, "hidden")
    held = world.held(board, world.user())
    client = world.client(world.user())
    refused = client.post(f"/moderation/posts/{hidden.id}/flag", data=flag_data(hidden.id))
    assert refused.status_code == 403
    assert "already reviewing" in text(refused)
    # A held post does not exist for other members.
    assert client.get(f"/moderation/posts/{held.id}/flag").status_code == 404


def test_draft_boards_posts_are_not_found(world):
    board = world.board(status="draft")
    thread = world.thread(board, world.user())
    assert world.client(world.user()).get(f"/moderation/posts/{thread.id}/flag").status_code == 404


# The threshold -----------------------------------------------------------------------------


def test_third_report_hides_the_post_and_tells_the_moderators(world, outbox):
    board = world.board()
    author = world.user()
    thread = world.thread(board, author, title="Buy my course")
    mods = [world.moderator(name="Tom Byrne"), world.moderator(name="Ana Silva")]
    members = [world.user() for _ in range(3)]
    for member in members[:2]:
        world.client(member).post(f"/moderation/posts/{thread.id}/flag", data=flag_data(thread.id))
    assert world.get(Post, thread.id).hidden_at is None and outbox() == []
    reporter = world.client(members[2])
    reporter.post(f"/moderation/posts/{thread.id}/flag", data=flag_data(thread.id))
    post = world.get(Post, thread.id)
    assert post.hidden_at is not None and post.hidden_reason == "flags"
    assert post.hidden_by_id is None
    assert [e.subject_id for e in world.events("moderation.auto_hidden")] == [thread.id]
    sent = outbox()
    assert sorted(m["To"] for m in sent) == sorted(m.email for m in mods)
    assert {m["Subject"] for m in sent} == {"A post was hidden after reports"}
    # Gone from the board for members (the reporters included); the author still sees it.
    assert "Buy my course" not in text(reporter.get(f"/boards/{board.id}"))
    assert "Buy my course" in text(world.client(author).get(f"/boards/{board.id}"))
    assert world.review_of(thread).cause == "flags"


def _flag_at_once(world, thread, members) -> list:
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def run(member):
        try:
            client = world.client(member)
            start.wait()
            response = client.post(
                f"/moderation/posts/{thread.id}/flag", data=flag_data(thread.id), headers=HX
            )
            assert response.status_code == 200, response.status_code
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_eight_reports_at_once_hide_the_post_exactly_once(world, outbox):
    """Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL: one hide, one set of emails."""
    board = world.board()
    thread = world.thread(board, world.user())
    mods = [world.moderator(), world.moderator()]
    members = [world.user() for _ in range(8)]
    errors = _flag_at_once(world, thread, members)
    assert not errors, errors
    post = world.get(Post, thread.id)
    assert post.hidden_at is not None and post.flag_count == 8
    assert world.count(Flag, post_id=thread.id) == 8
    assert len(world.events("moderation.auto_hidden")) == 1
    assert len(outbox()) == len(mods)
    # The board's counts lost the question exactly once.
    from app.models import Board

    assert world.get(Board, board.id).question_count == 0


def test_one_member_double_submitting_in_parallel_reports_once(world):
    board = world.board()
    thread = world.thread(board, world.user())
    member = world.user()
    errors = _flag_at_once(world, thread, [member] * 6)
    assert not errors, errors
    assert world.count(Flag, post_id=thread.id) == 1
    assert world.get(Post, thread.id).flag_count == 1


def test_flag_ids_stay_unique_with_every_report_form_open(world):
    board = world.board()
    thread = world.thread(board, world.user())
    replies = [world.reply(thread, world.user()) for _ in range(3)]
    client = world.client(world.user())
    page = text(client.get(f"/boards/threads/{thread.id}"))
    # Open every post's form in place, as htmx swaps it for its link.
    for post in [thread, *replies]:
        link = re.search(rf'<a id="flag-{post.id}" [^>]*>.*?</a>', page, re.DOTALL)
        form = text(client.get(f"/moderation/posts/{post.id}/flag", headers=HX))
        page = page.replace(link.group(0), form)
        assert f'id="flag-{post.id}-reason-0"' in page
    ids = [attrs["id"] for _, attrs in start_tags(page) if "id" in attrs]
    assert len(ids) == len(set(ids))


def test_report_form_alone_for_htmx(world):
    board = world.board()
    thread = world.thread(board, world.user())
    response = world.client(world.user()).get(f"/moderation/posts/{thread.id}/flag", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    # In place of the link (same id): the form, open, posting with htmx into the same place.
    assert body.lstrip().startswith(f'<details class="flag" id="flag-{thread.id}" open>')
    tag, attrs = element(body, f"flag-form-{thread.id}")
    assert attrs["hx-post"] == attrs["action"] == f"/moderation/posts/{thread.id}/flag"
    assert attrs["hx-target"] == f"#flag-{thread.id}" and attrs["hx-swap"] == "outerHTML"
    assert 'name="csrf_token" value="' in body and f'id="flag-{thread.id}-reason-0"' in body
    assert "error-summary" not in body and "sr-status" not in body
    # The link's focus goes to the disclosure's summary (now expanded), the only autofocus.
    focused = [tag for tag in start_tags(body) if "autofocus" in tag[1]]
    assert focused == [("summary", {"class": "flag__summary", "autofocus": None})]
    assert f"autofocus>{REPORT_TEXT}</summary>" in body
