"""Every figure on the insights pages, and the lists beside them: the one place they are counted.

Each figure is an aggregate (GROUP BY) over a set of meetings, so a page costs the same fixed
number of statements with ten posts or ten thousand. A meeting's page and a series' page share
the queries: a meeting is a series of one.

What counts:
- posts are those members can read: published (app.models.moderation.visibility for the
  public: neither held nor hidden), not removed, and in a thread that is itself published;
- a post belongs to the meeting whose board it is on (a question carried forward belongs to
  the meeting it was carried to) and to the phase it was written in (before, during, after);
- taking part means having written a counted post or voted on a counted question;
- agenda figures count question items of the meeting's own agenda;
- actions are those whose chain leads to the meeting (Action.meeting_id); overdue means still
  to be delivered after its due date (UK date).
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import (
    Action,
    ActionStatus,
    Agenda,
    AgendaItem,
    Board,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Phase,
    Post,
    PostKind,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
    Vote,
)
from app.models.moderation import visibility

TOP = 3  # "a few loud voices": the share of a theme's posts written by its top three posters


def counted(post=Post):
    """The SQL condition for a post that counts: one members can read (the moderation rule for
    the public), not removed, and whose thread members can read too."""
    root = aliased(Post)
    thread_shown = (
        select(root.id).where(root.id == post.root_id, visibility(None, post=root)).exists()
    )
    return and_(
        post.removed_at.is_(None),
        visibility(None, post=post),
        or_(post.root_id.is_(None), thread_shown),
    )


# The figures -------------------------------------------------------------------------------


@dataclass
class Figures:
    """The numbers of one meeting, or of a whole series (people counted once across it)."""

    registered: int = 0
    attendance: int | None = None
    taking_part: int = 0
    registered_taking_part: int = 0
    posters: int = 0
    voters: int = 0
    posts: dict = field(default_factory=lambda: dict.fromkeys(Phase.ALL, 0))
    questions: int = 0
    questions_voted: int = 0
    votes: int = 0
    on_agenda: int = 0
    discussed: int = 0
    skipped: int = 0
    actions: int = 0
    actions_done: int = 0
    actions_on_time: int = 0
    actions_overdue: int = 0
    actions_dropped: int = 0

    @property
    def posts_total(self) -> int:
        return sum(self.posts.values())

    @property
    def actions_late(self) -> int:
        """Done, but after the due date."""
        return self.actions_done - self.actions_on_time

    @property
    def actions_open(self) -> int:
        """Still to be delivered and not yet overdue."""
        return self.actions - self.actions_done - self.actions_dropped - self.actions_overdue


@dataclass
class ThemeFigures:
    """How a theme was discussed: posts by phase, how many members spoke, how concentrated."""

    theme_id: int
    title: str
    posts: dict = field(default_factory=lambda: dict.fromkeys(Phase.ALL, 0))
    posters: int = 0
    top_posts: int = 0  # posts written by the theme's TOP most active posters

    @property
    def total(self) -> int:
        return sum(self.posts.values())

    @property
    def top_share(self) -> int | None:
        """Percentage of the theme's posts written by its top posters (None without posts)."""
        return round(100 * self.top_posts / self.total) if self.total else None

    @property
    def top_people(self) -> int:
        return min(self.posters, TOP)


@dataclass
class MeetingReport:
    meeting: Meeting
    figures: Figures
    themes: list[ThemeFigures]


@dataclass
class SeriesReport:
    series: Series
    rows: list[tuple[Meeting, Figures]]
    totals: Figures
    themes: list[ThemeFigures]


def meeting_report(meeting: Meeting, today: date) -> MeetingReport:
    """Every figure of one meeting, by theme too: seven aggregate queries, whatever the data."""
    boards = db.session.scalars(
        select(Board)
        .where(Board.meeting_id == meeting.id)
        .options(joinedload(Board.theme))
        .order_by(Board.position, Board.id)
    ).all()
    ids = [meeting.id]
    posts = post_counts(ids)
    figures = _figures(ids, today, posts)[meeting.id]
    themes = [ThemeFigures(b.theme_id, b.theme.title) for b in boards]
    _fill_themes(themes, ids, posts)
    return MeetingReport(meeting, figures, themes)


def series_report(series: Series, today: date) -> SeriesReport:
    """Every figure of each meeting of the series (drafts aside, oldest first), the series'
    totals with each person counted once, and each theme across the series."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.series_id == series.id, Meeting.status != MeetingStatus.DRAFT)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    ids = [m.id for m in meetings]
    posts = post_counts(ids)
    per_meeting = _figures(ids, today, posts)
    totals = Figures(attendance=None)
    for m in meetings:
        f = per_meeting[m.id]
        for name in (
            "questions", "questions_voted", "votes", "on_agenda", "discussed", "skipped",
            "actions", "actions_done", "actions_on_time", "actions_overdue", "actions_dropped",
        ):  # fmt: skip
            setattr(totals, name, getattr(totals, name) + getattr(f, name))
        for phase in Phase.ALL:
            totals.posts[phase] += f.posts[phase]
        if f.attendance is not None:
            totals.attendance = (totals.attendance or 0) + f.attendance
    _apply_people(totals, people(ids, per_meeting=False))
    themes = [
        ThemeFigures(t.id, t.title)
        for t in db.session.scalars(
            select(Theme).where(Theme.series_id == series.id).order_by(Theme.id)
        )
    ]
    _fill_themes(themes, ids, posts)
    return SeriesReport(series, [(m, per_meeting[m.id]) for m in meetings], totals, themes)


def _figures(meeting_ids: list[int], today: date, posts: list[tuple]) -> dict[int, Figures]:
    """Figures for each meeting from its post counts (`post_counts`) and four more grouped
    queries, for all the meetings together."""
    result = {mid: Figures() for mid in meeting_ids}
    if not meeting_ids:
        return result
    for mid, row in people(meeting_ids, per_meeting=True).items():
        _apply_people(result[mid], row)
    for mid, _theme, phase, kind, n, voted, votes in posts:
        f = result[mid]
        f.posts[phase] = f.posts.get(phase, 0) + n
        if kind == PostKind.QUESTION:
            f.questions += n
            f.questions_voted += int(voted or 0)
            f.votes += int(votes or 0)
    for mid, status, n in agenda_counts(meeting_ids):
        f = result[mid]
        f.on_agenda += n
        if status == ItemStatus.DISCUSSED:
            f.discussed += n
        elif status == ItemStatus.SKIPPED:
            f.skipped += n
    for mid, attendance in attendance_of(meeting_ids):
        result[mid].attendance = attendance
    for mid, made, done, on_time, overdue, dropped in action_counts(meeting_ids, today):
        f = result[mid]
        f.actions, f.actions_done, f.actions_on_time = made, int(done or 0), int(on_time or 0)
        f.actions_overdue, f.actions_dropped = int(overdue or 0), int(dropped or 0)
    return result


def _apply_people(f: Figures, row) -> None:
    if row is None:
        return
    f.registered, f.posters, f.voters, f.taking_part, f.registered_taking_part = (
        int(v or 0) for v in row
    )


def post_counts(meeting_ids: list[int]) -> list[tuple]:
    """(meeting, theme, phase, kind, posts, questions with a vote, votes) for counted posts."""
    voted = func.sum(case((Post.vote_count > 0, 1), else_=0))
    return db.session.execute(
        select(
            Board.meeting_id,
            Board.theme_id,
            Post.phase,
            Post.kind,
            func.count(Post.id),
            voted,
            func.sum(Post.vote_count),
        )
        .select_from(Post)
        .join(Board, Board.id == Post.board_id)
        .where(Board.meeting_id.in_(meeting_ids), counted())
        .group_by(Board.meeting_id, Board.theme_id, Post.phase, Post.kind)
    ).all()


def people(meeting_ids: list[int], *, per_meeting: bool):
    """(registered, posters, voters, taking part, registered and taking part): distinct people,
    for each meeting ({meeting id: row}) or across all of them (one row, None without ids)."""
    if not meeting_ids:
        return {} if per_meeting else None
    one, zero = literal_column("1"), literal_column("0")
    registered = select(
        Registration.meeting_id.label("m"),
        Registration.user_id.label("u"),
        one.label("reg"),
        zero.label("wrote"),
        zero.label("voted"),
    ).where(
        Registration.meeting_id.in_(meeting_ids),
        Registration.status == RegistrationStatus.REGISTERED,
    )
    wrote = (
        select(Board.meeting_id, Post.author_id, zero, one, zero)
        .select_from(Post)
        .join(Board, Board.id == Post.board_id)
        .where(Board.meeting_id.in_(meeting_ids), counted())
    )
    voted = (
        select(Board.meeting_id, Vote.user_id, zero, zero, one)
        .select_from(Vote)
        .join(Post, Post.id == Vote.post_id)
        .join(Board, Board.id == Post.board_id)
        .where(Board.meeting_id.in_(meeting_ids), counted())
    )
    rows = union_all(registered, wrote, voted).subquery()
    # One row a person (a meeting), saying what they did; then count those rows.
    keys = [rows.c.m, rows.c.u] if per_meeting else [rows.c.u]
    person = (
        select(
            *keys,
            func.max(rows.c.reg).label("reg"),
            func.max(rows.c.wrote).label("wrote"),
            func.max(rows.c.voted).label("voted"),
        )
        .group_by(*keys)
        .subquery()
    )
    active = or_(person.c.wrote == 1, person.c.voted == 1)
    columns = (
        func.sum(person.c.reg),
        func.sum(person.c.wrote),
        func.sum(person.c.voted),
        func.sum(case((active, 1), else_=0)),
        func.sum(case((and_(active, person.c.reg == 1), 1), else_=0)),
    )
    if not per_meeting:
        return db.session.execute(select(*columns)).one()
    return {
        row[0]: row[1:]
        for row in db.session.execute(select(person.c.m, *columns).group_by(person.c.m))
    }


def agenda_counts(meeting_ids: list[int]) -> list[tuple]:
    """(meeting, status, items) for the question items of each meeting's agenda."""
    return db.session.execute(
        select(AgendaItem.meeting_id, AgendaItem.status, func.count(AgendaItem.id))
        .select_from(AgendaItem)
        .join(Post, Post.id == AgendaItem.post_id)
        .where(AgendaItem.meeting_id.in_(meeting_ids), Post.kind == PostKind.QUESTION, counted())
        .group_by(AgendaItem.meeting_id, AgendaItem.status)
    ).all()


def attendance_of(meeting_ids: list[int]) -> list[tuple]:
    """(meeting, head count) where the facilitators recorded one."""
    return db.session.execute(
        select(Agenda.meeting_id, Agenda.attendance).where(
            Agenda.meeting_id.in_(meeting_ids), Agenda.attendance.is_not(None)
        )
    ).all()


def action_counts(meeting_ids: list[int], today: date) -> list[tuple]:
    """(meeting, made, done, done on time, overdue, dropped) for each meeting's actions."""

    def number(condition):
        return func.sum(case((condition, 1), else_=0))

    done = Action.status == ActionStatus.DONE
    return db.session.execute(
        select(
            Action.meeting_id,
            func.count(Action.id),
            number(done),
            number(and_(done, Action.done_on <= Action.due_on)),
            number(and_(Action.status.in_(ActionStatus.ACTIVE), Action.due_on < today)),
            number(Action.status == ActionStatus.DROPPED),
        )
        .where(Action.meeting_id.in_(meeting_ids))
        .group_by(Action.meeting_id)
    ).all()


def theme_breadth(meeting_ids: list[int]) -> list[tuple]:
    """(theme, posts, distinct posters, posts by the TOP most active posters) for each theme
    discussed in the meetings: ranks posters inside the database, returns a row a theme."""
    per_person = (
        select(Board.theme_id.label("theme_id"), func.count(Post.id).label("n"))
        .select_from(Post)
        .join(Board, Board.id == Post.board_id)
        .where(Board.meeting_id.in_(meeting_ids), counted())
        .group_by(Board.theme_id, Post.author_id)
        .subquery()
    )
    rank = (
        func.row_number()
        .over(partition_by=per_person.c.theme_id, order_by=per_person.c.n.desc())
        .label("rank")
    )
    ranked = select(per_person.c.theme_id, per_person.c.n, rank).subquery()
    return db.session.execute(
        select(
            ranked.c.theme_id,
            func.sum(ranked.c.n),
            func.count(),
            func.sum(case((ranked.c.rank <= TOP, ranked.c.n), else_=0)),
        ).group_by(ranked.c.theme_id)
    ).all()


def _fill_themes(themes: list[ThemeFigures], meeting_ids: list[int], posts: list[tuple]) -> None:
    """Posts by phase (from `post_counts`) and breadth (one query) for each theme."""
    if not meeting_ids or not themes:
        return
    by_id = {t.theme_id: t for t in themes}
    for _mid, theme_id, phase, _kind, n, _voted, _votes in posts:
        if theme_id in by_id:
            by_id[theme_id].posts[phase] = by_id[theme_id].posts.get(phase, 0) + n
    for theme_id, _posts, posters, top in theme_breadth(meeting_ids):
        if theme_id in by_id:
            by_id[theme_id].posters, by_id[theme_id].top_posts = posters, int(top or 0)
