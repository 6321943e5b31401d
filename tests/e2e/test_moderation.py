"""Moderation in a real browser: three members report a post, it disappears from the board,
a moderator restores it with a reason, and the author sees the decision; and reporting
without JavaScript."""

import re

from playwright.sync_api import expect

from app.models import Role
from tests.e2e.axe import assert_accessible, assert_accessible_as_served
from tests.e2e.helpers import add_board, add_person, add_question, log_in


def _report(browser, base, email, thread_id):
    page = browser.new_context().new_page()
    log_in(page, base, email)
    page.goto(f"{base}/boards/threads/{thread_id}")
    # The thread page carries a "Report" link, not a form: htmx loads the form in its place,
    # open, with focus on its summary (the control the link became).
    expect(page.locator(f"#flag-form-{thread_id}")).to_have_count(0)
    page.locator(f"a#flag-{thread_id}").click()
    expect(page.locator(f"#flag-form-{thread_id}")).to_be_visible()
    expect(page.locator(f"details#flag-{thread_id}")).to_have_attribute("open", "")
    expect(page.locator(f"#flag-{thread_id} summary")).to_be_focused()
    assert_accessible(page, f"#flag-{thread_id}")
    assert_accessible(page)
    page.locator(f"#flag-{thread_id}-reason-0").check()
    page.locator(f"#flag-send-{thread_id}").click()
    expect(page.locator(f"#flag-{thread_id}")).to_contain_text("You reported this post")
    expect(page.locator("#sr-status")).to_contain_text("The moderators will look at this post")
    assert_accessible(page)
    page.context.close()


def test_three_reports_hide_a_post_and_a_moderator_restores_it(browser, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    author_email, _ = add_person(live_app, name="Amara Okafor")
    thread_id = add_question(
        live_app,
        board_id,
        title="Is the town deal money reaching the estates?",
        author_email=author_email,
    )
    for n in range(3):
        email, _ = add_person(live_app, name=f"Reporter {n}")
        _report(browser, base, email, thread_id)

    reader_email, _ = add_person(live_app, name="Rhys Evans")
    reader = browser.new_context().new_page()
    log_in(reader, base, reader_email)
    reader.goto(f"{base}/boards/{board_id}")
    expect(reader.locator("main")).not_to_contain_text("town deal money")

    moderator_email, _ = add_person(live_app, Role.MODERATOR, name="Tom Byrne")
    moderator = browser.new_context().new_page()
    log_in(moderator, base, moderator_email)
    moderator.goto(f"{base}/moderation/")
    assert_accessible(moderator)
    item = moderator.locator(f"#queue-item-{thread_id}")
    expect(item).to_contain_text("town deal money")
    moderator.locator(f"#decision-reason-{thread_id}").fill(
        "A fair question about where funding goes; it breaks no guideline."
    )
    moderator.locator(f"#restore-{thread_id}").click()
    result = moderator.locator(f"#queue-result-{thread_id}")
    expect(result).to_contain_text("Post restored")
    expect(result).to_be_focused()
    assert_accessible(moderator)

    reader.goto(f"{base}/boards/{board_id}")
    expect(reader.locator("main")).to_contain_text("town deal money")

    author = browser.new_context().new_page()
    log_in(author, base, author_email)
    author.goto(f"{base}/moderation/decisions")
    expect(author.locator("main")).to_contain_text("it breaks no guideline")
    assert_accessible(author)


def test_reporting_without_javascript(browser, no_js, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    thread_id = add_question(live_app, board_id, title="Who audits the combined authority?")
    email, _ = add_person(live_app, name="Rhys Evans")
    page = no_js.new_page()
    log_in(page, base, email)
    page.goto(f"{base}/boards/threads/{thread_id}")
    # The "Report" link is a plain link to the report page.
    page.locator(f"#flag-{thread_id}").click()
    expect(page).to_have_url(f"{base}/moderation/posts/{thread_id}/flag")
    expect(page.locator("h1")).to_have_text("Report a post")
    assert_accessible_as_served(browser, no_js, page.url)
    page.locator(f"#flag-{thread_id}-reason-0").check()
    page.locator(f"#flag-send-{thread_id}").click()
    # Post/redirect/get: back at the post, which now says it was reported.
    expect(page).to_have_url(re.compile(rf"/boards/threads/{thread_id}#post-{thread_id}$"))
    expect(page.locator(f"#flag-{thread_id}")).to_have_text("You reported this post")
    expect(page.locator("#flash")).to_contain_text("You reported this post")
