"""Read side of the actions: the board's columns, "My actions", a place's actions and the CSV
rows (the review list and the meeting pack are in app.actions.reviews).

Every list runs a fixed number of indexed queries, whatever the number of actions or owners.
The board and "My actions" read plain rows of what a card shows (app.actions.cards) with their
sources joined, then the owners in one query; the CSV and a place's list load Action entities.
"""

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.actions import cards
from app.extensions import db
from app.models import (
    Action,
    ActionFollower,
    ActionOwner,
    ActionStatus,
    Board,
    Meeting,
    MeetingStatus,
    OwnerState,
    Series,
    SourceType,
    Theme,
    User,
)
from app.timeutil import format_day

PER_COLUMN = 25
PER_PAGE = 25
SOURCE_LIST_LIMIT = 50


def card_options():
    """Everything a card shows, loaded with the list: source chain in joins, owners in one
    selectin query (with their names)."""
    return (
        joinedload(Action.meeting),
        joinedload(Action.board).joinedload(Board.theme),
        joinedload(Action.post),
        selectinload(Action.owners).joinedload(ActionOwner.user),
    )


def active_first():
    """Sort key: still to be delivered first (overdue ones, having the earliest dates, lead),
    then by due date."""
    return (
        case((Action.status.in_(ActionStatus.CLOSED), 1), else_=0),
        Action.due_on,
        Action.id,
    )


# The board ------------------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class BoardFilter:
    """The board's filter, from the query string (unknown or malformed values are ignored)."""

    series: int | None = None
    meeting: int | None = None
    theme: int | None = None
    owner: int | None = None
    overdue: bool = False

    @classmethod
    def from_args(cls, args) -> "BoardFilter":
        return cls(
            series=_int(args.get("series")),
            meeting=_int(args.get("meeting")),
            theme=_int(args.get("theme")),
            owner=_int(args.get("owner")),
            overdue=args.get("overdue") in ("1", "y", "on", "true"),
        )

    def args(self) -> dict:
        """Only what is set, for links and page URLs."""
        values: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("series", "meeting", "theme", "owner")
            if getattr(self, name)
        }
        if self.overdue:
            values["overdue"] = "1"
        return values

    @property
    def active(self) -> bool:
        return bool(self.args())

    def conditions(self, today: date) -> list:
        where = []
        if self.series:
            where.append(
                Action.meeting_id.in_(select(Meeting.id).where(Meeting.series_id == self.series))
            )
        if self.meeting:
            where.append(Action.meeting_id == self.meeting)
        if self.theme:
            where.append(Action.board_id.in_(select(Board.id).where(Board.theme_id == self.theme)))
        if self.owner:
            where.append(
                Action.id.in_(
                    select(ActionOwner.action_id).where(
                        ActionOwner.user_id == self.owner,
                        ActionOwner.state.in_((OwnerState.INVITED, OwnerState.ACCEPTED)),
                    )
                )
            )
        if self.overdue:
            where.append(and_(Action.status.in_(ActionStatus.ACTIVE), Action.due_on < today))
        return where


@dataclass
class Column:
    status: str
    label: str
    total: int
    page: int
    pages: int
    actions: list = field(default_factory=list)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _column_order(status: str) -> tuple:
    """A column's order: due soonest first; done and dropped most recently closed first."""
    if status in ActionStatus.CLOSED:
        return (Action.status_changed_at.desc(), Action.due_on, Action.id)
    return (Action.due_on, Action.id)


def board_columns(filters: BoardFilter, pages: dict[str, int], today: date) -> list[Column]:
    """A column per status, each with its own page of PER_COLUMN cards: the counts, the cards
    and their owners, three queries."""
    where = filters.conditions(today)
    totals = dict(
        db.session.execute(
            select(Action.status, func.count(Action.id)).where(*where).group_by(Action.status)
        ).all()
    )
    columns = []
    for status in ActionStatus.ALL:
        total = totals.get(status, 0)
        last = max(math.ceil(total / PER_COLUMN), 1)
        page = min(max(pages.get(status, 1), 1), last)
        columns.append(Column(status, ActionStatus.LABELS[status], total, page, last))
    if not any(c.total for c in columns):
        return columns

    # Each column's page on its own, so that the open ones are read in the order of the
    # (status, due_on) index and stop after a page, instead of ranking every action.
    pages_of_ids = [
        select(Action.id)
        .where(Action.status == c.status, *where)
        .order_by(*_column_order(c.status))
        .limit(PER_COLUMN)
        .offset((c.page - 1) * PER_COLUMN)
        .subquery()
        for c in columns
        if c.total
    ]
    shown = union_all(*(select(ids.c.id) for ids in pages_of_ids))
    status_order = case({s: n for n, s in enumerate(ActionStatus.ALL)}, value=Action.status)
    closed_first = case(
        (Action.status.in_(ActionStatus.CLOSED), Action.status_changed_at), else_=None
    )
    rows = db.session.execute(
        cards.card_query()
        .where(Action.id.in_(shown))
        .order_by(status_order, closed_first.desc(), Action.due_on, Action.id)
    )
    by_status = {c.status: c for c in columns}
    for card in cards.cards_from_rows(rows):
        by_status[card.status].actions.append(card)
    return columns


@dataclass
class FilterChoices:
    """(id, label) pairs for each of the board's filter lists."""

    series: list
    meetings: list
    themes: list
    owners: list


def filter_choices() -> FilterChoices:
    """The options of the board's filter, only the columns their labels show: four small
    queries (owners are people who own or are invited to an action)."""
    meetings = db.session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at)
        .where(Meeting.status != MeetingStatus.DRAFT)
        .order_by(Meeting.starts_at.desc())
        .limit(200)
    ).all()
    themes = db.session.execute(
        select(Theme.id, Theme.title, Series.title)
        .outerjoin(Series, Series.id == Theme.series_id)
        .order_by(Theme.title)
        .limit(200)
    ).all()
    owners = db.session.execute(
        select(User.id, User.display_name)
        .where(
            User.id.in_(
                select(ActionOwner.user_id).where(
                    ActionOwner.state.in_((OwnerState.INVITED, OwnerState.ACCEPTED))
                )
            )
        )
        .order_by(User.display_name)
        .limit(500)
    ).all()
    return FilterChoices(
        series=db.session.execute(
            select(Series.id, Series.title).order_by(Series.title).limit(200)
        ).all(),
        meetings=[(m, f"{title} ({format_day(starts)})") for m, title, starts in meetings],
        themes=[(t, f"{title} ({series})") for t, title, series in themes],
        owners=owners,
    )


def export_rows(filters: BoardFilter, today: date) -> list[Action]:
    """Every action the filter matches, in board order, for the CSV (two queries)."""
    status_order = case(
        {status: n for n, status in enumerate(ActionStatus.ALL)}, value=Action.status
    )
    return list(
        db.session.scalars(
            select(Action)
            .where(*filters.conditions(today))
            .options(*card_options())
            .order_by(status_order, Action.due_on, Action.id)
        ).unique()
    )


# My actions -----------------------------------------------------------------------------------


@dataclass
class ListPage:
    """One page of a list, as a Flask-SQLAlchemy pagination says it (a page past the end is
    empty)."""

    page: int
    total: int
    items: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return math.ceil(self.total / PER_PAGE) if self.total else 0


MY_LISTS = ("owned", "invited", "following")


def my_actions(user: User, pages: dict[str, int]) -> dict[str, ListPage]:
    """What the person owns, is invited to and follows, still-to-do and overdue first; each list
    paginated: the counts, the cards and their owners, three queries for the three lists."""
    counts, rows = _my_statements()
    # On the connection: plain rows, without the ORM's handling of a statement (a visible share
    # of the page's time), as for every statement built once.
    connection = db.session.connection()
    totals = connection.execute(counts, {"user": user.id}).one()
    lists = {
        name: ListPage(max(pages.get(name, 1), 1), total)
        for name, total in zip(MY_LISTS, totals, strict=True)
    }
    if not any(found.total > (found.page - 1) * PER_PAGE for found in lists.values()):
        return lists
    offsets = {f"{name}_offset": (found.page - 1) * PER_PAGE for name, found in lists.items()}
    found_rows = connection.execute(rows, {"user": user.id, **offsets}).all()
    for row, card in zip(found_rows, cards.cards_from_rows(found_rows), strict=True):
        lists[row.list].items.append(card)
    return lists


@functools.cache
def _my_statements():
    """The counts of "My actions" and its pages of cards (bound: user, and each list's
    offset), built once: building them cost more than running them."""
    user = bindparam("user", type_=Integer)

    def owned(state):
        return Action.id.in_(
            select(ActionOwner.action_id).where(
                ActionOwner.user_id == user, ActionOwner.state == state
            )
        )

    conditions = {
        "owned": owned(OwnerState.ACCEPTED),
        "invited": owned(OwnerState.INVITED),
        # Followed actions the person owns or is invited to are listed there, not twice.
        "following": and_(
            Action.id.in_(select(ActionFollower.action_id).where(ActionFollower.user_id == user)),
            Action.id.not_in(
                select(ActionOwner.action_id).where(
                    ActionOwner.user_id == user,
                    ActionOwner.state.in_((OwnerState.INVITED, OwnerState.ACCEPTED)),
                )
            ),
        ),
    }
    counts = select(
        *(
            select(func.count(Action.id)).where(conditions[name]).scalar_subquery()
            for name in MY_LISTS
        )
    )
    pages_of_ids = [
        select(Action.id, literal(name).label("list"))
        .where(conditions[name])
        .order_by(*active_first())
        .limit(PER_PAGE)
        .offset(bindparam(f"{name}_offset", type_=Integer))
        .subquery()
        for name in MY_LISTS
    ]
    shown = union_all(*(select(ids.c.id, ids.c.list) for ids in pages_of_ids)).subquery()
    rows = (
        cards.card_query()
        .add_columns(shown.c.list)
        .join(shown, shown.c.id == Action.id)
        .order_by(shown.c.list, *active_first())
    )
    return counts, rows


# A place's actions ----------------------------------------------------------------------------

SOURCE_KINDS = (*SourceType.ALL, "theme")


def source_condition(kind: str, ident: int):
    """Which actions a place lists: a meeting lists everything from it (its boards, threads and
    agenda items too), a theme everything from its boards."""
    if kind == SourceType.MEETING:
        return Action.meeting_id == ident
    if kind == SourceType.BOARD:
        return Action.board_id == ident
    if kind == SourceType.POST:
        return Action.post_id == ident
    if kind == SourceType.AGENDA_ITEM:
        return and_(Action.source_type == SourceType.AGENDA_ITEM, Action.source_id == ident)
    if kind == "theme":
        return Action.board_id.in_(select(Board.id).where(Board.theme_id == ident))
    raise ValueError(f"unknown source kind {kind!r}")


def actions_for_source(kind: str, ident: int, limit: int = SOURCE_LIST_LIMIT) -> list[Action]:
    """The place's actions (still-to-do first, then by due date) with their owners, in ONE
    query: the owners come in the same statement (a joined eager load)."""
    return list(
        db.session.scalars(
            select(Action)
            .where(source_condition(kind, ident))
            .options(
                joinedload(Action.owners).joinedload(ActionOwner.user),
            )
            .order_by(*active_first())
            .limit(limit)
        ).unique()
    )
