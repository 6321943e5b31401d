"""The insights rules: narrative versions, pins once, publishing a frozen, anonymous summary."""

import json

import pytest

from app.actions.services import today
from app.extensions import db
from app.insights import queries, services, story
from app.models import AuditEvent, InsightPin, MeetingInsight, Role
from tests import factories


@pytest.fixture
def given(make):
    meeting = make.meeting()
    post = make.thread(meeting.boards[0], title="Who pools budgets?")
    lead = make.user(roles=Role.FACILITATOR, password=None)
    db.session.commit()
    return meeting, post, lead


def test_insight_row_is_made_once(given):
    meeting, _, _ = given
    first = services.insight(meeting)
    assert services.insight(meeting) is first
    assert db.session.scalar(db.select(db.func.count()).select_from(MeetingInsight)) == 1


def test_narrative_versions(given):
    meeting, _, lead = given
    row = services.save_narrative(meeting, "We *met*.", lead, 0)
    assert (row.version, row.narrative_html, row.updated_by_id) == (
        1,
        "<p>We <em>met</em>.</p>",
        lead.id,
    )
    assert row.changed_at is not None
    with pytest.raises(services.StaleNarrative):
        services.save_narrative(meeting, "Overwrite", lead, 0)
    assert story.insight_for(meeting.id).narrative == "We *met*."
    assert services.save_narrative(meeting, "Again", lead, 1).version == 2


def test_pin_once_and_unpin(given):
    meeting, post, lead = given
    assert services.pin(post, lead) is True
    assert services.pin(post, lead) is False  # already pinned: nothing added, no error
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(InsightPin)) == 1
    assert services.unpin(post) is True and services.unpin(post) is False


def test_held_or_removed_posts_cannot_be_pinned(given):
    meeting, post, lead = given
    post.held_at = post.created_at
    with pytest.raises(services.NotPinnable):
        services.pin(post, lead)
    post.held_at, post.removed_at = None, post.created_at
    with pytest.raises(services.NotPinnable):
        services.pin(post, lead)


def test_publish_freezes_aggregates_without_people(given):
    meeting, post, lead = given
    factories.registration(meeting)
    factories.vote(post)
    with pytest.raises(services.NothingToPublish):
        services.publish(meeting, queries.meeting_report(meeting, today()), lead)
    services.save_narrative(meeting, "What happened.", lead, 0)
    services.pin(post, lead)
    assert services.publish(meeting, queries.meeting_report(meeting, today()), lead) is True
    row = story.insight_for(meeting.id)
    figures = row.published_figures
    assert (figures["registered"], figures["taking_part"], figures["votes"]) == (1, 2, 1)
    assert figures["pins"] == [post.id]
    assert figures["themes"] == [
        {"title": "Holistic approach", "posts": 1, "posters": 1, "top_share": 100}
    ]
    # Numbers and titles only: no person's id or name anywhere in what is frozen.
    frozen = json.dumps(figures)
    assert "user" not in frozen and "author" not in frozen and "Person" not in frozen
    assert row.published_html == "<p>What happened.</p>" and not row.changed_since_published
    services.save_narrative(meeting, "Changed.", lead, 1)
    assert row.changed_since_published
    assert services.publish(meeting, queries.meeting_report(meeting, today()), lead) is False
    assert services.withdraw(meeting, lead) is True and services.withdraw(meeting, lead) is False
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["insights.published", "insights.updated", "insights.withdrawn"]
