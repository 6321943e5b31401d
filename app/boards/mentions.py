"""@name mentions: resolved against members when a post is saved, stored as links in body_html.

The Markdown is rendered and sanitised first (app.content); links are then added to the text
between tags only, never inside an existing link or code. Every link is built with markupsafe,
so a display name can never inject markup.
"""

import html
import re

from flask import current_app
from markupsafe import Markup
from sqlalchemy import func, or_, select
from werkzeug.routing import BuildError

from app.extensions import db
from app.models import User

# "@" at the start of a word (not in an email address), then a name's first word.
MENTION = re.compile(r"(?<![\w@/.])@([^\W\d_][\w-]*)")
TAG = re.compile(r"(<[^>]*>)")
SKIP_INSIDE = {"a", "code", "pre"}
# Bounds the lookup: one query, however many @ a post holds.
MAX_NAMES = 10
MAX_PEOPLE = 100


def member_path(user_id: int) -> str | None:
    """The path of a member's profile (community.member), or None while that page is missing.

    The argument's name is read from the route, so this works whether the community area calls
    it user_id or member_id; it needs no request, so the demo seeder can use it too.
    """
    try:
        rules = list(current_app.url_map.iter_rules("community.member"))
    except KeyError:
        return None
    for rule in rules:
        if len(rule.arguments) == 1:
            (argument,) = rule.arguments
            try:
                return current_app.url_map.bind("localhost").build(
                    "community.member", {argument: user_id}
                )
            except BuildError:
                return None
    return None


def mentioned_words(text: str) -> list[str]:
    """The distinct first words after @ in text, lower-cased, at most MAX_NAMES."""
    words: list[str] = []
    for match in MENTION.finditer(text or ""):
        word = match.group(1).lower()
        if word not in words:
            words.append(word)
        if len(words) == MAX_NAMES:
            break
    return words


def people_named(words: list[str]) -> list[User]:
    """Active members whose display name starts with one of words (one bounded query)."""
    if not words:
        return []
    conditions = [func.lower(User.display_name).like(f"{word}%") for word in words]
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), or_(*conditions)).limit(MAX_PEOPLE)
        )
    )


def link_mentions(rendered: str, source: str) -> str:
    """Add profile links for @mentions in rendered (sanitised HTML made from source)."""
    people = people_named(mentioned_words(source))
    if not people:
        return rendered
    return _link(rendered, people)


def _link(rendered: str, people: list[User]) -> str:
    # Longest names first, so "@Amara Okafor" wins over another "@Amara ...".
    by_length = sorted(people, key=lambda p: len(p.display_name), reverse=True)
    first_words: dict[str, list[User]] = {}
    for person in people:
        first = person.display_name.split()[0].lower() if person.display_name.split() else ""
        first_words.setdefault(first, []).append(person)

    out: list[str] = []
    skipping: list[str] = []
    for piece in TAG.split(rendered):
        if piece.startswith("<"):
            out.append(piece)
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            if name and name.group(1).lower() in SKIP_INSIDE:
                if piece.startswith("</"):
                    if skipping:
                        skipping.pop()
                elif not piece.endswith("/>"):
                    skipping.append(name.group(1).lower())
            continue
        out.append(piece if skipping else _link_text(piece, by_length, first_words))
    return "".join(out)


def _link_text(segment: str, by_length: list[User], first_words: dict[str, list[User]]) -> str:
    """Link the mentions in one run of (escaped) text between tags."""
    text = html.unescape(segment)
    result: list[str] = []
    position = 0
    for match in MENTION.finditer(text):
        start = match.start()
        if start < position:
            continue
        person, length = _resolve(text, start + 1, match.group(1), by_length, first_words)
        if person is None:
            continue
        path = member_path(person.id)
        if path is None:
            continue
        result.append(str(Markup.escape(text[position:start])))
        shown = text[start + 1 : start + 1 + length]
        result.append(str(Markup('<a class="mention" href="{}">@{}</a>').format(path, shown)))
        position = start + 1 + length
    if not result:
        return segment
    result.append(str(Markup.escape(text[position:])))
    return "".join(result)


def _resolve(text, at, first, by_length, first_words):
    """The person meant by the @ at position at, and how many characters name them."""
    following = text[at:].lower()
    for person in by_length:
        name = person.display_name.lower()
        if following.startswith(name):
            end = at + len(name)
            if end >= len(text) or not (text[end].isalnum() or text[end] == "_"):
                return person, len(name)
    matches = first_words.get(first.lower(), [])
    if len(matches) == 1:
        return matches[0], len(first)
    # Several members share that first name: a guess could notify the wrong person.
    return None, 0
