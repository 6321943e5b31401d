"""Reminder emails (`flask actions remind`): due soon, overdue, before the review meeting; once."""

from datetime import timedelta

from sqlalchemy import select

from app.actions import reminders, services
from app.extensions import db
from app.models import Action, ActionReminder, User
from tests import factories
from tests.conftest import email_body


def _people(n=2):
    return [
        factories.user(password=None, name=f"Owner {i}", email=f"owner{i}@example.org")
        for i in range(n)
    ]


def test_due_soon_reminds_each_accepted_owner_once(make, outbox):
    amara, rhys = _people()
    pending = make.user(password=None, email="pending@example.org")
    action = factories.action(
        amara, title="Map the data", owners=[rhys], invited=[pending], due_in=timedelta(days=2)
    )
    factories.action(amara, title="Not yet", due_in=timedelta(days=5))
    db.session.commit()
    assert reminders.run() == 2
    sent = outbox()
    assert sorted(m["To"] for m in sent) == ["owner0@example.org", "owner1@example.org"]
    assert sent[0]["Subject"].startswith("Reminder: “Map the data” is due on ")
    assert f"http://localhost/actions/{action.id}" in email_body(sent[0])
    rows = db.session.scalars(select(ActionReminder)).all()
    assert {(r.kind, r.key) for r in rows} == {("due_soon", action.due_on.isoformat())}
    # Run again (every hour): nothing more is sent.
    assert reminders.run() == 0 and len(outbox()) == 2


def test_the_setting_decides_how_early(app, make, outbox):
    app.config["ACTIONS_REMIND_DAYS"] = 7
    (amara,) = _people(1)
    factories.action(amara, due_in=timedelta(days=6))
    db.session.commit()
    assert reminders.run() == 1


def test_overdue_reminder_once_and_again_for_a_new_due_date(make, outbox):
    (amara,) = _people(1)
    action = factories.action(amara, title="Late one", due_on=services.today() - timedelta(days=1))
    db.session.commit()
    assert reminders.run() == 1
    [message] = outbox()
    assert message["Subject"].startswith("Overdue: “Late one” was due on ")
    assert "drop it with a reason" in email_body(message)
    assert reminders.run() == 0
    # A facilitator moves the due date: the owner is reminded about the new date in time.
    services.edit_action(
        action,
        amara,
        title=action.title,
        detail=action.detail,
        due_on=services.today() + timedelta(days=1),
        reason="More time",
        version=action.version,
    )
    db.session.commit()
    assert reminders.run() == 1
    assert outbox()[-1]["Subject"].startswith("Reminder: “Late one” is due on ")


def test_closed_and_proposed_actions_are_not_reminded(make, outbox):
    amara, rhys = _people()
    due = services.today() - timedelta(days=1)
    factories.action(amara, due_on=due, status="done")
    factories.action(amara, due_on=due, status="dropped")
    factories.action(amara, due_on=due, own=False, invited=[rhys])
    db.session.commit()
    assert reminders.run() == 0 and outbox() == []


def test_review_reminder_before_the_next_meeting(make, outbox):
    amara, rhys = _people()
    series = make.series()
    past = make.meeting(series_=series, starts_in=-timedelta(days=20), title="Root causes")
    soon = make.meeting(series_=series, starts_in=timedelta(days=1), title="Sharing power")
    action = factories.action(
        amara,
        title="Write it up",
        owners=[rhys],
        source=("meeting", past.id),
        due_in=timedelta(days=30),
    )
    factories.action(amara, title="Finished", source=("meeting", past.id), status="done")
    db.session.commit()
    assert reminders.run() == 2
    subjects = {m["Subject"] for m in outbox()}
    assert subjects == {"“Write it up” will be reviewed at the next meeting"}
    assert "Sharing power" in email_body(outbox()[0])
    row = db.session.scalars(select(ActionReminder)).first()
    assert (row.action_id, row.kind, row.key) == (action.id, "review", str(soon.id))
    assert reminders.run() == 0


def test_no_review_reminder_when_the_meeting_is_far_off(make, outbox):
    (amara,) = _people(1)
    series = make.series()
    past = make.meeting(series_=series, starts_in=-timedelta(days=20))
    make.meeting(series_=series, starts_in=timedelta(days=10))
    factories.action(amara, source=("meeting", past.id), due_in=timedelta(days=30))
    db.session.commit()
    assert reminders.run() == 0


def test_a_reminder_recorded_by_another_run_is_not_sent_again(make, outbox, monkeypatch):
    (amara,) = _people(1)
    action = factories.action(amara, due_in=timedelta(days=1))
    db.session.commit()
    # Another run records the reminder after this one looked: the insert fails, nothing is sent.
    monkeypatch.setattr(reminders, "_already_sent", lambda candidates: set())
    db.session.add(
        ActionReminder(
            action_id=action.id, user_id=amara.id, kind="due_soon", key=action.due_on.isoformat()
        )
    )
    db.session.commit()
    assert reminders.run() == 0 and outbox() == []


def test_cli_command_twice_sends_once(app, runner, outbox):
    with app.app_context():
        (amara,) = _people(1)
        factories.action(amara, due_in=timedelta(days=1))
        db.session.commit()
    # The test session keeps another app's context open; the command must use this app's.
    with app.app_context():
        first = runner.invoke(args=["actions", "remind"])
        assert first.exit_code == 0, first.output
        assert "1 reminder sent." in first.output
        second = runner.invoke(args=["actions", "remind"])
        assert "0 reminders sent." in second.output
        help_text = runner.invoke(args=["actions", "remind", "--help"]).output
    assert len(outbox()) == 1
    assert "overdue, or up for review" in help_text
    with app.app_context():
        assert db.session.query(Action).count() == 1 and db.session.query(User).count() == 1
