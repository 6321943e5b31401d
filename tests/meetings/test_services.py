"""Meetings services and helpers, without HTTP: parsing, UK time, places, themes, demo data."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.meetings import registration as reg
from app.meetings import services
from app.meetings.forms import exists_in_london, parse_clock, parse_month
from app.meetings.registration_routes import spreadsheet_safe
from app.models import Board, Meeting, MeetingStatus, Registration, Theme, User


@pytest.mark.parametrize(
    ("text", "month"),
    [("1", 1), ("01", 1), ("jan", 1), ("Jan", 1), ("January", 1), ("sept", 9), ("Sep.", 9),
     ("december", 12), ("0", None), ("13", None), ("Smarch", None), ("", None)],
)  # fmt: skip
def test_parse_month(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize(
    ("text", "clock"),
    [("12:00", time(12)), ("9:30", time(9, 30)), ("09.30", time(9, 30)), ("1415", time(14, 15)),
     (" 23:59 ", time(23, 59)), ("24:00", None), ("12:60", None), ("noon", None), ("1", None)],
)  # fmt: skip
def test_parse_clock(text, clock):
    assert parse_clock(text) == clock


def test_skipped_and_repeated_hours():
    assert not exists_in_london(date(2026, 3, 29), time(1, 30))  # clocks go forward at 01:00
    assert exists_in_london(date(2026, 3, 29), time(2, 0))
    assert exists_in_london(date(2026, 3, 29), time(0, 59))
    # 01:30 on 25 October 2026 happens twice; it exists, and the first (BST) one is meant.
    assert exists_in_london(date(2026, 10, 25), time(1, 30))


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("Amara", "Amara"), ("", ""), ("a=b", "a=b")],
)  # fmt: skip
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_slugify():
    assert services.slugify("Using data well!") == "using-data-well"
    assert services.slugify("???") == "untitled"


# Places ----------------------------------------------------------------------------------------
def test_register_fills_places_then_the_waiting_list(make):
    m = make.meeting(capacity=2)
    people = [make.user(password=None) for _ in range(4)]
    statuses = [reg.register(m, p).status for p in people]
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    assert (m.registered_count, m.waitlist_count) == (2, 2)
    assert [reg.waiting_position(reg.registration_for(m.id, p.id)) for p in people[2:]] == [1, 2]
    # Idempotent.
    assert reg.register(m, people[0]).status == "registered"
    assert m.registered_count == 2


def test_unregister_promotes_in_order_and_keeps_counts(make):
    m = make.meeting(capacity=1)
    a, b, c = (make.user(password=None) for _ in range(3))
    for person in (a, b, c):
        reg.register(m, person)
    removed, promoted = reg.unregister(m, a)
    assert removed.status == "registered"
    assert [r.user_id for r in promoted] == [b.id]
    assert (m.registered_count, m.waitlist_count) == (1, 1)
    removed, promoted = reg.unregister(m, c)
    assert removed.status == "waitlisted" and promoted == []
    assert (m.registered_count, m.waitlist_count) == (1, 0)
    assert reg.unregister(m, c) == (None, [])


def test_register_refuses_closed_meetings(make):
    person = make.user(password=None)
    for meeting in (
        make.meeting(status=MeetingStatus.CANCELLED),
        make.meeting(status=MeetingStatus.DRAFT),
        make.meeting(starts_in=-timedelta(days=1)),
    ):
        with pytest.raises(reg.RegistrationClosed):
            reg.register(meeting, person)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_registration_open_during_the_meeting(make):
    m = make.meeting(starts_in=-timedelta(minutes=30), length=timedelta(hours=2))
    assert reg.closed_reason(m) is None
    assert reg.register(m, make.user(password=None)).is_registered


def test_fill_places_after_capacity_grows(make):
    m = make.meeting(capacity=0)
    people = [make.user(password=None) for _ in range(3)]
    for person in people:
        reg.register(m, person)
    m.capacity = 2
    db.session.flush()
    promoted = reg.fill_places(m)
    assert [r.user_id for r in promoted] == [people[0].id, people[1].id]
    assert (m.registered_count, m.waitlist_count) == (2, 1)


# Planning --------------------------------------------------------------------------------------
def _details(**overrides):
    values = dict(
        title="Using data well",
        description="Numbers *and* stories.",
        starts_at=datetime(2027, 7, 1, 11, 0, tzinfo=UTC),
        ends_at=datetime(2027, 7, 1, 12, 30, tzinfo=UTC),
        online_url="https://meet.example.org/x",
        venue="",
        capacity=None,
        theme_ids=[],
    )
    values.update(overrides)
    return services.MeetingDetails(**values)


def test_update_bumps_sequence_only_when_calendars_would_change(make):
    actor = make.user(password=None)
    series = make.series(themes=("One", "Two"))
    m = services.create_meeting(series, _details(theme_ids=[series.themes[0].id]), actor)
    start = m.sequence
    services.update_meeting(m, _details(theme_ids=[series.themes[0].id], capacity=10), actor)
    assert m.sequence == start  # capacity is not in the calendar
    services.update_meeting(m, _details(venue="Town hall"), actor)
    assert m.sequence == start + 1


def test_themes_are_boards_in_the_series_order(make):
    actor = make.user(password=None)
    series = make.series(themes=("One", "Two", "Three"))
    one, two, three = (t.id for t in series.themes)
    m = services.create_meeting(series, _details(theme_ids=[three, one], new_theme="Four"), actor)
    assert [b.theme.title for b in m.boards] == ["One", "Three", "Four"]
    assert [b.position for b in m.boards] == [0, 1, 2]
    services.set_themes(m, [two])
    assert [b.theme_id for b in m.boards] == [two]
    assert db.session.scalar(select(func.count()).select_from(Board)) == 1


def test_board_with_rows_pointing_at_it_is_in_use(make):
    from sqlalchemy import Column, ForeignKey, Integer, Table

    m = make.meeting()
    board = m.boards[0]
    assert services.board_in_use(board) is False
    board.question_count = 1
    assert services.board_in_use(board) is True
    board.question_count = 0
    # A table from another area that refers to boards (posts, agenda items...) counts too.
    table = Table(
        "board_attachment_test",
        db.metadata,
        Column("id", Integer, primary_key=True),
        Column("board_id", ForeignKey("board.id")),
    )
    try:
        table.create(db.session.connection())
        db.session.execute(table.insert().values(board_id=board.id))
        assert services.board_in_use(board) is True
    finally:
        db.session.rollback()
        table.drop(db.engine, checkfirst=True)
        db.metadata.remove(table)


def test_new_theme_matching_an_existing_one_reuses_it(make):
    actor = make.user(password=None)
    series = make.series(themes=("Using data",))
    m = services.create_meeting(series, _details(new_theme="USING DATA"), actor)
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1
    assert [b.theme_id for b in m.boards] == [series.themes[0].id]


def test_cancel_returns_everyone_to_email_and_refuses_twice(make):
    actor = make.user(password=None)
    m = make.meeting(capacity=1)
    reg.register(m, make.user(password=None))
    reg.register(m, make.user(password=None))
    registrants = services.cancel(m, actor, "Snow.")
    assert len(registrants) == 2
    assert m.is_cancelled and m.cancel_reason == "Snow."
    with pytest.raises(services.WrongState):
        services.cancel(m, actor, "Again.")


# Demo data -------------------------------------------------------------------------------------
def test_demo_seed_registers_members_and_is_idempotent(make):
    from app import demo

    assert demo.seed() is True
    db.session.commit()
    member = db.session.scalar(select(User).where(User.email == "member@example.org"))
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.status == MeetingStatus.PUBLISHED, Meeting.ends_at > datetime.now(UTC))
        .order_by(Meeting.starts_at)
    ).all()
    assert upcoming
    registration = reg.registration_for(upcoming[0].id, member.id)
    assert registration is not None and registration.is_registered
    # Past meetings' places are the insights demo's history: count the upcoming ones here.
    upcoming_places = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.meeting_id.in_([m.id for m in upcoming]))
    )
    rows = db.session.scalar(upcoming_places)
    counted = sum(m.registered_count + m.waitlist_count for m in upcoming)
    assert rows == counted > 0
    assert upcoming[0].capacity == 60

    from app.meetings import demo as meetings_demo

    assert meetings_demo.seed() is False
    demo.seed()
    db.session.commit()
    assert db.session.scalar(upcoming_places) == rows
