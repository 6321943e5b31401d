"""The bell in a real browser: its count follows replies without a reload, and opening a
notification lands on what it is about."""

import re

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import add_board, add_person, add_question, log_in


def test_the_authors_bell_counts_a_reply_and_opens_on_it(browser, live_server, live_app):
    # The header polls every NOTIFICATIONS_POLL_SECONDS; read at render time, so this is the
    # interval the author's page will use.
    live_app.config["NOTIFICATIONS_POLL_SECONDS"] = 1
    base = live_server.url
    board_id = add_board(live_app)
    author_email, _ = add_person(live_app, name="Amara Okafor")
    replier_email, _ = add_person(live_app, name="Rhys Evans")
    thread_id = add_question(
        live_app, board_id, title="Who holds the budget here?", author_email=author_email
    )

    author = browser.new_context().new_page()
    log_in(author, base, author_email)
    author.goto(f"{base}/boards/{board_id}")
    author.evaluate("() => { window.__sameDocument = true; }")
    expect(author.locator("#notifications-unread")).to_be_hidden()

    replier = browser.new_context().new_page()
    log_in(replier, base, replier_email)
    replier.goto(f"{base}/boards/threads/{thread_id}")
    replier.locator(f"#reply-form-{thread_id} textarea").fill("The county does, mostly.")
    replier.locator(f"#reply-submit-{thread_id}").click()
    reply = replier.locator("article[id^=post-]", has_text="The county does")
    expect(reply).to_be_visible()
    reply_id = int(re.search(r"\d+", reply.get_attribute("id")).group())

    # The author's page was never reloaded: the poll brought the count in.
    expect(author.locator("#notifications-count")).to_have_text("1", timeout=15_000)
    expect(author.locator("#notifications-unread")).to_be_visible()
    assert author.evaluate("() => window.__sameDocument === true")
    assert_accessible(author)

    author.locator("#notifications-bell").click()
    expect(author).to_have_url(re.compile(r"/notifications/?$"))
    opener = author.locator("button[id^=notification-][id$=-open]", has_text="Rhys Evans")
    expect(opener).to_have_count(1)
    assert_accessible(author)
    opener.click()
    expect(author).to_have_url(re.compile(rf"/boards/threads/\d+.*#post-{reply_id}$"))
    expect(author.locator(f"#post-{reply_id}")).to_contain_text("The county does, mostly.")
    # Opened, so read: the bell is back to none.
    expect(author.locator("#notifications-unread")).to_be_hidden()
    assert_accessible(author)
