"""Response headers and markup on every page type (issue 9, point 6).

One URL of every GET endpoint (built as in the permission matrix) is fetched as its least role,
as a full page and as an htmx fragment, along with the error pages: each carries the security
headers, sets cookies only HttpOnly and SameSite, and contains nothing the CSP would block
(inline script, event-handler attributes, inline style). The templates are scanned as well, so
a branch the scene does not reach is covered too.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.security import CONTENT_SECURITY_POLICY
from tests.conftest import _test_settings
from tests.security.conftest import client_for
from tests.security.matrix import build_url, case_id, levels, minimum, refused, rules

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HX = {"HX-Request": "true"}


def assert_security_headers(response, what: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp == CONTENT_SECURITY_POLICY, f"{what}: CSP is {csp!r}"
    # The policy itself: script and style from this site only, no framing.
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert headers.get("X-Frame-Options") == "DENY", what


def assert_cookies_safe(response, what: str, *, secure: bool = False) -> None:
    for cookie in response.headers.getlist("Set-Cookie"):
        attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
        samesite = re.search(r";\s*SameSite=(\w+)", cookie, re.IGNORECASE)
        assert "httponly" in attributes, f"{what}: cookie not HttpOnly: {cookie}"
        assert samesite and samesite.group(1).lower() in ("lax", "strict"), f"{what}: {cookie}"
        if secure:
            assert "secure" in attributes, f"{what}: cookie not Secure: {cookie}"


class InlineCode(HTMLParser):
    """Collects what the CSP would block in an HTML document or fragment."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if name in self.URL_ATTRIBUTES and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL in {name}= on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline script body")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def _get_pages():
    return [pytest.param(c, id=case_id(c)) for c in rules() if c[2] == "GET"]


@pytest.mark.parametrize("case", _get_pages())
def test_every_page_has_the_security_headers_and_no_inline_code(module_app, scene, case):
    endpoint, rule, _ = case
    url = build_url(module_app, scene, endpoint, rule)
    client = client_for(module_app, scene, minimum(levels(endpoint)[0]))
    for headers in ({}, HX):
        response = client.get(url, headers=headers)
        what = f"GET {endpoint}" + (" (htmx)" if headers else "")
        assert response.status_code < 400, f"{what}: {response.status_code}"
        assert_security_headers(response, what)
        assert_cookies_safe(response, what)
        if response.mimetype == "text/html":
            found = inline_code(response.get_data(as_text=True))
            assert not found, f"{what}: the CSP would block {found}"


def test_error_pages_have_the_security_headers_and_no_inline_code(module_app, scene):
    """403, 404, 405 and the CSRF 400, as pages and as htmx fragments."""
    module_app.config["WTF_CSRF_ENABLED"] = True
    try:
        member = client_for(module_app, scene, "member")
        admin_only = build_url(module_app, scene, "admin.index", "/admin/")
        assert "member" in refused("admin.index")
        requests = {
            403: lambda h: member.get(admin_only, headers=h),
            404: lambda h: member.get("/no-such-page", headers=h),
            405: lambda h: member.delete("/", headers=h),
            400: lambda h: member.post("/notifications/read", headers=h),
        }
        for status, send in requests.items():
            for headers in ({}, HX):
                response = send(headers)
                what = f"{status} page" + (" (htmx)" if headers else "")
                assert response.status_code == status, what
                assert_security_headers(response, what)
                assert_cookies_safe(response, what)
                assert not inline_code(response.get_data(as_text=True)), what
    finally:
        module_app.config["WTF_CSRF_ENABLED"] = False


def test_login_sets_httponly_samesite_cookies(module_app, scene):
    with module_app.app_context():
        from tests import factories

        factories.user(email="cookies@example.org")
        db.session.commit()
    response = module_app.test_client().post(
        "/auth/login",
        data={"email": "cookies@example.org", "password": factories.PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    names = {c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= names
    assert_cookies_safe(response, "log-in")


def test_cookies_are_secure_and_hsts_is_sent_on_an_https_site(database_uri, module_app, scene):
    """BASE_URL https:// makes every cookie Secure and adds Strict-Transport-Security."""
    app = create_app(
        {
            **_test_settings(),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "BASE_URL": "https://roundtable.example",
        }
    )
    try:
        client = client_for(app, scene, "member")
        client.post("/auth/logout")  # sets a cookie: the flash message in a fresh session
        response = client.post(
            "/auth/login", data={"email": "nobody@example.org", "password": "wrong password"}
        )
        assert response.headers.getlist("Set-Cookie"), "expected a cookie to check"
        assert_cookies_safe(response, "https log-in form", secure=True)
        page = client.get("/", base_url="https://localhost")
        assert_security_headers(page, "https home")
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# The templates themselves --------------------------------------------------------------------

SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^<>]*?\sstyle\s*=", re.I | re.S)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^<>]*?\s(on[a-z]+|hx-on[:\-][\w:\-]*)\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"""=\s*["']\s*javascript:""", re.I)


def template_files() -> list[Path]:
    files = sorted(p for p in TEMPLATES.rglob("*.html"))
    assert len(files) > 50, "templates not found"
    return files


def test_no_template_has_inline_script_handlers_or_style():
    problems = []
    for path in template_files():
        source = path.read_text()
        name = path.relative_to(TEMPLATES)
        for match in SCRIPT.finditer(source):
            if "src=" not in match.group("attrs") or match.group("body").strip():
                problems.append(f"{name}: inline <script>")
        for pattern, what in (
            (STYLE_BLOCK, "<style> block"),
            (STYLE_ATTRIBUTE, "style= attribute"),
            (HANDLER_ATTRIBUTE, "event-handler attribute"),
            (JAVASCRIPT_URL, "javascript: URL"),
        ):
            if pattern.search(source):
                problems.append(f"{name}: {what}")
    assert not problems, "the CSP would block:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("snippet", "caught"),
    [
        ("<script>alert(1)</script>", True),
        ('<script src="/static/js/app.js"></script>', False),
        ('<script src="/x.js">alert(1)</script>', True),
        ('<button type="button" onclick="go()">Go</button>', True),
        ('<div\n  class="x"\n  hx-on:click="go()">', True),
        ('<p style="color: red">', True),
        ("<style>p { color: red }</style>", True),
        ('<a href="javascript:go()">', True),
        ('<a href="/online">Join online</a>', False),
    ],
)
def test_the_scanners_catch_what_they_look_for(snippet, caught):
    """The template patterns and the rendered-page parser agree on these, both ways."""
    in_source = bool(
        any(
            "src=" not in m.group("attrs") or m.group("body").strip()
            for m in SCRIPT.finditer(snippet)
        )
        or STYLE_BLOCK.search(snippet)
        or STYLE_ATTRIBUTE.search(snippet)
        or HANDLER_ATTRIBUTE.search(snippet)
        or JAVASCRIPT_URL.search(snippet)
    )
    assert in_source is caught
    assert bool(inline_code(snippet)) is caught
