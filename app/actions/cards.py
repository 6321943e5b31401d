"""What an action's card shows, read as plain rows for the lists (the board, "My actions").

A list of cards reads only the columns a card shows: loading a page of Action entities with
their meetings, boards, posts, owners and users (every Markdown body and password hash
included) cost more than drawing the page. Links are made from one url_for per endpoint and
page, not one per card. The single card that htmx swaps in after a change is built from the
Action the route already holds, so both ways give the template the same thing.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from flask import url_for
from sqlalchemy import Select, bindparam, select

from app.actions.sources import post_title, thread_label
from app.extensions import db
from app.models import (
    Action,
    ActionOwner,
    ActionStatus,
    Board,
    Meeting,
    Post,
    SourceType,
    Theme,
    User,
)
from app.models.actions import HasOwners

# A number no real id reaches, so that it appears once in the URL it is put into.
_SLOT = 7_391_846_201


def url_maker(endpoint: str, name: str) -> Callable[[int], str]:
    """url_for(endpoint, **{name: n}) for any n, at the cost of one url_for call."""
    head, sep, tail = url_for(endpoint, **{name: _SLOT}).partition(str(_SLOT))
    assert sep and str(_SLOT) not in tail, endpoint
    return lambda n: f"{head}{n}{tail}"


@dataclass(slots=True)
class Owner:
    user_id: int
    state: str
    display_name: str

    @property
    def user(self) -> "Owner":
        """Itself: reads as an ActionOwner does in the owners macro (o.user.display_name)."""
        return self


@dataclass(slots=True)
class Card(HasOwners):
    """One action as the lists show it. Has the Action attributes the card and the status
    form read (id, title, status, version), so either can be drawn."""

    id: int
    title: str
    status: str
    due_on: date
    version: int
    links: "Links" = field(repr=False, compare=False)
    source: tuple[str, str] | None = None  # (label, url)
    owners: list[Owner] = field(default_factory=list)
    # The thread an action came from, and its label (None when the thread is gone): kept
    # lists check it, since a change to a post is not news to them (app.content_generation.UNSHOWN).
    thread_id: int | None = None
    thread_label: str | None = None

    @property
    def url(self) -> str:
        return self.links.action(self.id)

    @property
    def status_url(self) -> str:
        return self.links.status(self.id)

    @property
    def accept_url(self) -> str:
        return self.links.accept(self.id)

    @property
    def decline_url(self) -> str:
        return self.links.decline(self.id)

    @property
    def status_label(self) -> str:
        return ActionStatus.LABELS[self.status]

    def is_overdue(self, today: date) -> bool:
        return self.status in ActionStatus.ACTIVE and self.due_on < today


class Links:
    """The URLs cards link to: one url_for per endpoint for the whole page, made when first
    needed."""

    @cached_property
    def action(self) -> Callable[[int], str]:
        return url_maker("actions.action", "action_id")

    @cached_property
    def status(self) -> Callable[[int], str]:
        return url_maker("actions.status", "action_id")

    @cached_property
    def accept(self) -> Callable[[int], str]:
        return url_maker("actions.accept", "action_id")

    @cached_property
    def decline(self) -> Callable[[int], str]:
        return url_maker("actions.decline", "action_id")

    @cached_property
    def thread(self) -> Callable[[int], str]:
        return url_maker("boards.thread", "post_id")

    @cached_property
    def board(self) -> Callable[[int], str]:
        return url_maker("boards.board", "board_id")

    @cached_property
    def meeting(self) -> Callable[[int], str]:
        return url_maker("meetings.meeting", "meeting_id")


def _source(kind: str, agenda_label: str, thread, board, meeting, links: Links):
    """(label, url) of where an action came from, or None. thread is (id, label), board
    (id, label), meeting (id, title), each None when there is none."""
    if kind == SourceType.POST and thread is not None:
        return f"Thread: {thread[1]}", links.thread(thread[0])
    if kind == SourceType.BOARD and board is not None:
        return f"Board: {board[1]}", links.board(board[0])
    if meeting is not None:
        label = "Meeting"
        if kind == SourceType.AGENDA_ITEM:
            label = f"Agenda item \u201c{agenda_label or 'untitled'}\u201d at the meeting"
        return f"{label}: {meeting[1]}", links.meeting(meeting[0])
    return None


def source_link(row, links: Links) -> tuple[str, str] | None:
    """The source link of a row of CARD_COLUMNS."""
    thread = board = meeting = None
    if row.post_found is not None:
        thread = (row.post_id, _thread_label(row))
    if row.board_found is not None:
        board = (row.board_id, "board" if row.theme_title is None else row.theme_title)
    if row.meeting_title is not None:
        meeting = (row.meeting_id, row.meeting_title)
    return _source(row.source_type, row.source_label, thread, board, meeting, links)


def _thread_label(row) -> str:
    return thread_label(row.post_title, row.post_removed, row.post_held, row.post_hidden)


def action_source(action: Action, links: Links | None = None) -> tuple[str, str] | None:
    """The source link of an Action loaded with its source chain."""
    thread = board = meeting = None
    if action.post is not None:
        thread = (action.post_id, post_title(action.post))
    if action.board is not None:
        board = (action.board_id, action.board.theme.title if action.board.theme else "board")
    if action.meeting is not None:
        meeting = (action.meeting_id, action.meeting.title)
    links = links or Links()
    return _source(action.source_type, action.source_label, thread, board, meeting, links)


CARD_COLUMNS = (
    Action.id,
    Action.title,
    Action.status,
    Action.due_on,
    Action.version,
    Action.source_type,
    Action.source_label,
    Action.meeting_id,
    Action.board_id,
    Action.post_id,
    Meeting.title.label("meeting_title"),
    Board.id.label("board_found"),
    Theme.title.label("theme_title"),
    Post.id.label("post_found"),
    Post.title.label("post_title"),
    (Post.removed_at.is_not(None)).label("post_removed"),
    (Post.held_at.is_not(None)).label("post_held"),
    (Post.hidden_at.is_not(None)).label("post_hidden"),
)


def with_sources(query: Select) -> Select:
    """query (selecting from Action) joined to what the card's source link names."""
    return (
        query.outerjoin(Meeting, Meeting.id == Action.meeting_id)
        .outerjoin(Board, Board.id == Action.board_id)
        .outerjoin(Theme, Theme.id == Board.theme_id)
        .outerjoin(Post, Post.id == Action.post_id)
    )


def card_query() -> Select:
    """Every column a card shows, for the list query to filter, order and page."""
    return with_sources(select(*CARD_COLUMNS))


def cards_from_rows(rows) -> list[Card]:
    """Cards for rows of card_query(), in their order, with their owners (one query)."""
    links = Links()
    cards = [
        Card(
            id=row.id,
            title=row.title,
            status=row.status,
            due_on=row.due_on,
            version=row.version,
            links=links,
            source=source_link(row, links),
            thread_id=row.post_id if row.source_type == SourceType.POST else None,
            thread_label=_thread_label(row) if row.post_found is not None else None,
        )
        for row in rows
    ]
    if cards:
        by_id = {card.id: card for card in cards}
        owners = db.session.connection().execute(_owners(), {"ids": list(by_id)})
        for action_id, user_id, state, name in owners:
            by_id[action_id].owners.append(Owner(user_id, state, name))
    return cards


def card_from_action(action: Action) -> Card:
    """The card of an action loaded with its owners and source chain (services.load_action)."""
    links = Links()
    return Card(
        id=action.id,
        title=action.title,
        status=action.status,
        due_on=action.due_on,
        version=action.version,
        links=links,
        source=action_source(action, links),
        owners=[Owner(o.user_id, o.state, o.user.display_name) for o in action.owners],
    )


def thread_labels(thread_ids) -> dict[int, str | None]:
    """What each card would now name these threads (None: the thread is gone): one query."""
    labels: dict[int, str | None] = dict.fromkeys(thread_ids)
    if labels:
        threads = db.session.connection().execute(_threads(), {"ids": list(labels)})
        for ident, *columns in threads:
            labels[ident] = thread_label(*columns)
    return labels


@functools.cache
def _owners() -> Select:
    return (
        select(ActionOwner.action_id, ActionOwner.user_id, ActionOwner.state, User.display_name)
        .join(User, User.id == ActionOwner.user_id)
        .where(ActionOwner.action_id.in_(bindparam("ids", expanding=True)))
        .order_by(ActionOwner.id)
    )


@functools.cache
def _threads() -> Select:
    # Built once: asked on every request for a kept board, where building the statement
    # cost more than running it.
    return select(
        Post.id,
        Post.title,
        Post.removed_at.is_not(None),
        Post.held_at.is_not(None),
        Post.hidden_at.is_not(None),
    ).where(Post.id.in_(bindparam("ids", expanding=True)))
