"""Search: reading what a person typed, deciding what they may find, and shaping the results.

What a person may find (the same rules as the pages the results link to):
- threads and replies: published posts only (never held, hidden or removed ones, nor replies in
  a thread that is held or hidden); moderators and admins find all of them, labelled;
- anything of a draft meeting (the meeting, its boards' posts, its actions): facilitators only;
- actions: members only.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import ActionStatus, Meeting, MeetingStatus, Role, Series, Theme
from app.models.moderation import visibility
from app.models.search import DocKind
from app.search.backends import DOCS, END, START, M, P, R, Scope, backend_for
from app.timeutil import format_day, format_range

PER_PAGE = 20
# Results counted and reachable: 50 pages. Beyond that, more words narrow a search better.
MAX_RESULTS = 1000
MAX_QUERY = 200
MAX_TERMS = 12
SORTS = {"relevance": "Best match", "newest": "Newest first"}

# PostgreSQL's English stop words (tsearch_data/english.stop), dropped from every query on both
# backends: PostgreSQL would drop them itself, and FTS5 would then demand words it ignores.
STOPWORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
    """.split()  # noqa: SIM905 (the list as PostgreSQL ships it, one line of words each)
)
WORD = re.compile(r"[^\W_]+")


def terms_of(query: str) -> list[str]:
    """The words to look for: letters and digits, lower-cased, no stop words, each once."""
    terms: list[str] = []
    for word in WORD.findall((query or "").lower()):
        if word not in STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


# Who is looking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    member: bool = False
    facilitator: bool = False
    moderator: bool = False

    @classmethod
    def of(cls, user) -> "Viewer":
        if user is None or not getattr(user, "is_authenticated", False):
            return cls()
        return cls(
            member=user.has_role(Role.MEMBER),
            facilitator=user.has_role(Role.FACILITATOR),
            moderator=user.has_role(Role.MODERATOR),
        )

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of result this person can ever get."""
        return DocKind.ALL if self.member else (DocKind.THREAD, DocKind.REPLY, DocKind.MEETING)


def published(post):
    """The moderation rule for everyone who is not a moderator: neither held nor hidden.

    The one rule lives in app.models.moderation (visible/visibility); this asks it about the
    public, so that a member never finds even their own held or hidden posts here.
    """
    return visibility(None, post=post)


def visibility_conditions(viewer: Viewer) -> list:
    """SQL conditions on the joined rows (app.search.backends) that keep out what the viewer
    may not see."""
    conditions = []
    if not viewer.facilitator:
        conditions.append(or_(DOCS.c.meeting_id.is_(None), M.status != MeetingStatus.DRAFT))
    if not viewer.member:
        conditions.append(DOCS.c.kind != DocKind.ACTION)
    if not viewer.moderator:
        conditions.append(
            or_(
                DOCS.c.kind.not_in(DocKind.POSTS),
                and_(
                    P.removed_at.is_(None),
                    published(P),
                    or_(P.root_id.is_(None), published(R)),
                ),
            )
        )
    return conditions


# Filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    series_id: int | None = None
    meeting_id: int | None = None
    theme_id: int | None = None
    sort: str = "relevance"

    def conditions(self) -> list:
        conditions = []
        if self.kinds:
            conditions.append(DOCS.c.kind.in_(self.kinds))
        for name in ("series_id", "meeting_id", "theme_id"):
            if (value := getattr(self, name)) is not None:
                conditions.append(DOCS.c[name] == value)
        return conditions

    def args(self) -> dict:
        """Only what is set, for page links (kind repeats: kind=thread&kind=reply)."""
        values = {
            "kind": list(self.kinds) or None,
            "series": self.series_id,
            "meeting": self.meeting_id,
            "theme": self.theme_id,
            "sort": self.sort if self.sort != "relevance" else None,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def any(self) -> bool:
        return bool(self.kinds or self.series_id or self.meeting_id or self.theme_id)


@dataclass(frozen=True)
class Choices:
    """What the filter form offers this viewer: three queries, whatever the numbers."""

    series: list[tuple[int, str]]
    themes: dict[str, list[tuple[int, str]]]  # by series title
    meetings: dict[str, list[tuple[int, str]]]

    def ids(self, name: str) -> set[int]:
        if name == "series":
            return {i for i, _ in self.series}
        groups = self.themes if name == "theme" else self.meetings
        return {i for options in groups.values() for i, _ in options}


def filter_choices(viewer: Viewer) -> Choices:
    """Series, their themes and the meetings this viewer may see (drafts for facilitators)."""
    series = [
        (row.id, row.title)
        for row in db.session.execute(select(Series.id, Series.title).order_by(Series.title))
    ]
    themes: dict[str, list[tuple[int, str]]] = {}
    for row in db.session.execute(
        select(Theme.id, Theme.title, Series.title.label("series_title"))
        .join(Series, Series.id == Theme.series_id)
        .order_by(Series.title, Theme.title)
    ):
        themes.setdefault(row.series_title, []).append((row.id, row.title))
    query = (
        select(Meeting.id, Meeting.title, Meeting.starts_at, Series.title.label("series_title"))
        .join(Series, Series.id == Meeting.series_id)
        .order_by(Series.title, Meeting.starts_at.desc(), Meeting.id.desc())
    )
    if not viewer.facilitator:
        query = query.where(Meeting.status != MeetingStatus.DRAFT)
    meetings: dict[str, list[tuple[int, str]]] = {}
    for row in db.session.execute(query):
        label = f"{row.title} ({format_day(row.starts_at)})"
        meetings.setdefault(row.series_title, []).append((row.id, label))
    return Choices(series, themes, meetings)


def _id(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def read_filters(args, viewer: Viewer, choices: Choices) -> Filters:
    """The filters from the query string; unknown or unseeable values are ignored."""
    kinds = tuple(k for k in dict.fromkeys(args.getlist("kind")) if k in viewer.kinds)
    picked = {}
    for name, key in (("series", "series_id"), ("meeting", "meeting_id"), ("theme", "theme_id")):
        value = _id(args.get(name))
        picked[key] = value if value in choices.ids(name) else None
    sort = args.get("sort", "relevance")
    return Filters(kinds=kinds, sort=sort if sort in SORTS else "relevance", **picked)


# Results -----------------------------------------------------------------------------------


def marked(text: str | None) -> Markup:
    """Escape text, then turn the START/END markers into <mark>: the only HTML a result adds.

    The text never becomes HTML itself: whatever markup a snippet holds is shown as text.
    Unbalanced markers (a cut snippet) are dropped rather than risk an unclosed <mark>.
    """
    escaped = str(escape(text or ""))
    if escaped.count(START) != escaped.count(END):
        return Markup(escaped.replace(START, "").replace(END, ""))  # noqa: S704 (escaped)
    return Markup(escaped.replace(START, "<mark>").replace(END, "</mark>"))  # noqa: S704


@dataclass(frozen=True)
class Hit:
    """One result as the page shows it."""

    kind: str
    id: int
    title: Markup
    snippet: Markup
    dated_at: datetime
    meeting_id: int | None
    meeting_title: str | None
    meeting_status: str | None
    meeting_when: str | None
    series_title: str | None
    theme_title: str | None
    author: str | None  # threads and replies: the name shown ("A member" when anonymous)
    thread_title: str | None  # replies: the thread they belong to
    state: str | None  # moderators: "held", "hidden" or "removed"
    action_status: str | None
    action_due_on: date | None

    @property
    def dom_id(self) -> str:
        return f"result-{self.kind}-{self.id}"


def _hit(row) -> Hit:
    state = None
    if row.kind in DocKind.POSTS:
        if row.removed_at is not None:
            state = "removed"
        elif row.held_at is not None:
            state = "held"
        elif row.hidden_at is not None:
            state = "hidden"
    thread_title = None
    if row.kind == DocKind.REPLY:
        thread_title = "Removed post" if row.thread_removed_at else row.thread_title
    when = None
    if row.kind == DocKind.MEETING and row.meeting_starts_at is not None:
        when = format_range(row.meeting_starts_at, row.meeting_ends_at)
    return Hit(
        kind=row.kind,
        id=row.object_id,
        title=marked(row.title_marked),
        snippet=marked(row.snippet_marked),
        dated_at=row.dated_at,
        meeting_id=row.meeting_id,
        meeting_title=row.meeting_title,
        meeting_status=row.meeting_status,
        meeting_when=when,
        series_title=row.series_title,
        theme_title=row.theme_title,
        author=("A member" if row.anonymous else row.author_name)
        if row.kind in DocKind.POSTS
        else None,
        thread_title=thread_title,
        state=state,
        action_status=ActionStatus.LABELS.get(row.action_status) if row.action_status else None,
        action_due_on=row.action_due_on,
    )


class ResultPage(Pagination):
    """A page of hits that the shared pagination partial can draw (counted by the backend).

    total stops at MAX_RESULTS; `more` says there were more matches than that.
    """

    def __init__(self, items: list[Hit], total: int, page: int, per_page: int):
        self.more = total > MAX_RESULTS
        self._given = (items, min(total, MAX_RESULTS))
        super().__init__(page=page, per_page=per_page, error_out=False)

    def _query_items(self):
        return self._given[0]

    def _query_count(self):
        return self._given[1]


def search(terms: list[str], filters: Filters, viewer: Viewer, page: int) -> ResultPage:
    """One page (PER_PAGE) of what the viewer may find for terms within filters: a count and
    a page query, whatever the number of matches."""
    page = max(1, page)
    scope = Scope(
        conditions=visibility_conditions(viewer) + filters.conditions(), sort=filters.sort
    )
    backend = backend_for(db.engine.dialect.name)
    rows, total = backend.search(terms, scope, page, PER_PAGE, MAX_RESULTS)
    return ResultPage([_hit(row) for row in rows], total, page, PER_PAGE)
