"""Search and closing an account in a real browser: the header box, filters swapped in place
with htmx (focus kept, result count announced), the error summary, and the same without
JavaScript; axe after every load and swap."""

import re

from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import add_person, log_in


def add_discussion(app) -> None:
    with app.app_context():
        meeting = factories.meeting(title="Taking a holistic approach")
        factories.thread(
            meeting.boards[0],
            title="How do we measure wellbeing in a place?",
            body="Surveys of **wellbeing** are slow.",
        )
        factories.thread(meeting.boards[0], kind="discussion", title="Wellbeing and skills")
        db.session.commit()


def _mark_page(page):
    page.evaluate("() => { window.__sameDocument = true; }")


def test_search_from_the_header_then_filter_in_place(browser, live_server, live_app):
    base = live_server.url
    add_discussion(live_app)
    email, _ = add_person(live_app)
    page = browser.new_context().new_page()
    log_in(page, base, email)

    page.get_by_label("Search Roundtable").fill("wellbeing")
    page.get_by_label("Search Roundtable").press("Enter")
    expect(page).to_have_url(f"{base}/search/?q=wellbeing")
    expect(page.locator("#search-results-heading")).to_have_text("2 results for “wellbeing”")
    expect(page.locator("#search-result-list mark").first).to_have_text(
        re.compile("wellbeing", re.I)
    )
    assert_accessible(page)

    _mark_page(page)
    page.locator("#search-filters summary").click()
    page.get_by_label("Threads").check()
    page.locator("#sort").select_option("newest")
    page.locator("#apply-filters").click()
    expect(page.locator("#sr-status")).to_have_text("2 results found.")
    expect(page).to_have_url(re.compile(r"/search/\?q=wellbeing&kind=thread&.*sort=newest"))
    expect(page.locator("#apply-filters")).to_be_focused()
    assert page.evaluate("() => window.__sameDocument === true")
    expect(page).to_have_title("Search results for “wellbeing” – Roundtable")
    assert_accessible(page)

    page.locator("#q").fill("x" * 201)
    page.locator("#q").press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title("Error: Search – Roundtable")
    expect(page.locator("#q-error")).to_contain_text("Search must be 200 characters or fewer")
    assert_accessible(page)


def test_search_without_javascript(browser, live_server, live_app):
    base = live_server.url
    add_discussion(live_app)
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(base + "/search/")
    expect(page.locator("#search-start")).to_be_visible()
    page.locator("#q").fill("measuring")
    page.locator("#search-submit").click()
    expect(page.locator("#search-results-heading")).to_have_text("1 result for “measuring”")
    expect(page).to_have_title("Search results for “measuring” – Roundtable")


def test_close_account_with_the_keyboard(browser, live_server, live_app):
    base = live_server.url
    email, password = add_person(live_app, name="Priya Shah")
    page = browser.new_context().new_page()
    log_in(page, base, email)
    page.goto(base + "/auth/profile")
    expect(page.locator("#export-data")).to_have_attribute("href", "/account/export")
    page.locator("#close-account-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close your account")
    assert_accessible(page)
    page.get_by_role("button", name="Close my account").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Your password").fill(password)
    page.get_by_label("Your password").press("Enter")
    expect(page.locator("#flash")).to_contain_text("Your account is closed")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
