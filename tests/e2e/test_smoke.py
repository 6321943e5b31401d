"""The layout in a real browser: no script blocked by the CSP, skip link, axe on the home page."""

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible


def test_home_page_loads_clean_under_csp(page, live_server):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Roundtable")
    # htmx loaded and read its config from the meta tag (no inline script needed).
    assert page.evaluate("() => window.htmx && htmx.config.allowEval") is False
    assert page.evaluate("() => document.documentElement.classList.contains('js-enabled')")
    assert problems == []
    assert_accessible(page)


def test_skip_link_is_first_and_moves_to_main(page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
