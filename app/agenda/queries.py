"""Read side of the agenda: candidate questions, items, a question's statuses, the live state.

Every list here is one indexed query, whatever its length, so the agenda page and the boards
that show a question's agenda status cost a fixed number of statements.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, cast, func, literal, null, select, union_all
from sqlalchemy.orm import contains_eager, joinedload, load_only

from app.extensions import db
from app.models import (
    Agenda,
    AgendaItem,
    Board,
    CarriedQuestion,
    ItemStatus,
    Meeting,
    MeetingStatus,
    NotTaken,
    Post,
    PostKind,
    Theme,
    User,
    visible,
)
from app.models._types import UTCDateTime
from app.timeutil import utcnow

CANDIDATES_PER_PAGE = 25
# What a candidate row shows of its question (templates/agenda/_macros.html candidate_row).
CANDIDATE_COLUMNS = (
    Post.board_id,
    Post.kind,
    Post.title,
    Post.author_id,
    Post.anonymous,
    Post.vote_count,
    Post.created_at,
)


def visible_questions() -> Select:
    """Questions members can see: the one place that says which questions count.

    Removed questions are never candidates, and moderation's one visibility rule applies as
    for the public (app.models.moderation.visible with no viewer): a held or hidden question
    is not a candidate, whoever builds the agenda.
    """
    return visible(
        select(Post).where(
            Post.kind == PostKind.QUESTION,
            Post.parent_id.is_(None),
            Post.removed_at.is_(None),
        ),
        None,
    )


def ranked(query: Select) -> Select:
    """Most votes first; on a tie the question asked earlier comes first (then the lower id)."""
    return query.order_by(Post.vote_count.desc(), Post.created_at, Post.id)


def candidates_query(meeting_id: int, theme_id: int | None = None) -> Select:
    """The meeting's candidate questions from all its boards, ranked, with board, theme, author.

    Boards that a facilitator closed still count: closing stops new posts and votes before
    the meeting, and the questions that rose by then are exactly what the agenda is for.
    """
    query = (
        visible_questions()
        .join(Post.board)
        .join(Board.theme)
        .options(
            contains_eager(Post.board).contains_eager(Board.theme),
            joinedload(Post.author),
        )
        .where(Board.meeting_id == meeting_id, Post.board_id.in_(_meeting_board_ids(meeting_id)))
    )
    if theme_id is not None:
        query = query.where(Board.theme_id == theme_id)
    return ranked(query)


def candidate_rows(meeting_id: int) -> Select:
    """(id, title, theme_id) of every candidate, ranked: what "Fill from top questions" reads."""
    return ranked(
        visible_questions()
        .join(Post.board)
        .where(Board.meeting_id == meeting_id, Post.board_id.in_(_meeting_board_ids(meeting_id)))
        .with_only_columns(Post.id, Post.title, Board.theme_id)
    )


def _meeting_board_ids(meeting_id: int) -> Select:
    """The meeting's boards as a subquery on post.board_id: it leads the planner to the
    per-board post indexes, where the join alone had SQLite scan every thread of every board."""
    return select(Board.id).where(Board.meeting_id == meeting_id).scalar_subquery()


def candidate_ids(meeting_id: int, theme_id: int | None = None) -> Select:
    """The ids of the meeting's candidates, ranked: the same questions as candidates_query.

    Every column it filters and sorts on is in ix_post_board_candidates, so counting and
    ranking all the questions of a busy board reads the index alone; ranking whole rows (with
    their bodies) made the sort most of the agenda page's SQL time.
    """
    boards = select(Board.id).where(Board.meeting_id == meeting_id)
    if theme_id is not None:
        boards = boards.where(Board.theme_id == theme_id)
    return ranked(
        visible_questions()
        .with_only_columns(Post.id)
        .where(Post.board_id.in_(boards.scalar_subquery()))
    )


def candidate_page(meeting_id: int, theme_id: int | None, page: int):
    """One page of ranked candidates: (the pagination of their ids, their posts in rank order
    with board, theme and author). Three statements: a count and the page's ids from the
    index, then the page's 25 rows by primary key."""
    pagination = db.paginate(
        candidate_ids(meeting_id, theme_id),
        page=page,
        per_page=CANDIDATES_PER_PAGE,
        error_out=False,
    )
    ids = list(pagination.items)
    if not ids:
        return pagination, []
    # By primary key alone: with the filters repeated here, SQLite (never analysed) walked
    # every thread by parent_id instead. The ids were read a moment ago by the same filters.
    posts = db.session.scalars(
        select(Post)
        .options(
            load_only(*CANDIDATE_COLUMNS),
            joinedload(Post.board).joinedload(Board.theme),
            joinedload(Post.author).load_only(User.display_name),
        )
        .where(Post.id.in_(ids))
    ).all()
    rank = {post_id: n for n, post_id in enumerate(ids)}
    return pagination, sorted(posts, key=lambda post: rank[post.id])


def candidate_or_none(meeting_id: int, post_id: int) -> Post | None:
    """post_id when it is a visible question on one of the meeting's boards, else None."""
    return db.session.scalar(candidates_query(meeting_id).where(Post.id == post_id))


def meeting_themes(meeting_id: int) -> list[tuple[Theme, int, int]]:
    """(theme, board id, board version) for each of the meeting's boards, in board order: the
    candidates' theme filter, and the versions that the kept list of candidates goes by."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Theme, Board.id, Board.version)
            .join(Board, Board.theme_id == Theme.id)
            .where(Board.meeting_id == meeting_id)
            .order_by(Board.position, Board.id)
        )
    ]


def agenda_for(meeting_id: int) -> Agenda | None:
    return db.session.scalar(select(Agenda).where(Agenda.meeting_id == meeting_id))


def items_of(agenda: Agenda | None) -> list[AgendaItem]:
    """The agenda's items in order, with the question behind each (one query)."""
    if agenda is None:
        return []
    return list(
        db.session.scalars(
            select(AgendaItem)
            .options(joinedload(AgendaItem.post).joinedload(Post.board).joinedload(Board.theme))
            .where(AgendaItem.agenda_id == agenda.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


def not_taken_for(meeting_id: int) -> dict[int, NotTaken]:
    """post_id -> the "not taken this time" decision, for one meeting (one query)."""
    rows = db.session.scalars(
        select(NotTaken)
        .options(joinedload(NotTaken.post))
        .where(NotTaken.meeting_id == meeting_id)
        .order_by(NotTaken.created_at, NotTaken.id)
    )
    return {row.post_id: row for row in rows}


def carried_from(meeting_id: int) -> dict[int, CarriedQuestion]:
    """post_id -> where the question went, for questions carried on from this meeting."""
    rows = db.session.scalars(
        select(CarriedQuestion)
        .options(joinedload(CarriedQuestion.to_meeting), joinedload(CarriedQuestion.post))
        .where(CarriedQuestion.from_meeting_id == meeting_id)
    )
    return {row.post_id: row for row in rows}


def meeting_minutes(meeting: Meeting) -> int:
    """The meeting's length in whole minutes."""
    return int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)


def next_meeting(meeting: Meeting) -> Meeting | None:
    """The next meeting of the same series that is not cancelled (drafts count: being planned)."""
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.series_id == meeting.series_id,
            Meeting.starts_at > meeting.starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )


def boards_of(meeting_id: int) -> list[Board]:
    return list(
        db.session.scalars(
            select(Board)
            .options(joinedload(Board.theme))
            .where(Board.meeting_id == meeting_id)
            .order_by(Board.position, Board.id)
        )
    )


# A question's agenda status on its board ---------------------------------------------------


@dataclass(frozen=True)
class PostNote:
    """One line about a question's place in a meeting: on the agenda, discussed, not taken..."""

    kind: str  # "on_agenda", "discussed", "not_reached", "not_taken", "carried"
    meeting_id: int
    meeting_title: str
    reason: str = ""


def post_notes(post_ids: list[int], *, facilitator: bool) -> dict[int, list[PostNote]]:
    """post_id -> its agenda notes, in meeting order, in ONE statement for any number of posts.

    Members and visitors see notes only from published agendas of meetings that are not
    drafts; facilitators also see drafts (marked by the agenda page, not here).
    """
    if not post_ids:
        return {}
    items = (
        select(
            AgendaItem.post_id.label("post_id"),
            literal("item").label("source"),
            AgendaItem.status.label("status"),
            Meeting.id.label("meeting_id"),
            Meeting.title.label("title"),
            Meeting.starts_at.label("starts_at"),
            Meeting.ends_at.label("ends_at"),
            Meeting.status.label("meeting_status"),
            Agenda.published_at.label("published_at"),
            literal("").label("reason"),
        )
        .join(Agenda, Agenda.id == AgendaItem.agenda_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.post_id.in_(post_ids))
    )
    declined = (
        select(
            NotTaken.post_id,
            literal("not_taken"),
            literal(""),
            Meeting.id,
            Meeting.title,
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.status,
            Agenda.published_at,
            NotTaken.reason,
        )
        .join(Meeting, Meeting.id == NotTaken.meeting_id)
        .outerjoin(Agenda, Agenda.meeting_id == NotTaken.meeting_id)
        .where(NotTaken.post_id.in_(post_ids))
    )
    carried = (
        select(
            CarriedQuestion.post_id,
            literal("carried"),
            literal(""),
            Meeting.id,
            Meeting.title,
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.status,
            cast(null(), UTCDateTime),
            literal(""),
        )
        .join(Meeting, Meeting.id == CarriedQuestion.from_meeting_id)
        .where(CarriedQuestion.post_id.in_(post_ids))
    )
    rows = db.session.execute(
        union_all(items, declined, carried).order_by("starts_at", "meeting_id")
    ).all()
    now = utcnow()
    notes: dict[int, list[PostNote]] = {}
    for row in rows:
        note = _note(row, now, facilitator)
        if note is not None:
            notes.setdefault(row.post_id, []).append(note)
    return notes


def _note(row, now: datetime, facilitator: bool) -> PostNote | None:
    if row.source == "carried":
        return PostNote("carried", row.meeting_id, row.title)
    if not facilitator and (row.published_at is None or row.meeting_status == MeetingStatus.DRAFT):
        return None
    if row.source == "not_taken":
        return PostNote("not_taken", row.meeting_id, row.title, row.reason)
    if row.status == ItemStatus.DISCUSSED:
        return PostNote("discussed", row.meeting_id, row.title)
    if _as_utc(row.ends_at) <= now:
        return PostNote("not_reached", row.meeting_id, row.title)
    return PostNote("on_agenda", row.meeting_id, row.title)


def _as_utc(moment: datetime) -> datetime:
    # A union's columns may come back without the UTCDateTime conversion on some drivers.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The live region on the meeting page ---------------------------------------------------------


@dataclass(frozen=True)
class LiveState:
    """What an ETag for the live region needs, read in one cheap query."""

    meeting_status: str
    starts_at: datetime
    ends_at: datetime
    version: int
    published: bool

    def phase(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if now < self.starts_at:
            return "before"
        if now < self.ends_at:
            return "during"
        return "after"


def live_state(meeting_id: int) -> LiveState | None:
    """The meeting's status and times with its agenda's version, or None when no such meeting."""
    row = db.session.execute(
        select(
            Meeting.status,
            Meeting.starts_at,
            Meeting.ends_at,
            func.coalesce(Agenda.version, 0),
            Agenda.published_at,
        )
        .outerjoin(Agenda, and_(Agenda.meeting_id == Meeting.id))
        .where(Meeting.id == meeting_id)
    ).first()
    if row is None:
        return None
    return LiveState(row[0], _as_utc(row[1]), _as_utc(row[2]), row[3], row[4] is not None)
