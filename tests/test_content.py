"""The Markdown pipeline (app.content): what members write becomes safe HTML, once, on save."""

import re

import pytest
from markupsafe import Markup

from app.content import LINK_REL, render_markdown, rich


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='javascript:alert(1)'>click</a>",
    ],
)
def test_script_links_are_dropped(source):
    html = render_markdown(source)
    assert tags(html) == ["p"]  # no <a>: what was written shows as text
    assert 'href="' not in html


def tags(html: str) -> list[str]:
    """The elements really in html (escaped text such as &lt;a does not count)."""
    return re.findall(r"<([a-z0-9]+)", html)


def test_links_with_other_protocols_lose_their_address():
    # markdown-it accepts ftp:, bleach's allowlist (http, https, mailto) does not.
    html = render_markdown("[files](ftp://example.org/x)")
    assert "ftp:" not in html and "files" in html


@pytest.mark.parametrize(
    ("source", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ('<b style="color:red">bold</b>', "&lt;b style=&quot;color:red&quot;&gt;bold&lt;/b&gt;"),
        ("<!-- hidden -->", "&lt;!-- hidden --&gt;"),
    ],
)
def test_raw_html_is_escaped_as_text(source, escaped):
    html = render_markdown(source)
    assert tags(html) == ["p"]
    assert escaped.replace("&quot;", "") in html.replace("&quot;", "").replace('"', "")


def test_headings_start_at_h3():
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four")
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html
    assert "<h5>Three</h5>" in html and "<h6>Four</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_bare_addresses_become_links_with_rel():
    html = render_markdown(
        "See https://example.org/a?b=1 and www.example.net, or mail me@example.org"
    )
    assert f'<a href="https://example.org/a?b=1" rel="{LINK_REL}">' in html
    assert f'<a href="http://www.example.net" rel="{LINK_REL}">www.example.net</a>' in html
    assert f'<a href="mailto:me@example.org" rel="{LINK_REL}">me@example.org</a>' in html


def test_written_links_get_rel_too():
    html = render_markdown('[our site](https://example.org "Title")')
    assert 'rel="nofollow ugc noopener"' in html and 'title="Title"' in html
    assert LINK_REL == "nofollow ugc noopener"


def test_no_links_inside_code():
    html = render_markdown("`https://example.org`\n\n```\nhttps://example.org\n```")
    assert "<a" not in html and "<code>https://example.org</code>" in html


def test_images_are_not_rendered():
    html = render_markdown("![a chart](https://example.org/chart.png)")
    assert "<img" not in html


def test_allowed_formatting_survives():
    html = render_markdown("*em* **strong** `code`\n\n> quote\n\n1. one\n2. two\n\n---")
    for tag in ("<em>", "<strong>", "<code>", "<blockquote>", "<ol>", "<li>", "<hr"):
        assert tag in html


def test_empty_text_renders_empty():
    assert render_markdown("") == "" and render_markdown("   \n ") == ""


def test_rich_marks_stored_html_safe():
    assert isinstance(rich("<p>x</p>"), Markup) and rich(None) == Markup("")
