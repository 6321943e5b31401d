"""`flask seed-demo` adds actions in every status, shared and overdue ones, with timelines."""

from sqlalchemy import func, select

from app import demo
from app.actions import services
from app.extensions import db
from app.models import Action, ActionEvent, ActionOwner, ActionStatus, Meeting, Series


def test_demo_actions(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        actions = db.session.scalars(select(Action)).all()
        assert {a.status for a in actions} == set(ActionStatus.ALL)
        shared = [a for a in actions if len(a.accepted_owners) > 1]
        assert len(shared) >= 2
        today = services.today()
        assert any(a.is_overdue(today) for a in actions)
        assert any(a.done_on_time for a in actions)
        assert any(a.status == "done" and not a.done_on_time for a in actions)
        # From the seeded Levelling Up meetings, and threads where the boards demo made them.
        series = db.session.scalar(select(Series).where(Series.slug == "levelling-up"))
        meeting_ids = {m.id for m in series.meetings}
        assert all(a.meeting_id in meeting_ids for a in actions)
        assert any(a.source_type == "post" for a in actions)
        first = db.session.scalar(
            select(Meeting).where(Meeting.title.startswith("Taking a holistic"))
        )
        assert any(a.meeting_id == first.id for a in actions)
        # Timelines with updates and comments, dated in the past.
        kinds = set(db.session.scalars(select(ActionEvent.kind)))
        assert {"proposed", "accepted", "invited", "status", "update", "comment"} <= kinds
        assert db.session.scalar(
            select(func.count()).select_from(ActionOwner).where(ActionOwner.state == "invited")
        )


def test_demo_actions_are_idempotent(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        counts = [
            db.session.scalar(select(func.count()).select_from(t))
            for t in (Action, ActionEvent, ActionOwner)
        ]
        from app.actions import demo as actions_demo

        assert actions_demo.seed() is False
        db.session.commit()
        again = [
            db.session.scalar(select(func.count()).select_from(t))
            for t in (Action, ActionEvent, ActionOwner)
        ]
        assert counts == again and counts[0] == len(actions_demo.ACTIONS)


def test_demo_actions_pages_render(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        from app.models import User

        member = db.session.scalar(select(User).where(User.email == "member@example.org"))
        identity = member.get_id()
        series_id = db.session.scalar(select(Series.id))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = identity
    for url in (
        "/actions/",
        "/actions/mine",
        "/actions/1",
        f"/meetings/series/{series_id}",
        "/actions/export.csv",
    ):
        assert client.get(url).status_code == 200, url
