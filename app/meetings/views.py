"""Lookups and context builders shared by the meetings route modules (one context per page)."""

import functools
from math import ceil
from types import SimpleNamespace

from flask import abort, g, get_template_attribute, render_template, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, load_only

from app import content_generation, fragments
from app.csvsafe import csv_response  # noqa: F401  (moved; imported from here)
from app.extensions import db
from app.htmx import is_partial_request, render_page_or_fragment, retarget
from app.meetings.registration import closed_reason, registration_for, waiting_position
from app.models import Board, Meeting, MeetingStatus, Registration, RegistrationStatus, Role, Series
from app.models._types import UTCDateTime
from app.permissions import has_role
from app.timeutil import utcnow

PER_PAGE = 25
# What meetings/macros.html's meeting_card reads of a meeting (its tags included).
CARD_COLUMNS = (
    Meeting.series_id,
    Meeting.title,
    Meeting.starts_at,
    Meeting.ends_at,
    Meeting.venue,
    Meeting.capacity,
    Meeting.status,
    Meeting.registered_count,
)


def can_manage() -> bool:
    """True for facilitators and admins (the server-side checks are the route decorators)."""
    return has_role(Role.FACILITATOR)


def visible_meeting_or_404(meeting_id: int) -> Meeting:
    """The meeting, or 404 when it does not exist or is a draft the person may not see."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or (meeting.is_draft and not can_manage()):
        abort(404)
    return meeting


def series_or_404(series_id: int) -> Series:
    return db.session.get(Series, series_id) or abort(404)


def meeting_context(meeting: Meeting, *, announce: str | None = None, notice: str | None = None):
    """Everything the meeting page and its registration panel show, for the current person."""
    registration = None
    if current_user.is_authenticated:
        registration = registration_for(meeting.id, current_user.id)
    position = (
        waiting_position(registration) if registration and registration.is_waitlisted else None
    )
    manager = can_manage()
    registered = registration is not None and registration.is_registered
    boards = db.session.scalars(
        select(Board)
        .where(Board.meeting_id == meeting.id)
        .options(joinedload(Board.theme))
        .order_by(Board.position, Board.id)
    ).all()
    return {
        "meeting": meeting,
        "series": meeting.series,
        "boards": boards,
        "registration": registration,
        "position": position,
        "can_manage": manager,
        "show_link": bool(meeting.online_url)
        and not meeting.is_cancelled
        and (manager or registered),
        "closed": closed_reason(meeting),
        "announce": announce,
        "notice": notice,
    }


def render_meeting(meeting: Meeting, *, status: int = 200, **extra):
    """The meeting page, or only its registration panel for htmx."""
    response = render_page_or_fragment(
        "meetings/meeting.html",
        "meetings/_registration.html",
        status=status,
        **meeting_context(meeting, **extra),
    )
    if status >= 400 and is_partial_request():
        # htmx (and app.js) swap error answers only when they say where they go: back in place.
        retarget(response, f"#registration-{meeting.id}", swap="outerHTML")
    return response


# The meetings page's lists ------------------------------------------------------------------


def group_by_series(meetings: list[Meeting]) -> list[tuple[Series, list[Meeting]]]:
    """Consecutive meetings of the same series under one heading, keeping the query's order."""
    groups: list[tuple[Series, list[Meeting]]] = []
    for meeting in meetings:
        if groups and groups[-1][0].id == meeting.series_id:
            groups[-1][1].append(meeting)
        else:
            groups.append((meeting.series, [meeting]))
    return groups


def meeting_lists(manager: bool, upcoming_page: int, past_page: int):
    """The meetings page's two lists as HTML, and each list's page and number of pages.

    Upcoming meetings soonest first, past ones newest first, grouped by series; drafts for
    facilitators (manager) only. The lists read the same for everyone of a class but for the
    member's own "registered" and "waiting list" tags (holes filled per request), so they are
    kept (app.fragments) by the content generation, which moves with any change to a meeting
    or a series (places taken included), and by the number of past meetings: with the rows
    unchanged, that number says which meetings the clock has moved from one list to the other.
    A fixed number of statements: one count for both lists, and when not kept two pages.
    """
    now = utcnow()
    shown = [MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]
    if manager:
        shown.append(MeetingStatus.DRAFT)
    params = {"now": now, "shown": shown}
    upcoming_total, past_total = db.session.connection().execute(_counts(), params).one()
    generation = content_generation.read()
    key = None
    if generation is not None:
        key = ("meetings", generation, manager, upcoming_total, past_total)
        key += (upcoming_page, past_page)

    def draw() -> tuple[str, dict]:
        # Only what a card and its series' heading show: descriptions and links are never
        # read here.
        base = (
            select(Meeting)
            .where(Meeting.status.in_(shown))
            .options(load_only(*CARD_COLUMNS), joinedload(Meeting.series).load_only(Series.title))
        )
        # A series' group sits where its soonest (or, for the past, latest) meeting puts it.
        series_next = func.min(Meeting.starts_at).over(partition_by=Meeting.series_id)
        series_last = func.max(Meeting.starts_at).over(partition_by=Meeting.series_id)
        upcoming = _page_of(
            base.where(Meeting.ends_at > now).order_by(
                series_next, Meeting.series_id, Meeting.starts_at, Meeting.id
            ),
            upcoming_page,
            upcoming_total,
        )
        past = _page_of(
            base.where(Meeting.ends_at <= now).order_by(
                series_last.desc(), Meeting.series_id, Meeting.starts_at.desc(), Meeting.id.desc()
            ),
            past_page,
            past_total,
        )
        html = render_template(
            "meetings/_lists.html",
            upcoming=upcoming,
            upcoming_groups=group_by_series(upcoming.items),
            past=past,
            past_groups=group_by_series(past.items),
            upcoming_url=lambda n: url_for(".index", upcoming_page=n, page=past.page),
            past_url=lambda n: url_for(".index", page=n, upcoming_page=upcoming.page),
            registration_tags=registration_tags,
        )
        return html, {"ids": [m.id for m in upcoming.items + past.items]}

    # The member's registrations are read afresh as the holes are filled: a kept list never
    # meets an earlier request's answer (tests keep one `g` across requests).
    g.pop("meeting_registrations", None)
    html, _ = fragments.cached(key, draw)
    return html, _pages(upcoming_page, upcoming_total), _pages(past_page, past_total)


# Built once, as every meetings page runs them: building them cost more than running them.


@functools.cache
def _counts():
    now = bindparam("now", type_=UTCDateTime())
    return select(
        func.count().filter(Meeting.ends_at > now),
        func.count().filter(Meeting.ends_at <= now),
    ).where(Meeting.status.in_(bindparam("shown", expanding=True)))


@functools.cache
def _registrations_of():
    return select(Registration.meeting_id, Registration.status).where(
        Registration.user_id == bindparam("user_id"),
        Registration.meeting_id.in_(bindparam("ids", expanding=True)),
    )


def registration_tags(meeting: Meeting) -> Markup:
    """A card's tags with the member's own registration ("registered", "waiting list", or
    neither, which may say "Full") left as holes, filled for each request.

    The tags read only the meeting's status and whether it is full, so each of the few such
    states is rendered once (three ways) and shared by every card in that state.
    """
    drawn = g.setdefault("meeting_tag_variants", {})
    state = (meeting.status, meeting.is_full)
    if state not in drawn:
        tags = get_template_attribute("meetings/macros.html", "meeting_tags")
        drawn[state] = (tags(meeting), tags(meeting, "waitlisted"), tags(meeting, "registered"))
    neither, waiting, registered = drawn[state]
    return fragments.per_viewer(
        "meeting_registered",
        meeting.id,
        fragments.per_viewer("meeting_waitlisted", meeting.id, neither, waiting),
        registered,
    )


def _page_of(query, page: int, total: int):
    # Both totals come from one statement: Flask-SQLAlchemy lets the total be set by hand.
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=False)
    pagination.total = total
    return pagination


def _pages(page: int, total: int) -> SimpleNamespace:
    """A list's page and number of pages, as its pagination would say (for the page title)."""
    return SimpleNamespace(page=page, pages=ceil(total / PER_PAGE) if total else 0)


def _registrations(meeting_ids) -> dict[int, str]:
    """meeting id -> this member's registration status, for those of meeting_ids they hold one
    at: one query for both kinds of hole on the page (read again by the resolvers below)."""
    ids = frozenset(meeting_ids)
    kept = g.get("meeting_registrations")
    if kept is not None and ids <= kept[0]:
        return kept[1]
    statuses = {}
    if current_user.is_authenticated and ids:
        params = {"user_id": current_user.id, "ids": sorted(ids)}
        statuses = dict(db.session.connection().execute(_registrations_of(), params).all())
    g.meeting_registrations = (ids, statuses)
    return statuses


@fragments.resolver("meeting_registered")
def _registered(meeting_ids: set[int]) -> set[int]:
    statuses = _registrations(meeting_ids)
    return {m for m in meeting_ids if statuses.get(m) == RegistrationStatus.REGISTERED}


@fragments.resolver("meeting_waitlisted")
def _waitlisted(meeting_ids: set[int]) -> set[int]:
    statuses = _registrations(meeting_ids)
    return {m for m in meeting_ids if statuses.get(m) == RegistrationStatus.WAITLISTED}
