"""Where an action comes from (a meeting, board, thread or agenda item) and who owns it: both
resolved on the server from what a member typed or linked, and checked."""

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Board, Meeting, MeetingStatus, Post, Role, SourceType, User
from app.models.actions import DETAIL_MAX, TITLE_MAX


def post_title(post: Post) -> str:
    """A thread's title as actions show it: never the text of a removed, hidden or held post."""
    return thread_label(
        post.title,
        post.is_removed,
        getattr(post, "is_held", False),
        getattr(post, "is_hidden", False),
    )


def thread_label(title: str, removed: bool, held: bool, hidden: bool) -> str:
    """post_title() from the post's columns (lists read no Post entities)."""
    if removed:
        return "Removed post"
    if hidden or held:
        return "Hidden post"
    return title


def _facilitator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.FACILITATOR))


@dataclass
class Source:
    """Where an action comes from, resolved and checked: the chain meeting > board > post."""

    type: str
    id: int
    meeting: Meeting | None = None
    board: Board | None = None
    post: Post | None = None
    label: str = ""  # the agenda item's title
    title: str = ""  # suggested title for the new action
    detail: str = ""  # suggested detail

    @property
    def query(self) -> dict:
        """The query-string form (?meeting=3), for the form's action URL."""
        return {self.type: self.id}


def _meeting_visible(meeting: Meeting | None, user) -> bool:
    return meeting is not None and (meeting.status != MeetingStatus.DRAFT or _facilitator(user))


def agenda_item_row(item_id: int):
    """The agenda item's id, meeting_id, title and notes, or None.

    Read through the table in the metadata, not the model class: actions keep agenda items as
    (source_type, source_id) without a foreign key, and work whether or not the agenda area is
    installed.
    """
    table = db.metadata.tables.get("agenda_item")
    if table is None:
        return None
    columns = [table.c[name] for name in ("id", "meeting_id", "title", "notes") if name in table.c]
    return db.session.execute(select(*columns).where(table.c.id == item_id)).mappings().first()


def find_source(kind: str, ident: int, user) -> Source | None:
    """The source (kind in SourceType.ALL) as the person may see it, or None when it is unknown
    or hidden from them (a draft meeting's board, for a member)."""
    if kind == SourceType.MEETING:
        meeting = db.session.get(Meeting, ident)
        if not _meeting_visible(meeting, user):
            return None
        return Source(kind, meeting.id, meeting=meeting)
    if kind == SourceType.BOARD:
        board = db.session.scalar(
            select(Board)
            .options(joinedload(Board.meeting), joinedload(Board.theme))
            .where(Board.id == ident)
        )
        if board is None or not _meeting_visible(board.meeting, user):
            return None
        return Source(kind, board.id, meeting=board.meeting, board=board)
    if kind == SourceType.POST:
        post = db.session.scalar(
            select(Post)
            .options(joinedload(Post.board).joinedload(Board.meeting))
            .where(Post.id == ident)
        )
        if post is None:
            return None
        if not post.is_thread:
            # Actions belong to the thread, which is the page that lists them.
            return find_source(kind, post.root_id, user)
        if not _meeting_visible(post.board.meeting, user):
            return None
        title = post.title if post_title(post) == post.title else ""
        return Source(
            kind,
            post.id,
            meeting=post.board.meeting,
            board=post.board,
            post=post,
            title=f"Follow up: {title}"[:TITLE_MAX] if title else "",
        )
    if kind == SourceType.AGENDA_ITEM:
        row = agenda_item_row(ident)
        if row is None:
            return None
        meeting = db.session.get(Meeting, row["meeting_id"]) if row.get("meeting_id") else None
        if meeting is not None and not _meeting_visible(meeting, user):
            return None
        title = (row.get("title") or "").strip()
        return Source(
            kind,
            row["id"],
            meeting=meeting,
            label=title[:200],
            title=title[:TITLE_MAX],
            detail=(row.get("notes") or "").strip()[:DETAIL_MAX],
        )
    return None


# Owners -------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[,;\n]+")


def split_names(text: str) -> list[str]:
    """The names and email addresses typed into an owners field (commas, semicolons, lines)."""
    return [" ".join(part.split()) for part in _SEPARATORS.split(text or "") if part.strip()]


def resolve_owners(text: str) -> tuple[list[User], list[str]]:
    """The members named in text (by email address or exact display name, any case), in the
    order typed, and the problems found; one query whatever the number of names.

    Unknown people and accounts that are not (or no longer) members get the same message, so
    that the field does not reveal who has an account.
    """
    tokens = split_names(text)
    if not tokens:
        return [], []
    emails = {t.lower() for t in tokens if "@" in t}
    names = {t.lower() for t in tokens if "@" not in t}
    conditions = []
    if emails:
        conditions.append(func.lower(User.email).in_(emails))
    if names:
        conditions.append(func.lower(User.display_name).in_(names))
    candidates = db.session.scalars(select(User).where(or_(*conditions))).all()
    by_email = {u.email.lower(): u for u in candidates}
    by_name: dict[str, list[User]] = {}
    for u in candidates:
        by_name.setdefault(" ".join(u.display_name.split()).lower(), []).append(u)

    found: list[User] = []
    problems: list[str] = []
    for token in tokens:
        key = token.lower()
        if "@" in token:
            matches = [by_email[key]] if key in by_email else []
        else:
            matches = [u for u in by_name.get(key, []) if u.active and u.has_role(Role.MEMBER)]
        if len(matches) > 1:
            problems.append(f"More than one member is called {token}: enter their email address")
            continue
        person = matches[0] if matches else None
        if person is None or not person.active or not person.has_role(Role.MEMBER):
            problems.append(
                f"{token} is not a member of Roundtable: check the name or email address"
            )
            continue
        if person in found:
            problems.append(f"{person.display_name} is entered more than once")
            continue
        found.append(person)
    return found, problems
