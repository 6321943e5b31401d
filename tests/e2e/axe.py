"""axe-core in the browser tests: fail on any serious or critical WCAG 2.2 AA violation.

axe-core is vendored from its npm package (tests/e2e/vendor, version in its README) and injected
into the page by the test, never served by the app.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    # axe ships WCAG 2.2's target-size rule switched off.
    "rules": {"target-size": {"enabled": True}},
    # Passes are not read: axe then keeps one node per passing rule, which is faster.
    "resultTypes": ["violations", "incomplete"],
}

# Rules whose failures axe files under "needs review" but which are certain for our pages: an
# id that aria-* or a label points at, used twice, gives the wrong element the label or hint.
REVIEW_IS_FAILURE = {"duplicate-id-aria"}

_RUN = """([context, options]) => context === null
    ? axe.run(document, options)
    : axe.run(context, options)"""


def install(context) -> None:
    """Load axe into every document the browser context opens, before the page's own scripts:
    for walks over many pages, Chromium then reuses the compiled script (a tenth of a second a
    page saved). Init scripts are not subject to the page's CSP."""
    context.add_init_script(script=AXE_SOURCE)


def _inject(page) -> None:
    """Load axe into the page once per document, unless install() already did.

    Evaluated rather than added as a <script> tag: the app's CSP (script-src 'self') blocks
    inline scripts, and Playwright's add_script_tag inlines the file's text.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)


def _require_javascript(page) -> None:
    """Fail fast where axe would hang: without JavaScript its promise never settles.

    static/js/app.js marks <html> with js-enabled; if it never ran, JavaScript is off here.
    Check such a page with assert_accessible_as_served instead.
    """
    # Null-safe: called straight after a click, the page may be between two documents.
    marked = "() => !!document.documentElement?.classList.contains('js-enabled')"
    if not page.evaluate(marked):
        page.wait_for_load_state("load")
        enabled = page.evaluate(marked)
        assert enabled, (
            f"{page.url}: JavaScript is off in this context (or app.js did not run), so axe "
            "would never return; use assert_accessible_as_served"
        )


# Finite animations only: one that loops forever would never finish.
_SETTLE = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null)))"""


def serious_violations(page, context=None) -> list[str]:
    """Rule, help text and first targets of each serious or critical violation on the page
    (or within context, a CSS selector)."""
    _require_javascript(page)
    # Swapped-in content fades in (app.css): measured mid-fade, its text fails on contrast.
    page.evaluate(_SETTLE)
    _inject(page)
    results = page.evaluate(_RUN, [context, OPTIONS])
    found = results["violations"] + [
        v for v in results["incomplete"] if v["id"] in REVIEW_IS_FAILURE
    ]
    return [
        f"{v['id']} ({v['impact']}: {v['help']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page, context=None) -> None:
    """Fail with the violations listed; call after every page load and every htmx swap."""
    found = serious_violations(page, context)
    assert found == [], f"axe found serious problems on {page.url}: {found}"


def assert_accessible_as_served(browser, no_js_context, url: str) -> None:
    """Check a page a no-JavaScript context is on: the same URL, with the same cookies (so the
    same session), opened in a fresh context that has JavaScript for axe."""
    checker = browser.new_context()
    try:
        checker.add_cookies(no_js_context.cookies())
        page = checker.new_page()
        page.goto(url)
        assert_accessible(page)
    finally:
        checker.close()
