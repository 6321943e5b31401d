"""The audit trail only grows: events are never edited or deleted, even in bulk."""

import pytest
from sqlalchemy import delete, update

from app.audit import record
from app.extensions import db
from app.models import AuditEvent, AuditEventImmutable


def test_record_adds_an_event(make):
    admin = make.user(name="Jo")
    member = make.user()
    event = record(
        admin, "role.granted", "user", member.id, subject_user=member, detail="Moderator"
    )
    db.session.commit()
    stored = db.session.get(AuditEvent, event.id)
    assert (stored.actor, stored.subject_user, stored.detail) == (admin, member, "Moderator")
    assert stored.created_at.tzinfo is not None


def test_events_cannot_be_edited(make):
    event = record(None, "application.approved", "application", 1)
    db.session.commit()
    event.reason = "rewritten"
    with pytest.raises(AuditEventImmutable):
        db.session.commit()
    db.session.rollback()


def test_events_cannot_be_deleted(make):
    event = record(None, "application.approved", "application", 1)
    db.session.commit()
    db.session.delete(event)
    with pytest.raises(AuditEventImmutable):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("statement", [update(AuditEvent).values(reason="x"), delete(AuditEvent)])
def test_bulk_statements_are_refused(make, statement):
    record(None, "application.approved", "application", 1)
    db.session.commit()
    with pytest.raises(AuditEventImmutable):
        db.session.execute(statement)
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == 1
