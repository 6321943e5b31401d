"""Member-written Markdown to safe HTML: the only path by which user text reaches |safe.

markdown-it-py parses CommonMark with raw HTML switched off; bleach then keeps only an
allowlist of tags and attributes, so a parser bug cannot smuggle markup through. Rendered HTML is
stored beside the Markdown when it is saved and marked safe on display with the `rich` filter.
"""

from functools import cache

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.inputs import without_controls

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote",
        "code", "pre", "h3", "h4", "h5", "h6", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Posts sit under the page's h1 and the thread's h2, so their headings start at h3.
HEADING_SHIFT = 2


def _shift_heading(self, tokens, idx, options, env):
    token = tokens[idx]
    level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
    token.tag = f"h{level}"
    return self.renderToken(tokens, idx, options, env)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable("linkify")
    md.disable("image")
    md.add_render_rule("heading_open", _shift_heading)
    md.add_render_rule("heading_close", _shift_heading)
    return md


class _LinkRel(Filter):
    """Every link a member writes is user content: no ranking credit, no opener access.

    Only rel is set here: markdown-it has already turned bare addresses into links. bleach's
    LinkifyFilter did both, but it decodes text once more on the way (bleach issue #130), so
    "&amp;lt;b&amp;gt;" written in a post was shown as "<b>" instead of "&lt;b&gt;".
    """

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                token["data"] = {**token["data"], (None, "rel"): LINK_REL}
            yield token


@cache
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_LinkRel],
    )


def markdown_to_html(text: str) -> str:
    """CommonMark to HTML with raw HTML escaped as text: the parse step, before sanitising.

    Control characters are dropped first, as every request's text already is (app.inputs):
    bleach would show each as "?". Never display this; it is public so tests can compare what
    sanitising keeps with it.
    """
    return _parser().render(without_controls(text))


def sanitise(html: str) -> str:
    """Keep only the allowed tags, attributes and link protocols (bleach sits behind this)."""
    return _cleaner().clean(html)


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML, ready to store in a *_html column."""
    if not text or not text.strip():
        return ""
    return sanitise(markdown_to_html(text)).strip()


def rich(stored_html: str | None) -> Markup:
    """Mark HTML that render_markdown produced as safe (a Jinja filter; never for raw input)."""
    return Markup(stored_html or "")  # noqa: S704 (sanitised by render_markdown when saved)
