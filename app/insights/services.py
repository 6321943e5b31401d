"""Insights rules: the narrative, pins, and publishing a meeting's summary (services flush, the
routes commit)."""

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.content import render_markdown
from app.extensions import db
from app.insights import queries, story
from app.models import InsightPin, Meeting, MeetingInsight, Phase, Post, User
from app.timeutil import utcnow


class StaleNarrative(Exception):
    """Another facilitator saved the narrative after this form was loaded."""


class NothingToPublish(Exception):
    """A summary needs a narrative: numbers alone do not tell members what happened."""


class NotPinnable(Exception):
    """The post is not one members can read (held, hidden, removed, or in such a thread)."""


def insight(meeting: Meeting) -> MeetingInsight:
    """The meeting's insight row, created on first use (once, however many requests race)."""
    found = story.insight_for(meeting.id)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = MeetingInsight(meeting_id=meeting.id)
            db.session.add(found)
    except IntegrityError:
        found = story.insight_for(meeting.id)
    return found


def save_narrative(
    meeting: Meeting, text: str, user: User, version: int, now: datetime | None = None
) -> MeetingInsight:
    """Save the narrative (Markdown, rendered now) if nobody saved since `version`.

    Raises StaleNarrative otherwise: the caller shows the facilitator their text and the news.
    """
    now = now or utcnow()
    row = insight(meeting)
    db.session.flush()
    changed = db.session.execute(
        update(MeetingInsight)
        .where(MeetingInsight.id == row.id, MeetingInsight.version == version)
        .values(
            narrative=text,
            narrative_html=render_markdown(text),
            version=MeetingInsight.version + 1,
            updated_at=now,
            updated_by_id=user.id,
            changed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        db.session.refresh(row)
        raise StaleNarrative()
    db.session.refresh(row)
    return row


def meeting_of(post: Post) -> Meeting:
    return post.board.meeting


def pinnable(post: Post) -> bool:
    """True when members can read the post (so it may be quoted beside the figures)."""
    return (
        db.session.scalar(select(Post.id).where(Post.id == post.id, queries.counted())) is not None
    )


def pin(post: Post, user: User, now: datetime | None = None) -> bool:
    """Pin the post to its meeting's insights; False when it already was. Raises NotPinnable
    for a post members cannot read."""
    if not pinnable(post):
        raise NotPinnable()
    now = now or utcnow()
    meeting = meeting_of(post)
    try:
        with db.session.begin_nested():
            db.session.add(
                InsightPin(
                    meeting_id=meeting.id, post_id=post.id, pinned_by_id=user.id, created_at=now
                )
            )
    except IntegrityError:
        return False
    insight(meeting).changed_at = now
    db.session.flush()
    return True


def unpin(post: Post, now: datetime | None = None) -> bool:
    """Take the post off its meeting's insights; False when it was not pinned."""
    removed = db.session.execute(
        delete(InsightPin).where(InsightPin.post_id == post.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    if removed:
        insight(meeting_of(post)).changed_at = now or utcnow()
        db.session.flush()
    return bool(removed)


def summary_figures(report: queries.MeetingReport, pin_ids: list[int]) -> dict:
    """What a published summary freezes: aggregate numbers (no names, no ids of people) and
    which posts were pinned (quoted without their authors' names)."""
    f = report.figures
    return {
        "registered": f.registered,
        "attendance": f.attendance,
        "taking_part": f.taking_part,
        "posts": {phase: f.posts[phase] for phase in Phase.ALL},
        "questions": f.questions,
        "questions_voted": f.questions_voted,
        "votes": f.votes,
        "on_agenda": f.on_agenda,
        "discussed": f.discussed,
        "actions": f.actions,
        "actions_done": f.actions_done,
        "actions_on_time": f.actions_on_time,
        "actions_overdue": f.actions_overdue,
        "actions_dropped": f.actions_dropped,
        "themes": [
            {"title": t.title, "posts": t.total, "posters": t.posters, "top_share": t.top_share}
            for t in report.themes
        ],
        "pins": list(pin_ids),
    }


def publish(
    meeting: Meeting, report: queries.MeetingReport, user: User, now: datetime | None = None
) -> bool:
    """Publish (or update) the member-facing summary: the narrative and figures as they are
    now, and the pins members can read. True the first time (False for an update); raises
    NothingToPublish without a narrative."""
    now = now or utcnow()
    row = insight(meeting)
    if not row.narrative_html:
        raise NothingToPublish()
    pin_ids = [p.post_id for p in story.pins_for(meeting.id)]
    first = row.published_at is None
    row.published_html = row.narrative_html
    row.published_figures = summary_figures(report, pin_ids)
    row.published_at = now
    row.published_by_id = user.id
    audit.record(user, "insights.published" if first else "insights.updated", "meeting", meeting.id)
    db.session.flush()
    return first


def withdraw(meeting: Meeting, user: User) -> bool:
    """Take the summary back to a draft members cannot see; False when it was not published."""
    row = story.insight_for(meeting.id)
    if row is None or row.published_at is None:
        return False
    row.published_at = None
    row.published_by_id = None
    audit.record(user, "insights.withdrawn", "meeting", meeting.id)
    db.session.flush()
    return True
