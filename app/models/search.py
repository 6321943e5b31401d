"""The search index: one row per searchable thing (thread, reply, meeting, action).

search_document is derived data, rebuilt at will (`flask search reindex`): its rows carry the
text to match (title, body as plain text, the author's name when shown) and the ids the search
page filters on (series, meeting, theme). Who may see a result is never copied here: the search
query joins the live rows (post, meeting) and applies the visibility rules there, so a moderation
decision or a meeting's publication counts at once, whichever way it was written.

The full-text machinery differs by database and lives outside the models' metadata, created by
DDL when the table is created (db.create_all() in tests, the migration in production):

- SQLite: an FTS5 virtual table `search_fts` over search_document (external content), kept in
  step by three triggers on search_document;
- PostgreSQL: a generated `tsv` tsvector column on search_document with a GIN index.

install_search_ddl() / remove_search_ddl() run the same statements from an Alembic migration,
and include_object() keeps autogenerate from proposing to drop them.
"""

from datetime import datetime

from sqlalchemy import DDL, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models._types import UTCDateTime


class DocKind:
    """What a search document stands for; also the `kind` filter's values and result ids."""

    THREAD = "thread"  # a question or a discussion (Post with parent_id None)
    REPLY = "reply"  # a reply somewhere in a thread
    MEETING = "meeting"
    ACTION = "action"

    POSTS = (THREAD, REPLY)
    ALL = (THREAD, REPLY, MEETING, ACTION)
    LABELS = {THREAD: "Threads", REPLY: "Replies", MEETING: "Meetings", ACTION: "Actions"}


class SearchDocument(db.Model):
    """The searchable text of one thread, reply, meeting or action, and what to filter it by.

    author_id is set only where the author's name is shown (not on anonymous posts), so that a
    change of name (or a closed account) rewrites exactly the documents that carry it.
    """

    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_document_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(Text, default="")
    # Plain text (HTML tags stripped), as readers see it.
    body: Mapped[str] = mapped_column(Text, default="")
    author_name: Mapped[str] = mapped_column(String(80), default="")
    author_id: Mapped[int | None]
    series_id: Mapped[int | None]
    meeting_id: Mapped[int | None]
    theme_id: Mapped[int | None]
    # When it was written (posts, actions) or takes place (meetings): the "newest" order.
    dated_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Full-text DDL, per database --------------------------------------------------------------

FTS_TABLE = "search_fts"
PG_TSV_COLUMN = "tsv"
PG_TSV_INDEX = "ix_search_document_tsv"
# English stemming on both sides (FTS5's porter, PostgreSQL's snowball), no accent folding on
# either, so that the two backends find the same documents.
PG_CONFIG = "english"

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, author_name, content='search_document', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, title, body, author_name) "
    "VALUES (new.id, new.title, new.body, new.author_name); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, author_name) "
    "VALUES ('delete', old.id, old.title, old.body, old.author_name); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE OF title, body, author_name "
    "ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, author_name) "
    "VALUES ('delete', old.id, old.title, old.body, old.author_name); "
    "INSERT INTO search_fts(rowid, title, body, author_name) "
    "VALUES (new.id, new.title, new.body, new.author_name); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TABLE IF EXISTS search_fts",
)

# Title weighs most (A), then the author's name (C), then the body (D).
PG_CREATE = (
    "ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(author_name, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'D')) STORED",
    "CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)",
)
PG_DROP = (
    "DROP INDEX IF EXISTS ix_search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS tsv",
)


def _statements(dialect: str, *, create: bool) -> tuple[str, ...]:
    if dialect == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if dialect == "postgresql":
        return PG_CREATE if create else PG_DROP
    return ()


def install_search_ddl(bind) -> None:
    """Create the full-text index for bind's database (after search_document exists).

    For a migration: `install_search_ddl(op.get_bind())` after op.create_table("search_document").
    """
    for statement in _statements(bind.dialect.name, create=True):
        bind.exec_driver_sql(statement)


def remove_search_ddl(bind) -> None:
    """Drop the full-text index (before search_document is dropped, in a downgrade)."""
    for statement in _statements(bind.dialect.name, create=False):
        bind.exec_driver_sql(statement)


for _dialect in ("sqlite", "postgresql"):
    for _statement in _statements(_dialect, create=True):
        event.listen(
            SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )
    for _statement in _statements(_dialect, create=False):
        event.listen(
            SearchDocument.__table__, "before_drop", DDL(_statement).execute_if(dialect=_dialect)
        )


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: leave the full-text objects alone in autogenerate.

    They are created by install_search_ddl(), not by the models: FTS5's table and its shadow
    tables (search_fts_data, ...) on SQLite, the tsv column and its GIN index on PostgreSQL.
    """
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == PG_TSV_COLUMN and reflected:
        table = getattr(obj, "table", None)
        return table is None or table.name != "search_document"
    return not (type_ == "index" and name == PG_TSV_INDEX)
