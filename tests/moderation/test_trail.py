"""The audit trail: an event for every decision, never edited; browsing with filters in a
fixed number of queries; the CSV download."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from app import audit
from app.extensions import db
from app.models import AuditEvent, AuditEventImmutable, Role, Suspension
from app.timeutil import utcnow
from tests.moderation.conftest import HX, text


def test_every_moderation_decision_is_an_audit_event(world):
    board = world.board()
    author, mod = world.user(), world.moderator()
    reported = world.thread(board, author)
    for _ in range(3):
        world.flag(reported, world.user())
    world.decide(reported, mod, "restored", "Fine")
    held = world.held(board, world.user())
    world.decide(held, mod, "approved", "")
    hidden = world.thread(board, author)
    hidden_event = world.decide(hidden, mod, "hidden", "Rude")
    world.warn(author, mod, "Careful", post=hidden)
    world.suspend(author, mod, 1, hidden)
    with world.app.app_context():
        from app.models import Post, User
        from app.moderation import decisions, people

        suspension = db.session.query(Suspension).one()
        people.lift(suspension, db.session.get(User, mod.id), "Apologised")
        decisions.decide(
            db.session.get(Post, hidden.id),
            db.session.get(User, mod.id),
            "redacted",
            "Phone number",
            body="[removed]",
        )
        db.session.commit()
    world.client(author).post(f"/moderation/decisions/{hidden_event}/appeal", data={"reason": "No"})
    actions = [e.action for e in world.events() if e.action.startswith("moderation.")]
    for action in (
        "moderation.auto_hidden",
        "moderation.restored",
        "moderation.held",
        "moderation.approved",
        "moderation.hidden",
        "moderation.warned",
        "moderation.suspended",
        "moderation.suspension_lifted",
        "moderation.redacted",
        "moderation.appealed",
    ):
        assert action in actions, action
    decisions = [e for e in world.events() if e.actor_id == mod.id]
    assert all(e.subject_user_id == author.id or e.subject_id == held.id for e in decisions)
    assert all(e.reason for e in decisions if e.action != "moderation.approved")


def test_moderation_events_are_never_edited_or_deleted(world):
    board = world.board()
    post = world.thread(board, world.user())
    world.decide(post, world.moderator(), "hidden", "Rude")
    with world.app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="moderation.hidden").one()
        event.reason = "Something kinder"
        with pytest.raises(AuditEventImmutable):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditEventImmutable):
            db.session.execute(update(AuditEvent).values(reason="x"))
        db.session.rollback()
        event = db.session.query(AuditEvent).filter_by(action="moderation.hidden").one()
        db.session.delete(event)
        with pytest.raises(AuditEventImmutable):
            db.session.flush()
        db.session.rollback()


def _events(world, n: int, action="moderation.hidden", days_ago=0):
    with world.app.app_context():
        from app.models import User

        actor = db.session.get(User, world.moderator(name="Tom Byrne").id)
        subject = db.session.get(User, world.user(name="Owen Price").id)
        for i in range(n):
            db.session.add(
                AuditEvent(
                    actor_id=actor.id,
                    action=action,
                    subject_type="post",
                    subject_id=i + 1,
                    subject_user_id=subject.id,
                    reason=f"Reason {i}",
                    created_at=utcnow() - timedelta(days=days_ago),
                )
            )
        db.session.commit()


def test_trail_lists_and_filters_events(world):
    _events(world, 2, "moderation.hidden", days_ago=10)
    _events(world, 1, "role.granted")
    client = world.client(world.moderator(name="Ana Silva"))
    page = text(client.get("/moderation/trail"))
    assert "<h1>Audit trail</h1>" in page and "3 events." in page
    assert "Post hidden" in page and "Role granted" in page and "Reason 0" in page
    assert text(client.get("/moderation/trail?action=role.granted")).count('id="event-') == 1
    with world.app.app_context():
        from app.models import User

        first, second = [
            u.id
            for u in db.session.query(User).filter_by(display_name="Tom Byrne").order_by(User.id)
        ]
    assert "2 events." in text(client.get(f"/moderation/trail?actor={first}"))
    assert "1 event." in text(client.get(f"/moderation/trail?actor={second}"))
    assert 'id="trail-actor"' in page and ">Tom Byrne</option>" in page
    assert "3 events." in text(client.get("/moderation/trail?person=owen"))
    assert "0 events." in text(client.get("/moderation/trail?person=nobody"))
    today = utcnow().date()
    recent = client.get(f"/moderation/trail?start={(today - timedelta(days=2)).isoformat()}")
    assert "1 event." in text(recent)
    older = f"/moderation/trail?end={(today - timedelta(days=5)).strftime('%d %m %Y')}"
    assert "2 events." in text(client.get(older))
    # Unknown values are ignored; bad dates are explained.
    assert "3 events." in text(client.get("/moderation/trail?action=nonsense&actor=x"))
    bad = client.get("/moderation/trail?start=31 2 2026")
    assert bad.status_code == 422 and "Enter a real date in From" in text(bad)
    backwards = client.get("/moderation/trail?start=2026-03-10&end=2026-03-01")
    assert backwards.status_code == 422 and "To must be the same as or after From" in text(
        backwards
    )


def test_trail_is_paginated_in_fixed_queries(world, count_queries):
    client = world.client(world.moderator())
    _events(world, 3)
    with count_queries() as few:
        assert client.get("/moderation/trail").status_code == 200
    _events(world, 40)
    with count_queries() as many:
        page = client.get("/moderation/trail")
    assert few.count == many.count, many.statements
    assert "Audit trail (page 1 of 2)" in text(page)
    assert "page=2" in text(page)


def test_trail_csv_is_filtered_and_spreadsheet_safe(world):
    with world.app.app_context():
        from app.models import User

        actor = db.session.get(User, world.moderator(name="Tom Byrne").id)
        audit.record(actor, "moderation.hidden", "post", 1, reason='=HYPERLINK("x")')
        audit.record(actor, "role.granted", "user", 2, detail="Moderator")
        db.session.commit()
    client = world.client(world.user(Role.ADMIN))
    response = client.get("/moderation/trail.csv?action=moderation.hidden")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="moderation-trail.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["when", "action", "by", "subject", "about", "reason", "detail"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["Post hidden", "Tom Byrne", "post 1", ""]
    assert rows[1][5] == '\'=HYPERLINK("x")'
    page = text(client.get("/moderation/trail?action=moderation.hidden"))
    assert 'href="/moderation/trail.csv?action=moderation.hidden"' in page


def test_trail_shows_role_and_application_decisions(world):
    admin = world.client(world.user(Role.ADMIN, name="Jo Mensah"))
    person = world.user(name="Sam Lee")
    admin.post(f"/admin/people/{person.id}/roles", data={"roles": ["member", "moderator"]})
    page = text(admin.get("/moderation/trail"))
    assert "Role granted" in page and "Jo Mensah" in page and "Sam Lee" in page
    htmx = admin.get("/moderation/trail", headers=HX)
    assert htmx.status_code == 200
