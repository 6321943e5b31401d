"""Boards in a real browser: posting, voting and replying update the page in place with
JavaScript, and work the same with JavaScript switched off."""

import re

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import add_board, add_person, add_question, log_in


def _mark_page(page):
    """Tag the window: the tag survives an htmx swap but not a page load."""
    page.evaluate("() => { window.__sameDocument = true; }")


def _still_same_page(page) -> bool:
    return page.evaluate("() => window.__sameDocument === true")


def test_member_posts_a_question_and_another_upvotes_it_in_place(browser, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    author_email, _ = add_person(live_app, name="Amara Okafor")
    voter_email, _ = add_person(live_app, name="Rhys Evans")

    author = browser.new_context().new_page()
    log_in(author, base, author_email)
    author.goto(f"{base}/boards/{board_id}")
    assert_accessible(author)
    _mark_page(author)
    author.locator("#kind-0").check()
    author.locator("#title").fill("How do we share power beyond a single mayor?")
    author.locator("#body").fill("Our combined authority has one leader and little else.")
    author.locator("#new-thread-submit").click()
    new_post = author.locator("article[id^=post-]", has_text="How do we share power").first
    expect(new_post).to_be_visible()
    expect(new_post).to_be_focused()
    expect(author.locator("#title")).to_have_value("")
    assert _still_same_page(author)
    assert_accessible(author)
    post_id = int(re.search(r"\d+", new_post.get_attribute("id")).group())

    voter = browser.new_context().new_page()
    log_in(voter, base, voter_email)
    voter.goto(f"{base}/boards/{board_id}")
    _mark_page(voter)
    expect(voter.locator(f"#vote-count-{post_id}")).to_contain_text("0")
    voter.locator(f"#vote-{post_id}").click()
    expect(voter.locator(f"#vote-count-{post_id}")).to_contain_text("1")
    expect(voter.locator(f"#vote-{post_id}")).to_have_attribute("aria-pressed", "true")
    expect(voter.locator(f"#vote-{post_id}")).to_be_focused()
    expect(voter.locator("#sr-status")).to_contain_text("Vote recorded")
    assert _still_same_page(voter)
    assert_accessible(voter)
    # Taking it back, with the keyboard.
    voter.keyboard.press("Enter")
    expect(voter.locator(f"#vote-count-{post_id}")).to_contain_text("0")
    expect(voter.locator(f"#vote-{post_id}")).to_have_attribute("aria-pressed", "false")


def test_reply_appears_in_place(browser, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    email, _ = add_person(live_app, name="Priya Shah")
    thread_id = add_question(live_app, board_id, title="What does devolution mean for us?")

    page = browser.new_context().new_page()
    log_in(page, base, email)
    page.goto(f"{base}/boards/threads/{thread_id}")
    assert_accessible(page)
    _mark_page(page)
    page.locator(f"#reply-form-{thread_id} textarea").fill("In our town it meant a new board.")
    page.locator(f"#reply-submit-{thread_id}").click()
    reply = page.locator("article[id^=post-]", has_text="it meant a new board")
    expect(reply).to_be_visible()
    expect(reply).to_be_focused()
    expect(page.locator(f"#reply-form-{thread_id} textarea")).to_have_value("")
    assert _still_same_page(page)
    assert_accessible(page)


def test_posting_and_voting_without_javascript(browser, no_js, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    author_email, _ = add_person(live_app, name="Amara Okafor")
    voter_email, _ = add_person(live_app, name="Rhys Evans")

    author = no_js.new_page()
    log_in(author, base, author_email)
    author.goto(f"{base}/boards/{board_id}")
    author.locator("#kind-0").check()
    author.locator("#title").fill("Who decides what counts as levelling up?")
    author.locator("#new-thread-submit").click()
    # Post/redirect/get: a new page, the thread, showing the question.
    expect(author).to_have_url(re.compile(r"/boards/threads/\d+"))
    expect(author.locator("main")).to_contain_text("Who decides what counts as levelling up?")
    post_id = int(re.search(r"/threads/(\d+)", author.url).group(1))

    voter = browser.new_context(java_script_enabled=False).new_page()
    log_in(voter, base, voter_email)
    voter.goto(f"{base}/boards/{board_id}")
    voter.locator(f"#vote-{post_id}").click()
    expect(voter).to_have_url(re.compile(rf"/boards/{board_id}"))
    expect(voter.locator(f"#vote-count-{post_id}")).to_contain_text("1")
    expect(voter.locator(f"#vote-{post_id}")).to_have_attribute("aria-pressed", "true")


def test_replying_without_javascript(no_js, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    email, _ = add_person(live_app)
    thread_id = add_question(live_app, board_id, title="Where does the money go?")
    page = no_js.new_page()
    log_in(page, base, email)
    page.goto(f"{base}/boards/threads/{thread_id}")
    page.locator(f"#reply-form-{thread_id} textarea").fill("Follow the capital budget.")
    page.locator(f"#reply-submit-{thread_id}").click()
    expect(page).to_have_url(re.compile(rf"/boards/threads/{thread_id}#post-\d+"))
    expect(page.locator("main")).to_contain_text("Follow the capital budget.")
