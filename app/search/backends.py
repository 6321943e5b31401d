"""Full-text search behind one small interface: SQLite FTS5 or PostgreSQL tsvector.

A backend only knows how to match words against search_document, rank the matches and mark
the matched words; the joins that decide who may see what, the filters and the paging are the
same SQL on both (SearchBackend.search), so both answer the same question.

Highlights come back wrapped in START and END (control characters that the index never holds,
see app.search.indexing); the caller escapes the text and only then turns them into <mark>.
"""

from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Action, Meeting, Post, Series, Theme, User
from app.models.search import PG_CONFIG, DocKind, SearchDocument

START, END = "\x02", "\x03"
ELLIPSIS = "\u2026"

DOCS = SearchDocument.__table__
# The live rows a document stands for, joined by every search (their names are fixed so that
# the visibility rules in app.search.services can speak about them).
P = aliased(Post, name="hit_post")  # the thread or reply
R = aliased(Post, name="hit_root")  # a reply's thread
U = aliased(User, name="hit_author")
M = aliased(Meeting, name="hit_meeting")
S = aliased(Series, name="hit_series")
T = aliased(Theme, name="hit_theme")
A = aliased(Action, name="hit_action")


@dataclass(frozen=True)
class Scope:
    """What to search within: SQL conditions (visibility and filters) and the order."""

    conditions: list[ColumnElement] = field(default_factory=list)
    sort: str = "relevance"  # or "newest"


class SearchBackend:
    """Match, rank and highlight; subclasses say how for their database."""

    name = "base"

    def source(self, terms: list[str]):
        """(the FROM clause holding search_document, the condition matching every term)."""
        raise NotImplementedError

    def rank(self, terms: list[str]) -> ColumnElement:
        """An expression to ORDER BY, best match first."""
        raise NotImplementedError

    def title(self, terms: list[str]) -> ColumnElement:
        """The whole title with its matched words between START and END."""
        raise NotImplementedError

    def snippet(self, terms: list[str]) -> ColumnElement:
        """A few words of the body around the matches, marked the same way."""
        raise NotImplementedError

    def _joined(self, source):
        is_post = DOCS.c.kind.in_(DocKind.POSTS)
        return (
            source.outerjoin(M, M.id == DOCS.c.meeting_id)
            .outerjoin(P, and_(is_post, P.id == DOCS.c.object_id))
            .outerjoin(R, R.id == P.root_id)
            .outerjoin(A, and_(DOCS.c.kind == DocKind.ACTION, A.id == DOCS.c.object_id))
        )

    def search(self, terms: list[str], scope: Scope, page: int, per_page: int, cap: int):
        """One page of hits and how many there are: two statements, whatever the number.

        Counting stops at cap + 1 (a very common word matches thousands of documents, and
        nobody pages through them); pages beyond cap are empty. Returns (rows, total), total
        being at most cap + 1; each row has the document's columns, its marked title and
        snippet, and what a result shows of the live rows (meeting, thread, author, status).
        """
        source, match = self.source(terms)
        joined = self._joined(source)
        where = [match, exists_condition(), *scope.conditions]
        counted = select(DOCS.c.id).select_from(joined).where(*where).limit(cap + 1).subquery()
        total = db.session.scalar(select(func.count()).select_from(counted))
        if not total or (page - 1) * per_page >= min(total, cap):
            return [], total or 0
        order = [DOCS.c.dated_at.desc(), DOCS.c.id.desc()]
        if scope.sort != "newest":
            order.insert(0, self.rank(terms))
        rows = db.session.execute(
            select(
                DOCS.c.id,
                DOCS.c.kind,
                DOCS.c.object_id,
                DOCS.c.dated_at,
                self.title(terms).label("title_marked"),
                self.snippet(terms).label("snippet_marked"),
                M.id.label("meeting_id"),
                M.title.label("meeting_title"),
                M.status.label("meeting_status"),
                M.starts_at.label("meeting_starts_at"),
                M.ends_at.label("meeting_ends_at"),
                S.title.label("series_title"),
                T.title.label("theme_title"),
                P.kind.label("post_kind"),
                P.anonymous.label("anonymous"),
                P.held_at.label("held_at"),
                P.hidden_at.label("hidden_at"),
                P.removed_at.label("removed_at"),
                P.root_id.label("root_id"),
                R.title.label("thread_title"),
                R.removed_at.label("thread_removed_at"),
                U.display_name.label("author_name"),
                A.status.label("action_status"),
                A.due_on.label("action_due_on"),
            )
            .select_from(
                joined.outerjoin(S, S.id == DOCS.c.series_id)
                .outerjoin(T, T.id == DOCS.c.theme_id)
                .outerjoin(U, U.id == P.author_id)
            )
            .where(*where)
            .order_by(*order)
            .limit(min(per_page, cap - (page - 1) * per_page))
            .offset((page - 1) * per_page)
        ).all()
        return rows, total


def exists_condition() -> ColumnElement:
    """Only documents whose thread, reply, meeting or action still exists."""
    return or_(
        and_(DOCS.c.kind.in_(DocKind.POSTS), P.id.is_not(None)),
        and_(DOCS.c.kind == DocKind.MEETING, M.id.is_not(None)),
        and_(DOCS.c.kind == DocKind.ACTION, A.id.is_not(None)),
    )


class SqliteBackend(SearchBackend):
    """FTS5: every word quoted (so nothing the person types is FTS syntax), all required."""

    name = "sqlite"
    FTS = table("search_fts", column("rowid"))
    FTS_REF = literal_column("search_fts")
    # bm25 weights per column: title, body, author's name (lower is better in FTS5).
    WEIGHTS = (10.0, 1.0, 2.0)
    SNIPPET_TOKENS = 24

    @staticmethod
    def match_expression(terms: list[str]) -> str:
        # Terms are letters and digits only (app.search.services.terms_of); quoting each one
        # still keeps words such as NOT, OR or NEAR from being read as operators.
        return " ".join(f'"{term}"' for term in terms)

    def source(self, terms):
        joined = self.FTS.join(DOCS, DOCS.c.id == self.FTS.c.rowid)
        match = self.FTS_REF.op("MATCH")(bindparam("fts_match", self.match_expression(terms)))
        return joined, match

    def rank(self, terms):
        return func.bm25(self.FTS_REF, *self.WEIGHTS).asc()

    def title(self, terms):
        return func.highlight(self.FTS_REF, 0, START, END)

    def snippet(self, terms):
        return func.snippet(self.FTS_REF, 1, START, END, ELLIPSIS, self.SNIPPET_TOKENS)


class PostgresBackend(SearchBackend):
    """tsvector @@ plainto_tsquery: the terms as plain words, all required; ts_headline marks."""

    name = "postgresql"
    TSV = literal_column("search_document.tsv")
    CONFIG = literal_column(f"'{PG_CONFIG}'::regconfig")
    SNIPPET_OPTIONS = (
        f"StartSel={START}, StopSel={END}, MaxWords=30, MinWords=12, "
        f'MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
    )
    TITLE_OPTIONS = f"StartSel={START}, StopSel={END}, HighlightAll=true"

    def _query(self, terms):
        return func.plainto_tsquery(self.CONFIG, bindparam("ts_terms", " ".join(terms)))

    def source(self, terms):
        return DOCS, self.TSV.op("@@")(self._query(terms))

    def rank(self, terms):
        # Normalisation 1 divides by the log of the length, as bm25 favours shorter documents.
        return func.ts_rank(self.TSV, self._query(terms), 1).desc()

    def title(self, terms):
        return func.ts_headline(self.CONFIG, DOCS.c.title, self._query(terms), self.TITLE_OPTIONS)

    def snippet(self, terms):
        return func.ts_headline(self.CONFIG, DOCS.c.body, self._query(terms), self.SNIPPET_OPTIONS)


BACKENDS = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def backend_for(dialect_name: str) -> SearchBackend:
    """The backend for the database in use (ValueError for one without full-text support)."""
    try:
        return BACKENDS[dialect_name]()
    except KeyError:
        raise ValueError(f"no search backend for {dialect_name}") from None
