"""Member-written Markdown to safe HTML: the only path by which user text reaches |safe.

markdown-it-py parses CommonMark with raw HTML switched off; bleach then keeps only an
allowlist of tags and attributes, so a parser bug cannot smuggle markup through. Rendered HTML is
stored beside the Markdown when it is saved and marked safe on display with the `rich` filter.
"""

from functools import cache

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

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


def _set_rel(attrs, new=False):
    """Every link a member writes is user content: no ranking credit, no opener access."""
    attrs[(None, "rel")] = LINK_REL
    return attrs


@cache
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            lambda source: LinkifyFilter(source, callbacks=[_set_rel], skip_tags={"pre", "code"})
        ],
    )


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML, ready to store in a *_html column."""
    if not text or not text.strip():
        return ""
    return _cleaner().clean(_parser().render(text)).strip()


def rich(stored_html: str | None) -> Markup:
    """Mark HTML that render_markdown produced as safe (a Jinja filter; never for raw input)."""
    return Markup(stored_html or "")  # noqa: S704 (sanitised by render_markdown when saved)
