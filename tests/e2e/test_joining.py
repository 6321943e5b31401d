"""Joining, end to end: a visitor applies, an admin approves, the new member sets a password
from the emailed link and logs in. Plus logging in with the keyboard alone."""

import re

from playwright.sync_api import expect

from app.models import Role
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import add_person, last_email, link_in, log_in


def test_visitor_applies_admin_approves_member_sets_password_and_logs_in(
    browser, live_server, live_app
):
    base = live_server.url
    visitor = browser.new_page()
    visitor.goto(base + "/")
    visitor.get_by_role("link", name="Find out how to join").click()
    expect(visitor).to_have_url(re.compile(r"/joining$"))
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Apply to join").first.click()
    expect(visitor).to_have_url(re.compile(r"/apply$"))
    assert_accessible(visitor)

    # Sending it empty first: the error summary takes focus and names every field.
    visitor.get_by_role("button", name="Send application").click()
    expect(visitor.locator(".error-summary")).to_be_focused()
    assert visitor.title().startswith("Error:")
    assert_accessible(visitor)

    visitor.locator("#name").fill("Helen Ward")
    visitor.locator("#email").fill("helen.ward@example.net")
    visitor.locator("#organisation").fill("Eastport Health Partnership")
    visitor.locator("#place").fill("Eastport")
    visitor.locator("#job_role").fill("Public health programme lead")
    visitor.locator("#criteria_statement").fill(
        "I coordinate our town's work on health inequalities with the council and schools."
    )
    visitor.locator("#agreed_guidelines").check()
    visitor.get_by_role("button", name="Send application").click()
    expect(visitor.locator("#application-status")).to_have_text("Waiting for a decision")
    status_url = visitor.url
    assert_accessible(visitor)

    admin = browser.new_page()
    email, password = add_person(live_app, Role.ADMIN, name="Jo Mensah")
    log_in(admin, base, email, password)
    admin.get_by_role("link", name="Applications").click()
    assert_accessible(admin)
    admin.get_by_role("link", name="Helen Ward").first.click()
    assert_accessible(admin)
    admin.get_by_role("button", name="Approve and create account").click()
    expect(admin.locator("main")).to_contain_text("approved")
    assert_accessible(admin)

    welcome = link_in(last_email(live_app), "/auth/welcome/", base)
    visitor.goto(status_url)
    expect(visitor.locator("#application-status")).to_contain_text("Approved")
    visitor.goto(welcome)
    assert_accessible(visitor)
    visitor.get_by_label("New password", exact=True).fill("eastport harbour lights")
    visitor.get_by_label("Confirm new password").fill("eastport harbour lights")
    visitor.get_by_role("button", name="Set password and log in").click()
    expect(visitor.get_by_role("button", name="Log out")).to_be_visible()

    # A fresh browser: the new member logs in with the password they chose.
    fresh = browser.new_context().new_page()
    log_in(fresh, base, "helen.ward@example.net", "eastport harbour lights")
    expect(fresh.locator("main")).to_contain_text("You are logged in")


def test_log_in_with_the_keyboard_alone(page, live_server, live_app):
    email, password = add_person(live_app, name="Amara Okafor")
    page.goto(live_server.url + "/auth/login")
    assert_accessible(page)
    # From the top of the page: Tab until the email field has focus, never using the mouse.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "email":
            break
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You are logged in")


def test_wrong_password_error_is_announced_and_focused(page, live_server, live_app):
    email, _ = add_person(live_app)
    page.goto(live_server.url + "/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill("not the right one at all")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#email")).to_have_value(email)
    expect(page.locator("#password")).to_have_value("")
    assert_accessible(page)
