"""Rendered fragments kept by the version of the data they show, and the per-viewer holes in
them that every request fills in for itself.

A long list (a board's threads, a thread's replies) costs most of its page's time to render,
and almost all of it reads the same for every member. So a page renders such a list once,
keyed by the versions of what it shows (the board's or thread's version, the content
generation, the filters and page, and the viewer's class: visitor or member,
facilitator, suspended, the board's phase), and keeps it in this process (`FragmentCache`).
The parts that differ between members are not rendered into the list but left as holes:

- values: `value_hole(name)` stands for one string per request, computed by the function
  registered with `value(name)`: the form token (`csrf`, Flask-WTF's per-request signed
  token), the member's name in the header, their unread count;
- variants: `per_viewer(kind, key, default, alt)` renders both versions of a piece and leaves
  a hole that a resolver for `kind` (registered with `resolver()`) decides per request:
  "did this member vote for post 12" (`vote`), "is this member the author 7" (`own`), "did
  this member report post 12" (`flag`). A resolver answers every key of its kind on the page
  in one query.

A fragment is split at its holes once, when drawn, and filled for the viewer when a page uses
it (`use`: one resolver call per kind); inside a fragment being drawn, a used fragment keeps
its holes for the outer one. Pieces drawn for one viewer outside any fragment (a vote's answer,
say) are filled at the end of the request (`fill_response`). Either way a template is written
once and means the same thing wherever it is used.
Markers are NUL-delimited and carry a per-process random tag: member text can hold neither
(app.inputs strips control characters), so no text can forge one.

The keys hold the content generation (app.content_generation): the one counter that moves
with anything a kept list shows from outside its own board or thread.
"""

from __future__ import annotations

import functools
import itertools
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

_TAG = secrets.token_hex(8)
_MARK = re.compile("\x00" + _TAG + r":(\w+):(-?\d*):(\d+)\x00")
CSRF_HOLE = Markup(f"\x00{_TAG}:csrf::0\x00")  # noqa: S704 (no text from anyone)
_ids = itertools.count(1)

Resolver = Callable[[set[int]], set[int]]
_resolvers: dict[str, Resolver] = {}
# name -> fn() giving this request's HTML for the hole (escaped: it goes into the page as is).
_values: dict[str, Callable[[], str]] = {"csrf": lambda: str(Markup.escape(generate_csrf()))}


def value(name: str):
    """Register fn() -> this viewer's HTML for value_hole(name) (already escaped)."""

    def register(fn: Callable[[], str]) -> Callable[[], str]:
        if not re.fullmatch(r"[a-z_]+", name) or name in _resolvers:  # one namespace of holes
            raise ValueError(f"bad value name {name!r}")
        _values[name] = fn
        return fn

    return register


def resolver(kind: str):
    """Register fn(keys) -> the keys for which this viewer sees the alternative."""

    def register(fn: Resolver) -> Resolver:
        if kind in _values:
            raise ValueError(f"{kind!r} is a value's name")
        _resolvers[kind] = fn
        return fn

    return register


# A piece of HTML split at its holes once, when drawn: text, then (kind, key, n) for each hole
# followed by the text after it. Filling then walks the pieces with no searching.
Parts = tuple


def _split(html: str) -> Parts:
    found = _MARK.split(html)
    parts: list = [found[0]]
    for i in range(1, len(found), 4):
        key = int(found[i + 1]) if found[i + 1] else 0
        parts.append((found[i], key, int(found[i + 2])))
        parts.append(found[i + 3])
    return tuple(parts)


@dataclass(frozen=True)
class Variant:
    kind: str
    key: int
    default: str
    alt: str

    @functools.cached_property
    def parts(self) -> tuple[Parts, Parts]:
        return _split(self.default), _split(self.alt)


@dataclass(frozen=True)
class Fragment:
    html: str  # with its holes, as a page being drawn embeds it
    variants: dict[int, Variant]
    meta: dict = field(default_factory=dict)

    @functools.cached_property
    def parts(self) -> Parts:
        return _split(self.html)

    @functools.cached_property
    def keys(self) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for variant in self.variants.values():
            found.setdefault(variant.kind, set()).add(variant.key)
        return found

    @functools.cached_property
    def size(self) -> int:
        return len(self.html) + sum(len(v.default) + len(v.alt) for v in self.variants.values())


def _registry() -> dict[int, Variant]:
    if "_rt_variants" not in g:
        g._rt_variants = {}
    return g._rt_variants


def _drawing() -> bool:
    return g.get("_rt_drawing", 0) > 0


def per_viewer(kind: str, key: int, default: str, alt: str) -> Markup:
    """A hole that shows alt to viewers for whom the `kind` resolver says key, else default."""
    # default and alt are rendered templates (Markup), markers hold only ids: no raw text.
    if default == alt:
        return Markup(default)  # noqa: S704
    n = next(_ids)
    _registry()[n] = Variant(kind, int(key), str(default), str(alt))
    if not _drawing():
        g._rt_holes = True  # a piece of a page drawn for this viewer: filled as it is sent
    return Markup(f"\x00{_TAG}:{kind}:{int(key)}:{n}\x00")  # noqa: S704


def csrf_hole() -> Markup:
    """The CSRF token as a hole, for HTML that must never hold one member's token."""
    if not _drawing():
        g._rt_holes = True
    return CSRF_HOLE


def value_hole(name: str) -> Markup:
    """The registered value `name` for this viewer: itself in a page drawn for them, a hole
    in a fragment being drawn (filled for each viewer as it is used)."""
    if not _drawing():
        return Markup(_values[name]())  # noqa: S704 (the value function escapes)
    return Markup(f"\x00{_TAG}:{name}::0\x00")  # noqa: S704 (a registered name)


def use(fragment: Fragment) -> Markup:
    """The fragment as this viewer sees it, holes filled; inside a fragment being drawn, with
    its holes (the outer fragment keeps them, to be filled for each of its viewers)."""
    if _drawing():
        _registry().update(fragment.variants)
        return Markup(fragment.html)  # noqa: S704 (a rendered template)
    return Markup(_fill(fragment.parts, fragment.variants, fragment.keys))  # noqa: S704


def render(draw: Callable[[], tuple[str, dict]]) -> Fragment:
    """Run draw() so that nothing in its output belongs to this viewer: the CSRF token and
    every per_viewer() piece become holes, collected into the fragment."""
    outer = g.pop("_rt_variants", None)
    token = g.pop("csrf_token", None)  # Flask-WTF keeps the request's token here
    g.csrf_token = str(CSRF_HOLE)
    g._rt_drawing = g.get("_rt_drawing", 0) + 1
    try:
        html, meta = draw()
        variants = g.pop("_rt_variants", {})
    finally:
        g._rt_drawing -= 1
        g.pop("csrf_token", None)
        if token is not None:
            g.csrf_token = token
        if outer is not None:
            g._rt_variants = outer
    return Fragment(str(html), variants, meta)


# A form a page repeats for many ids (a "not taken" form on each candidate of an agenda)
# differs only by its id: rendering its WTForms fields each time was most of such a
# page's time. It is drawn once a request with a sample id (no digit run of a form's fixed
# text is this one) and copied for each id, its token a hole.
_SAMPLE_ID = 1_000_000_007
_ID_MARK = "\x00id\x00"


def copied(name: str, ident: int, template: str, draw: Callable) -> Markup:
    """draw(module, sample_id)'s markup for ident: module is `template`'s macros, sample_id
    stands for the id; drawn once a request under name, then copied."""
    hole = csrf_hole()  # every copy marks the answer for filling, not only the first
    shapes = g.setdefault("_rt_shapes", {})
    shape = shapes.get(name)
    if shape is None:
        module = current_app.jinja_env.get_template(template).make_module(
            {"csrf_token": lambda: hole}
        )
        shape = shapes[name] = str(draw(module, _SAMPLE_ID)).replace(str(_SAMPLE_ID), _ID_MARK)
    return Markup(shape.replace(_ID_MARK, str(int(ident))))  # noqa: S704 (a rendered macro)


class FragmentCache:
    """Least recently used fragments up to max_bytes of text, in this process."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, Fragment] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # gthread workers share one cache

    def get(self, key: Hashable) -> Fragment | None:
        with self._lock:
            fragment = self._items.get(key)
            if fragment is not None:
                self._items.move_to_end(key)
            return fragment

    def put(self, key: Hashable, fragment: Fragment) -> None:
        size = fragment.size
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = fragment
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        """The keys kept now (a snapshot)."""
        with self._lock:
            return iter(list(self._items))


def fetch(
    key: Hashable | None,
    draw: Callable[[], tuple[str, dict]],
    still_true: Callable[[dict], bool] | None = None,
) -> Fragment:
    """The fragment under key, drawn (and kept) when missing, or when still_true(meta) says a
    kept one no longer holds; key None draws without keeping (a database without its content
    generation). Not yet used: see use()."""
    cache: FragmentCache = current_app.extensions["rt_fragments"]
    fragment = cache.get(key) if key is not None else None
    if fragment is None or (still_true is not None and not still_true(fragment.meta)):
        fragment = render(draw)
        if key is not None:
            cache.put(key, fragment)
    return fragment


def cached(key: Hashable | None, draw: Callable[[], tuple[str, dict]]) -> tuple[Markup, dict]:
    """fetch() then use(): the fragment as this viewer sees it, and its meta."""
    fragment = fetch(key, draw)
    return use(fragment), fragment.meta


# Filling the holes -----------------------------------------------------------------------


def _fill(parts: Parts, variants: dict[int, Variant], keys: dict[str, set[int]]) -> str:
    """parts with every hole filled for the current viewer (one resolver call per kind)."""
    chosen = {kind: _resolvers[kind](found) for kind, found in keys.items()}
    out: list[str] = []
    values: dict[str, str] = {}

    def walk(pieces: Parts) -> None:
        out.append(pieces[0])
        for i in range(1, len(pieces), 2):
            kind, key, n = pieces[i]
            if kind in _values:
                if kind not in values:
                    values[kind] = _values[kind]()
                out.append(values[kind])
            else:
                default, alt = variants[n].parts
                walk(alt if key in chosen[kind] else default)
            out.append(pieces[i + 1])

    walk(parts)
    return "".join(out)


def fill(html: str) -> str:
    """html with every hole of this request filled for the current viewer."""
    variants: dict[int, Variant] = g.get("_rt_variants") or {}
    keys: dict[str, set[int]] = {}
    for variant in variants.values():
        keys.setdefault(variant.kind, set()).add(variant.key)
    return _fill(_split(html), variants, keys)


def fill_response(response: Response) -> Response:
    """Fill the holes of pieces drawn for this viewer outside a kept fragment (kept fragments
    are filled as they are used)."""
    if not g.get("_rt_holes"):
        _forget()
        return response
    try:
        if response.direct_passthrough or not response.mimetype.startswith("text/html"):
            return response
        html = fill(response.get_data(as_text=True))
        if _TAG in html:
            raise RuntimeError("a fragment hole was left unfilled")
        response.set_data(html)
        return response
    finally:
        _forget()


def _forget(exc: BaseException | None = None) -> None:
    # Tests keep one app context (and its g) open across requests: holes belong to one.
    g.pop("_rt_variants", None)
    g.pop("_rt_holes", None)
    g.pop("_rt_drawing", None)


def init_app(app: Flask) -> None:
    """Keep a fragment cache for app and fill the holes in its answers."""
    app.extensions["rt_fragments"] = FragmentCache(app.config["FRAGMENT_CACHE_BYTES"])
    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    app.after_request(fill_response)
    app.teardown_request(_forget)
    app.jinja_env.globals["per_viewer"] = per_viewer
