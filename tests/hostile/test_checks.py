"""The corpus and the checks themselves: enough payloads of every kind, and checks that fail on
the leaks they exist to catch (so that a passing hostile test means something)."""

from collections import Counter

import pytest

from app.content import LINK_REL
from tests.hostile.checks import (
    Shown,
    page_problems,
    parse,
    template_vocabulary,
    text_problems,
)
from tests.hostile.corpus import MARKER, PAYLOADS, TEMPLATE_PAYLOADS

PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>t</title>
<script src="/static/js/app.js" defer></script></head><body><main id="main-content">{}</main>
</body></html>"""


def test_the_corpus_has_over_a_hundred_payloads_of_every_kind():
    assert len(PAYLOADS) >= 100
    groups = Counter(p.group for p in PAYLOADS)
    for group in ("script", "event", "link", "autolink", "reference", "image", "svg_math",
                  "mutation", "raw_html", "htmx", "template", "markdown", "encoding"):  # fmt: skip
        assert groups[group] >= 5, group
    assert len({p.marker for p in PAYLOADS}) == len(PAYLOADS)
    assert all(MARKER.fullmatch(p.marker) for p in PAYLOADS)
    assert all(p.marker in p.text() and p.marker in p.text(one_line=True) for p in PAYLOADS)
    assert not any(c < " " and c not in "\t\n" for p in PAYLOADS for c in p.text())


def test_the_templates_never_write_an_inline_handler():
    _, attributes = template_vocabulary()
    assert not [a for a in attributes if a.startswith(("on", "hx-on", "data-hx-on"))]
    assert {"hx-post", "class", "href"} <= attributes


@pytest.mark.parametrize(
    ("leak", "rule"),
    [
        ("<script>alert('zq000k')</script>", "P5"),
        ("<img src=x onerror=\"alert('zq011k')\">", "P2"),
        ('<p title="x" onclick="alert(1)">x</p>', "P2"),
        ('<div hx-on:click="alert(1)">x</div>', "P2"),
        ('<div data-hx-on:click="alert(1)">x</div>', "P2"),
        ('<div hx-get="/auth/logout?zq126k" hx-trigger="load">x</div>', "P4"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "P3"),
        ('<a href=" JaVaScRiPt:alert(1)">x</a>', "P3"),
        ('<form action="data:text/html,x"></form>', "P3"),
        ('<iframe srcdoc="x"></iframe>', "P1"),
        ("<svg><foreignObject></foreignObject></svg>", "P1"),
        ('<a class="mention" mention"="" href="/x">@x</a>', "P2"),
        ('<p data-x="zq010k">x</p>', "P2"),
    ],
)
def test_the_page_rules_catch_leaks(leak, rule):
    problems = page_problems(parse(PAGE.format(leak)))
    assert any(p.startswith(rule) for p in problems), problems


def test_the_page_rules_pass_what_the_pipeline_writes():
    safe = (
        f'<div class="prose"><p><a href="https://example.org/zq042k" title="zq042k" '
        f'rel="{LINK_REL}">x</a> <code>&lt;script&gt;</code></p><ol start="3"><li>x</li></ol>'
        f'<input type="text" name="q" value="&quot; onmouseover=zq024k"></div>'
    )
    assert page_problems(parse(PAGE.format(safe))) == []


def test_the_text_rules_catch_dropped_escaped_twice_and_evaluated_text():
    payload = TEMPLATE_PAYLOADS[0]
    assert payload.source == "{m} {{7*7}}"
    shown = [Shown.plain(payload, "title", payload.text(one_line=True))]
    m = payload.marker
    assert text_problems(parse(PAGE.format(m + " {{7*7}}")).text, shown) == []
    assert text_problems(parse(PAGE.format(m + " 49")).text, shown)  # evaluated
    assert text_problems(parse(PAGE.format("")).text, shown)  # dropped
    script = PAYLOADS[0]
    shown = [Shown.plain(script, "title", script.text(one_line=True))]
    escaped_twice = "&amp;lt;script&amp;gt;alert('zq000k')&amp;lt;/script&amp;gt; zq000k"
    assert text_problems(parse(PAGE.format(escaped_twice)).text, shown)
    body = [Shown.markdown(script, "body", "*em* [link](https://example.org) zq000k")]
    assert text_problems(parse(PAGE.format("<p><em>em</em> link zq000k</p>")).text, body) == []
    assert text_problems(parse(PAGE.format("<p>em link</p>")).text, body)
