"""`flask seed-demo`: the past meetings get published agendas with outcomes, the next one a
draft from its top questions; a second run changes nothing."""

from sqlalchemy import func, select

from app import demo
from app.agenda import queries
from app.extensions import db
from app.models import Agenda, AgendaItem, ItemStatus, Meeting
from app.timeutil import utcnow


def test_demo_agendas(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
        past = [m for m in meetings if m.ends_at <= utcnow()]
        upcoming = [m for m in meetings if m.ends_at > utcnow()]
        for meeting in past:
            agenda = queries.agenda_for(meeting.id)
            assert agenda.published_at is not None and agenda.attendance
            assert not agenda.changed_since_published
            items = queries.items_of(agenda)
            assert any(item.post_id for item in items), meeting.title
            assert all(item.status == ItemStatus.DISCUSSED and item.notes_html for item in items)
        draft = queries.agenda_for(upcoming[0].id)
        assert draft.published_at is None
        items = queries.items_of(draft)
        assert items[0].title == "Welcome and introductions"
        assert items[-1].title == "Close and next steps"
        assert [i.position for i in items] == list(range(1, len(items) + 1))
        assert sum(1 for i in items if i.post_id) >= 2
        assert queries.agenda_for(upcoming[1].id) is None
        counts = (
            db.session.scalar(select(func.count()).select_from(Agenda)),
            db.session.scalar(select(func.count()).select_from(AgendaItem)),
        )
        demo.seed()
        db.session.commit()
        again = (
            db.session.scalar(select(func.count()).select_from(Agenda)),
            db.session.scalar(select(func.count()).select_from(AgendaItem)),
        )
        assert again == counts
