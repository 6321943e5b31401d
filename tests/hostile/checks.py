"""What "safe" means for a page showing hostile text, as checks on the parsed HTML.

A page is parsed with the standard library's html.parser. Every page the hostile tests render is
held to the page rules; every field written with a payload is held to the text rules.

Page rules (`assert_page_safe`):
  P1 every element is one the templates write or one the Markdown pipeline allows
     (templates/ is scanned for the tag and attribute names it can produce);
  P2 every attribute name is one the templates or the pipeline write, and none is an event
     handler (on*) or an htmx inline handler (hx-on*, data-hx-on*), which the templates never use;
  P3 no URL attribute (href, src, action, formaction, xlink:href, hx-get ...) holds a
     javascript:, vbscript: or data: address, however it is spelled (entities, case, spaces,
     control characters);
  P4 a payload's marker appears in an attribute value only where user text is data: value,
     title, aria-label, alt, placeholder, content, label (of an option group), and the href of
     a link (already held to P3).
     Every corpus payload puts its marker into each attribute it tries to inject, so an injected
     hx-*, data-hx-* or on* attribute (or any other) fails here even if its name is allowed;
  P5 scripts are the templates' own: each has a src under /static/ and no inline code.

Text rules (`assert_text_shown`), on the text a reader sees (html.parser's text nodes outside
script and style, entities decoded, runs of white space collapsed to one space):
  T1 plain-text fields: the text as stored is shown in full, escaped (every character visible);
  T2 Markdown fields: syntax may become formatting, but nothing is dropped or shown twice over
     escaped: the text shown equals the text of markdown-it's own rendering of the source, before
     sanitising (app.content.markdown_to_html). Link targets and reference definitions are not
     text in either, so a dropped javascript: href loses no reader-visible text;
  T3 template syntax is shown, never evaluated: no EVALUATED string follows a template
     payload's marker.
"""

import html
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from app.content import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, markdown_to_html
from tests.hostile.corpus import EVALUATED, MARKER, Payload

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Elements and attributes added to sanitised HTML after bleach: @mention links
# (app.boards.mentions) and search highlights (app.search.services.marked).
EXTRA_CONTENT = {"a": {"class"}, "mark": set()}
WIDGET_TAGS = {"input", "textarea", "select", "option", "optgroup", "label"}
# Attributes WTForms widgets write without the templates naming them.
WIDGET_ATTRIBUTES = {
    "id", "name", "type", "value", "class", "rows", "checked", "selected", "multiple",
    "disabled", "readonly", "required", "autocomplete", "spellcheck", "inputmode", "label",
}  # fmt: skip
USER_TEXT_ATTRIBUTES = {"value", "title", "aria-label", "alt", "placeholder", "content", "label"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "poster", "data", "background",
    "cite", "srcset", "srcdoc", "ping", "manifest", "codebase",
    "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete",
}  # fmt: skip
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript):", re.IGNORECASE)
# What browsers ignore inside a scheme: ASCII white space and control characters.
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")
INLINE_HANDLER = re.compile(r"^(on|hx-on|data-hx-on)", re.IGNORECASE)


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    line: int


@dataclass
class Page:
    url: str
    elements: list[Element] = field(default_factory=list)
    text: str = ""
    scripts: list[tuple[dict, str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.chunks: list[str] = []
        self.raw: str | None = None
        self.raw_chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.page.elements.append(Element(tag, attrs, self.getpos()[0]))
        if tag in ("script", "style"):
            self.raw, self.raw_chunks = tag, []
            if tag == "script":
                self.page.scripts.append((dict(attrs), ""))

    def handle_startendtag(self, tag, attrs):
        self.page.elements.append(Element(tag, attrs, self.getpos()[0]))

    def handle_endtag(self, tag):
        if self.raw == tag:
            if tag == "script":
                attrs, _ = self.page.scripts[-1]
                self.page.scripts[-1] = (attrs, "".join(self.raw_chunks))
            self.raw = None

    def handle_data(self, data):
        if self.raw:
            self.raw_chunks.append(data)
        else:
            self.chunks.append(data)


def collapse(text: str) -> str:
    return " ".join(text.split())


def parse(markup: str, url: str = "") -> Page:
    page = Page(url)
    reader = _Reader(page)
    reader.feed(markup)
    reader.close()
    page.text = collapse("".join(reader.chunks))
    return page


def visible_text(markup: str) -> str:
    """The text a reader sees in an HTML fragment (see the module docstring)."""
    return parse(markup).text


@cache
def template_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """The tag names and attribute names written anywhere in templates/."""
    tags: set[str] = set()
    attributes: set[str] = set()
    jinja = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
    for path in TEMPLATES.rglob("*.html"):
        source = re.sub(r"\{#.*?#\}", " ", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        tags.update(t.lower() for t in re.findall(r"</?([a-zA-Z][a-zA-Z0-9-]*)", source))
        # Attribute names are read inside tags, with Jinja expressions blanked out; names given
        # to the form macros as dictionary keys ({'aria-describedby': ...}) count too.
        for tag in re.findall(r"<[a-zA-Z][^<>]*>", jinja.sub(" ", source)):
            attributes.update(
                a.lower() for a in re.findall(r"\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?=[\s=/>]|$)", tag)
            )
        attributes.update(re.findall(r"""['"]([a-z][a-z-]+)['"]:""", source))
    return frozenset(tags | WIDGET_TAGS), frozenset(attributes | WIDGET_ATTRIBUTES)


def _content_allows(tag: str, name: str) -> bool:
    return name in ALLOWED_ATTRIBUTES.get(tag, ()) or name in EXTRA_CONTENT.get(tag, ())


def page_problems(page: Page) -> list[str]:
    """Every way page breaks the page rules P1-P5 (empty when it is safe)."""
    tags, attributes = template_vocabulary()
    problems = []
    for element in page.elements:
        where = f"line {element.line} <{element.tag}>"
        if element.tag not in tags and element.tag not in ALLOWED_TAGS | EXTRA_CONTENT.keys():
            problems.append(f"P1 {where}: element not written by the templates or the pipeline")
        for name, value in element.attrs:
            value = value or ""
            if INLINE_HANDLER.match(name):
                problems.append(f"P2 {where}: inline handler {name}={value!r}")
            elif name not in attributes and not _content_allows(element.tag, name):
                problems.append(f"P2 {where}: attribute {name!r} not written by the templates")
            if name in URL_ATTRIBUTES or name.startswith("hx-") or name.startswith("data-hx-"):
                address = IGNORED_IN_SCHEME.sub("", html.unescape(value))
                if BAD_SCHEME.match(address):
                    problems.append(f"P3 {where}: {name}={value!r}")
            if MARKER.search(value) and not _user_text_slot(element.tag, name):
                problems.append(f"P4 {where}: a payload reached {name}={value!r}")
    for attrs, code in page.scripts:
        if not (attrs.get("src") or "").startswith("/static/") or code.strip():
            problems.append(f"P5 script not from /static/: {attrs!r} {code[:80]!r}")
    return problems


def _user_text_slot(tag: str, name: str) -> bool:
    return name in USER_TEXT_ATTRIBUTES or (tag == "a" and name == "href")


def assert_page_safe(page: Page) -> None:
    problems = page_problems(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems[:20])


def expected_plain(text: str) -> str:
    """What a reader must see of a plain-text field holding text."""
    return collapse(text)


def expected_markdown(text: str) -> str:
    """What a reader must see of a Markdown field holding text (rule T2)."""
    return visible_text(markdown_to_html(text))


@dataclass(frozen=True)
class Shown:
    """A payload written into a field, and the text a reader must find on the page."""

    payload: Payload
    field: str
    expected: str

    @classmethod
    def plain(cls, payload: Payload, field: str, text: str) -> "Shown":
        return cls(payload, field, expected_plain(text))

    @classmethod
    def markdown(cls, payload: Payload, field: str, text: str) -> "Shown":
        return cls(payload, field, expected_markdown(text))


def text_problems(page_text: str, shown: list[Shown]) -> list[str]:
    """Every way the page text breaks the text rules T1-T3 for what was written."""
    problems = []
    for item in shown:
        if item.expected not in page_text:
            problems.append(
                f"T1/T2 {item.payload.id} in {item.field}: {item.expected[:120]!r} not shown"
            )
        if item.payload.group == "template":
            # Evaluated, "{m} {{7*7}}" would read "{m} 49" (or "{m}49" after "{%- -%}").
            after = re.compile(
                re.escape(item.payload.marker)
                + r"\s?("
                + "|".join(re.escape(e) for e in EVALUATED)
                + ")"
            )
            if found := after.search(page_text):
                problems.append(f"T3 {item.payload.id} in {item.field}: {found[0]!r} evaluated")
    return problems


def assert_text_shown(page_text: str, shown: list[Shown], where: str = "") -> None:
    problems = text_problems(page_text, shown)
    assert not problems, (
        f"{where}:\n"
        + "\n".join(problems[:20])
        + (f"\n... and {len(problems) - 20} more" if len(problems) > 20 else "")
    )
