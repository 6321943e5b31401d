"""Read side of the actions: the board's columns, "My actions", a place's actions and the CSV
rows (the review list and the meeting pack are in app.actions.reviews).

Every list runs a fixed number of indexed queries, whatever the number of actions or owners:
owners come with one selectin query per list, sources with joins in the list query.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

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


def board_columns(filters: BoardFilter, pages: dict[str, int], today: date) -> list[Column]:
    """A column per status, each with its own page of PER_COLUMN cards (due soonest first;
    done and dropped most recently closed first): two queries plus one for the owners."""
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

    closed_first = case(
        (Action.status.in_(ActionStatus.CLOSED), Action.status_changed_at), else_=None
    )
    rank = (
        func.row_number()
        .over(
            partition_by=Action.status,
            order_by=(closed_first.desc(), Action.due_on, Action.id),
        )
        .label("rank")
    )
    ranked = select(Action.id.label("id"), Action.status.label("status"), rank).where(*where)
    ranked = ranked.subquery()
    windows = [
        and_(
            ranked.c.status == c.status,
            ranked.c.rank > (c.page - 1) * PER_COLUMN,
            ranked.c.rank <= c.page * PER_COLUMN,
        )
        for c in columns
        if c.total
    ]
    rows = db.session.scalars(
        select(Action)
        .join(ranked, ranked.c.id == Action.id)
        .where(or_(*windows))
        .options(*card_options())
        .order_by(ranked.c.rank)
    ).unique()
    by_status = {c.status: c for c in columns}
    for action in rows:
        by_status[action.status].actions.append(action)
    return columns


@dataclass
class FilterChoices:
    series: list
    meetings: list
    themes: list
    owners: list


def filter_choices() -> FilterChoices:
    """The options of the board's filter: four small queries (owners are people who own or
    are invited to an action)."""
    return FilterChoices(
        series=list(db.session.scalars(select(Series).order_by(Series.title).limit(200))),
        meetings=list(
            db.session.scalars(
                select(Meeting)
                .where(Meeting.status != MeetingStatus.DRAFT)
                .options(joinedload(Meeting.series))
                .order_by(Meeting.starts_at.desc())
                .limit(200)
            )
        ),
        themes=list(
            db.session.scalars(
                select(Theme).options(joinedload(Theme.series)).order_by(Theme.title).limit(200)
            )
        ),
        owners=list(
            db.session.scalars(
                select(User)
                .where(
                    User.id.in_(
                        select(ActionOwner.user_id).where(
                            ActionOwner.state.in_((OwnerState.INVITED, OwnerState.ACCEPTED))
                        )
                    )
                )
                .order_by(User.display_name)
                .limit(500)
            )
        ),
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


def my_actions(user: User, pages: dict[str, int]) -> dict:
    """What the person owns, is invited to and follows, still-to-do and overdue first; each list
    paginated (a count, a page and its owners: three queries each)."""

    def owned(state):
        return Action.id.in_(
            select(ActionOwner.action_id).where(
                ActionOwner.user_id == user.id, ActionOwner.state == state
            )
        )

    lists = {
        "owned": owned(OwnerState.ACCEPTED),
        "invited": owned(OwnerState.INVITED),
        # Followed actions the person owns or is invited to are listed there, not twice.
        "following": and_(
            Action.id.in_(
                select(ActionFollower.action_id).where(ActionFollower.user_id == user.id)
            ),
            Action.id.not_in(
                select(ActionOwner.action_id).where(
                    ActionOwner.user_id == user.id,
                    ActionOwner.state.in_((OwnerState.INVITED, OwnerState.ACCEPTED)),
                )
            ),
        ),
    }
    return {
        name: db.paginate(
            select(Action).where(condition).options(*card_options()).order_by(*active_first()),
            page=max(pages.get(name, 1), 1),
            per_page=PER_PAGE,
            error_out=False,
        )
        for name, condition in lists.items()
    }


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
