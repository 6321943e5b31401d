"""`flask seed-demo`: the past meetings' insights tell something (places, several voices, a
narrative, pins; the first summary published), and a second run changes nothing."""

from sqlalchemy import func, select

from app import demo
from app.actions.services import today
from app.extensions import db
from app.insights import queries, story
from app.models import InsightPin, Meeting, MeetingInsight, Post, Registration, User, Vote
from app.timeutil import utcnow


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Registration, Post, Vote, MeetingInsight, InsightPin)
    )


def test_demo_insights(app):
    with app.app_context():
        demo.seed()
        db.session.commit()
        past = db.session.scalars(
            select(Meeting).where(Meeting.ends_at <= utcnow()).order_by(Meeting.starts_at)
        ).all()
        assert len(past) == 2
        first, second = past
        report = queries.meeting_report(first, today())
        f = report.figures
        assert f.registered == 9 and f.attendance == 34
        assert f.taking_part >= 7 and f.posts["before"] and f.posts["after"] >= 5
        assert f.discussed >= 1 and f.actions >= 1
        assert report.themes[0].posters >= 6 and report.themes[0].top_share < 100
        told = story.insight_for(first.id)
        assert told.is_published and "shared" in told.published_html
        assert not told.changed_since_published
        assert len(told.published_figures["pins"]) == 3
        assert len(story.pins_for(first.id)) == 3
        draft = story.insight_for(second.id)
        assert draft.narrative_html and not draft.is_published
        assert len(story.pins_for(second.id)) == 1
        assert first.registered_count == 9
        before = counts()
        assert demo.seed() is False
        db.session.commit()
        assert counts() == before


def test_demo_pages_render(app, facilitator_client, member_client):
    with app.app_context():
        demo.seed()
        db.session.commit()
        first = db.session.scalar(select(Meeting).order_by(Meeting.starts_at))
        ids = (first.id, first.series_id)
    page = facilitator_client.get(f"/insights/meetings/{ids[0]}").get_data(as_text=True)
    assert "Thirty-four people came" in page and 'id="insight-pins-' in page
    assert facilitator_client.get(f"/insights/series/{ids[1]}").status_code == 200
    summary = member_client.get(f"/insights/meetings/{ids[0]}/summary").get_data(as_text=True)
    assert "In members&#39; words" in summary or "In members' words" in summary
    assert "Siobhan" not in summary and "Rhys" not in summary
