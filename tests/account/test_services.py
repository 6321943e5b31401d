"""Closing an account and exporting a member's data, at the service level."""

from datetime import timedelta

from sqlalchemy import select

from app.account import services
from app.account.export import export_data
from app.extensions import db
from app.models import Application, AuditEvent, Notification, Registration, Role
from app.timeutil import utcnow


def test_closed_email_is_unique_and_undeliverable():
    assert services.closed_email(42) == "closed-42@invalid"


def test_last_admin(make):
    admin = make.user(roles=Role.ADMIN | Role.MEMBER, password=None)
    member = make.user(password=None)
    assert services.is_last_admin(admin) is True
    assert services.is_last_admin(member) is False
    closed = make.user(roles=Role.ADMIN, password=None, active=False)
    assert services.is_last_admin(admin) is True  # a closed admin does not count
    make.user(roles=Role.ADMIN, password=None)
    assert services.is_last_admin(admin) is False
    assert closed.active is False


def test_close_account_anonymises_applications_by_id_and_by_address(make):
    person = make.user(email="amara@example.org", name="Amara Okoye", password=None)
    linked = make.application(email="amara@example.org", name="Amara Okoye", user_id=person.id)
    earlier = make.application(email="AMARA@example.org", name="Amara O", status="declined")
    unrelated = make.application(email="rhys@example.org", name="Rhys Evans")
    services.close_account(person)
    db.session.commit()
    db.session.expire_all()
    for application in (linked, earlier):
        row = db.session.get(Application, application.id)
        assert (row.name, row.email) == ("Former member", f"closed-{person.id}@invalid")
        assert (row.organisation, row.place, row.job_role, row.criteria_statement) == ("",) * 4
    assert db.session.get(Application, unrelated.id).name == "Rhys Evans"


def test_close_account_keeps_past_and_cancelled_meetings_registrations(make):
    person = make.user(password=None)
    past = make.meeting(starts_in=-timedelta(days=30))
    cancelled = make.meeting(status="cancelled")
    coming = make.meeting()
    for meeting in (past, cancelled, coming):
        make.registration(meeting, person)
    closure = services.close_account(person, now=utcnow())
    db.session.commit()
    kept = set(
        db.session.scalars(select(Registration.meeting_id).where(Registration.user_id == person.id))
    )
    assert kept == {past.id, cancelled.id}
    assert closure.registrations_cancelled == 1
    db.session.refresh(coming)
    assert coming.registered_count == 0


def test_close_account_declines_invitations_on_the_action_timeline(make):
    person = make.user(password=None)
    proposer = make.user(password=None)
    item = make.action(proposer, invited=[person])
    closure = services.close_account(person)
    db.session.commit()
    assert closure.invitations_declined == 1
    db.session.refresh(item)
    assert item.owner_state(person.id) == "declined"


def test_the_audit_event_carries_no_personal_field(make):
    person = make.user(name="Jo Mensah", email="jo@example.org", password=None)
    services.close_account(person)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.closed"))
    values = " ".join(str(getattr(event, c.key)) for c in AuditEvent.__table__.columns)
    assert "Jo Mensah" not in values and "jo@example.org" not in values
    assert event.subject_type == "user" and event.subject_id == person.id


def test_export_after_closing_holds_nothing_personal(make):
    person = make.user(name="Jo Mensah", email="jo@example.org", bio="About me", password=None)
    make.application(email="jo@example.org", name="Jo Mensah", user_id=person.id)
    services.close_account(person)
    db.session.commit()
    data = export_data(person)
    text = repr(data)
    assert "Jo Mensah" not in text and "jo@example.org" not in text and "About me" not in text
    assert data["profile"]["active"] is False


def test_only_the_leading_name_is_reworded_in_others_notifications(make):
    person = make.user(name="Sam", password=None)
    other = make.user(password=None)
    make.notification(other, text="Sam commented on the action Sample the bus routes", actor=person)
    make.notification(other, text="A member replied in Sam's thread", actor=person)
    services.close_account(person)
    db.session.commit()
    texts = set(
        db.session.scalars(select(Notification.text).where(Notification.user_id == other.id))
    )
    assert texts == {
        "Former member commented on the action Sample the bus routes",
        "A member replied in Sam's thread",
    }
