"""The actions' rules as plain functions: owners, statuses, the timeline that is never edited,
places' action lists, the chart's numbers and the CSV helper."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.actions import charts, queries, reviews, services
from app.csvsafe import spreadsheet_safe
from app.extensions import db
from app.models import (
    ActionEvent,
    ActionEventImmutable,
    ActionStatus,
    Role,
)
from app.timeutil import utcnow
from tests import factories


def test_resolve_owners_by_email_and_name_in_one_query(make, count_queries):
    amara = make.user(name="Amara  Okafor", email="amara@example.org", password=None)
    rhys = make.user(name="Rhys Evans", password=None)
    with count_queries() as q:
        people, problems = services.resolve_owners("AMARA@example.org;\n rhys evans ,")
    assert q.count == 1
    assert people == [amara, rhys] and problems == []
    assert services.resolve_owners("") == ([], [])


def test_resolve_owners_problems(make):
    make.user(name="Rhys Evans", password=None)
    make.user(name="Sam Lee", password=None)
    make.user(name="Sam Lee", password=None)
    make.user(email="former@example.org", active=False, password=None)
    make.user(email="nomember@example.org", roles=Role(0), password=None)
    people, problems = services.resolve_owners(
        "Rhys Evans, rhys evans, Sam Lee, former@example.org, nomember@example.org, Who"
    )
    assert [p.display_name for p in people] == ["Rhys Evans"]
    assert problems == [
        "Rhys Evans is entered more than once",
        "More than one member is called Sam Lee: enter their email address",
        "former@example.org is not a member of Roundtable: check the name or email address",
        "nomember@example.org is not a member of Roundtable: check the name or email address",
        "Who is not a member of Roundtable: check the name or email address",
    ]


def test_create_without_any_owner_is_refused(make):
    with pytest.raises(services.ActionProblem):
        services.create_action(
            title="x",
            detail="",
            due_on=services.today(),
            proposer=make.user(password=None),
            owners=[],
            self_own=False,
            source=None,
        )


def test_naming_yourself_as_owner_means_you_own_it(make):
    me = make.user(password=None)
    action, invited = services.create_action(
        title="x",
        detail="",
        due_on=services.today(),
        proposer=me,
        owners=[me],
        self_own=False,
        source=None,
    )
    assert invited == [] and action.status == ActionStatus.OPEN
    assert [(o.user_id, o.state) for o in action.owners] == [(me.id, "accepted")]


def test_change_status_rules(make):
    me = make.user(password=None)
    action = factories.action(me)
    with pytest.raises(services.ActionProblem):
        services.change_status(action, me, "proposed", action.version)
    with pytest.raises(services.ActionProblem):
        services.change_status(action, me, "dropped", action.version, "  ")
    with pytest.raises(services.StaleAction):
        services.change_status(action, me, "done", action.version + 1)
    assert services.change_status(action, me, "done", 1) is True
    assert action.status == "done" and action.version == 2 and action.done_on == services.today()
    assert action.done_on_time
    assert services.change_status(action, me, "done", 2) is False


def test_done_late_is_not_on_time(make):
    me = make.user(password=None)
    action = factories.action(me, due_on=services.today() - timedelta(days=2), status="done")
    assert action.status == "done" and not action.done_on_time


def test_the_timeline_is_never_edited_or_deleted(make):
    me = make.user(password=None)
    factories.action(me)
    db.session.commit()
    entry = db.session.scalars(select(ActionEvent)).first()
    entry.text = "rewritten"
    with pytest.raises(ActionEventImmutable):
        db.session.flush()
    db.session.rollback()
    entry = db.session.scalars(select(ActionEvent)).first()
    db.session.delete(entry)
    with pytest.raises(ActionEventImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ActionEventImmutable):
        db.session.execute(update(ActionEvent).values(text="bulk"))
    with pytest.raises(ActionEventImmutable):
        db.session.execute(delete(ActionEvent))
    db.session.rollback()
    assert db.session.query(ActionEvent).count() == 2


def test_permission_helpers(make):
    owner, member = make.user(password=None), make.user(password=None)
    invited = make.user(password=None)
    facilitator = make.user(roles=Role.MEMBER | Role.FACILITATOR, password=None)
    action = factories.action(owner, invited=[invited])
    assert services.can_change_status(action, owner)
    assert not any(services.can_change_status(action, p) for p in (member, invited, facilitator))
    assert services.can_drop(action, owner) and services.can_drop(action, facilitator)
    assert not services.can_drop(action, member)
    assert services.can_edit(action, facilitator) and not services.can_edit(action, owner)
    assert services.can_invite(action, owner) and services.can_invite(action, facilitator)
    assert not services.can_invite(action, member)
    services.change_status(action, owner, "dropped", action.version, "No")
    assert not services.can_drop(action, facilitator) and not services.can_invite(action, owner)


def test_actions_for_source_is_one_query(make, count_queries):
    me, rhys = make.user(password=None), make.user(password=None)
    meeting = make.meeting()
    board = meeting.boards[0]
    thread = factories.thread(board, me, title="A thread")
    other = make.meeting()
    from_meeting = factories.action(me, owners=[rhys], source=("meeting", meeting.id))
    from_board = factories.action(me, source=("board", board.id))
    from_thread = factories.action(me, owners=[rhys], source=("post", thread.id))
    factories.action(me, source=("meeting", other.id))
    db.session.commit()
    db.session.expire_all()
    cases = {
        ("meeting", meeting.id): {from_meeting.id, from_board.id, from_thread.id},
        ("board", board.id): {from_board.id, from_thread.id},
        ("post", thread.id): {from_thread.id},
        ("theme", board.theme_id): {from_board.id, from_thread.id},
        ("agenda_item", 5): set(),
    }
    for (kind, ident), expected in cases.items():
        db.session.expire_all()
        with count_queries() as q:
            found = queries.actions_for_source(kind, ident)
            names = [o.user.display_name for a in found for o in a.accepted_owners]
        assert q.count == 1, q.statements
        assert {a.id for a in found} == expected
        assert names or not expected
    with pytest.raises(ValueError):
        queries.source_condition("planet", 1)


def test_series_chart_numbers_and_layout(make):
    me = make.user(password=None)
    series = make.series(title="Levelling Up")
    first = make.meeting(series_=series, starts_in=-timedelta(days=60))
    second = make.meeting(series_=series, starts_in=-timedelta(days=10))
    make.meeting(series_=series, starts_in=timedelta(days=30))  # no actions yet: not shown
    factories.action(me, source=("meeting", first.id), status="done")  # on time
    factories.action(
        me, source=("meeting", first.id), due_on=services.today() - timedelta(days=1), status="done"
    )
    factories.action(me, source=("meeting", first.id), status="dropped")
    factories.action(me, source=("meeting", second.id), status="in_progress")
    factories.action(
        me, source=("meeting", second.id), own=False, invited=[make.user(password=None)]
    )
    db.session.commit()
    chart = charts.series_chart(series.id, series.title)
    assert [r.meeting.id for r in chart.rows] == [first.id, second.id]
    one, two = chart.rows
    assert one.counts == {"proposed": 0, "open": 0, "in_progress": 0, "done": 2, "dropped": 1}
    assert (one.total, one.done, one.on_time, one.share) == (3, 2, 1, "1 of 2 (50%)")
    assert two.share == "None done yet"
    assert chart.share == "1 of 2 (50%)" and chart.total == 5
    # The busiest meeting fills the bar; segments follow the status order, left to right.
    assert sum(s.width for s in one.segments) == charts.BAR_MAX
    assert [s.status for s in one.segments] == ["done", "dropped"]
    assert one.segments[1].x == one.segments[0].x + one.segments[0].width
    assert "done on time 1 of 2 (50%)" in chart.description
    assert chart.height > len(chart.rows) * charts.ROW_HEIGHT


def test_spreadsheet_safe():
    for raw, safe in [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@A1", "'@A1"),
                      ("\tx", "'\tx"), ("\rx", "'\rx"), ("Amara", "Amara"), ("", ""), (None, ""),
                      (3, "3")]:  # fmt: skip
        assert spreadsheet_safe(raw) == safe


def test_review_meeting_for_an_action(make):
    me = make.user(password=None)
    series = make.series()
    past = make.meeting(series_=series, starts_in=-timedelta(days=10))
    draft = make.meeting(series_=series, starts_in=timedelta(days=3), status="draft")
    upcoming = make.meeting(series_=series, starts_in=timedelta(days=7))
    action = factories.action(me, source=("meeting", past.id))
    assert reviews.review_meeting_for(action).id == upcoming.id
    assert draft.id != upcoming.id
    assert reviews.review_meeting_for(factories.action(me)) is None


def test_find_source_hides_drafts_and_unknowns(make):
    member = make.user(password=None)
    facilitator = make.user(roles=Role.MEMBER | Role.FACILITATOR, password=None)
    draft = make.meeting(status="draft")
    assert services.find_source("meeting", draft.id, member) is None
    assert services.find_source("meeting", draft.id, facilitator).meeting.id == draft.id
    assert services.find_source("board", draft.boards[0].id, member) is None
    assert services.find_source("meeting", 999, member) is None
    assert services.find_source("planet", 1, member) is None


def test_event_times_and_order(make):
    me = make.user(password=None)
    past = utcnow() - timedelta(days=3)
    action = factories.action(me, now=past)
    services.add_comment(action, me, "Later")
    timeline = services.timeline(action)
    assert [e.kind for e in timeline] == ["proposed", "accepted", "comment"]
    assert timeline[0].created_at == past and action.created_at == past
