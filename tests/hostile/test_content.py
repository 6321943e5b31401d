"""The Markdown pipeline (app.content) on the whole corpus and on generated text: it never raises,
its output holds only the allowed tags, attributes and link addresses, sanitising it again
changes nothing, and sanitising never takes away text markdown-it would show."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.boards.services import render_body
from app.content import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    LINK_REL,
    markdown_to_html,
    render_markdown,
    sanitise,
)
from tests.hostile.checks import expected_markdown, parse, visible_text
from tests.hostile.corpus import PAYLOADS

SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def output_problems(html: str) -> list[str]:
    """Every way html (render_markdown's output) goes beyond what the pipeline allows."""
    problems = []
    page = parse(html)
    for element in page.elements:
        if element.tag not in ALLOWED_TAGS:
            problems.append(f"<{element.tag}>")
        for name, value in element.attrs:
            if name not in ALLOWED_ATTRIBUTES.get(element.tag, ()):
                problems.append(f"<{element.tag} {name}>")
            if name == "href":
                scheme = SCHEME.match(value or "")
                if scheme and scheme.group(1).lower() not in ALLOWED_PROTOCOLS:
                    problems.append(f"href={value!r}")
            if name == "rel" and value != LINK_REL:
                problems.append(f"rel={value!r}")
    return problems


def check(text: str) -> None:
    html = render_markdown(text)
    assert not output_problems(html), (text, html)
    assert sanitise(html) == html, "sanitising its own output changes it"
    assert render_markdown(text) == html, "rendering is not deterministic"
    # Sanitising keeps every character of text markdown-it would show (rule T2 of checks.py).
    assert visible_text(html) == visible_text(markdown_to_html(text))


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.id for p in PAYLOADS])
def test_every_payload(payload):
    check(payload.text())
    check(payload.text(one_line=True))
    assert expected_markdown(payload.text()) in visible_text(render_markdown(payload.text()))


def test_every_payload_with_mentions_linked(app):
    """@mentions are linked after sanitising (app.boards.mentions): the links it adds are the
    only extra markup, and a display name made of markup stays text. Each payload mentions a
    member named after it; the first word is the payload's own, as a mention looks up at most
    100 members by it."""
    from app.extensions import db
    from tests import factories

    def name(payload) -> str:
        return f"Amara-{payload.marker} {payload.text(one_line=True)}"[:80]

    with app.app_context():
        for payload in PAYLOADS:
            factories.user(name=name(payload), password=None)
        db.session.commit()
        for payload in PAYLOADS:
            source = f"@Amara-{payload.marker} {payload.text()}"
            html = render_body(source)
            page = parse(html)
            for element in page.elements:
                allowed = set(ALLOWED_ATTRIBUTES.get(element.tag, ())) | (
                    {"class"} if element.tag == "a" else set()
                )
                assert element.tag in ALLOWED_TAGS, (payload.id, html)
                assert {n for n, _ in element.attrs} <= allowed, (payload.id, html)
            assert visible_text(html) == visible_text(markdown_to_html(source)), payload.id
            assert 'class="mention"' in html, f"{payload.id}: the mention is not linked"


# Generated text -------------------------------------------------------------------------------

MARKDOWN_PIECES = [
    "*", "**", "_", "`", "```", "~~~", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&lt;",
    "&#x6A;", "&#0;", "#", "\n", "\n\n", " ", "    ", "!", "\\", "-", "1.", ">", "@", "www.",
    "example.org", "http://", "https://", "mailto:", "javascript:", "data:", "vbscript:", '"',
    "'", "=", "|", "<!--", "-->", "<script>", "<a href=", "{{", "}}", "{%", "\t", "\r",
    "\x00", "\x0b", "\u202e", "\u200b", "é", "😀", "[x]: ",
]  # fmt: skip
markdownish = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=5)), max_size=60
).map("".join)
anything = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)


@settings(max_examples=50, deadline=None, database=None)
@given(text=st.one_of(markdownish, anything))
def test_generated_text(text):
    check(text)


@settings(max_examples=10, deadline=None, database=None)
@given(text=markdownish, times=st.integers(min_value=50, max_value=400))
def test_very_long_text(text, times):
    check(text * times)
