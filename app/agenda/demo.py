"""Demo agendas for the Levelling Up series (run by app.demo.seed() after the boards' demo).

The meetings already held get a published agenda built from their top questions, with each
item discussed and its outcome written up, and a head count; the next meeting gets a draft
filled from its top questions for the facilitator to review. Idempotent: a meeting that already
has an agenda is left alone.
"""

from datetime import timedelta

from sqlalchemy import select

from app.agenda import queries, running, services
from app.extensions import db
from app.models import ItemStatus, Meeting, MeetingStatus, Series, User
from app.timeutil import utcnow

SERIES_SLUG = "levelling-up"
FACILITATOR = "facilitator@example.org"
QUESTIONS_PER_PAST_MEETING = 3

# Outcomes written in our own words, by the title of the item they close.
OUTCOMES = {
    "Welcome and introductions": (
        "Everyone said where they work and one thing they hoped to take away. Most of us came "
        "with the same worry: good local work falls apart when each funder measures it alone."
    ),
    "Who has managed to pool health and skills budgets in one place?": (
        "Nobody has fully pooled budgets, but three places share **posts** and **measures**:\n\n"
        "- a joint outreach worker, paid from two pots with one job description;\n"
        "- three shared outcome measures reported to every funder;\n"
        "- a quarterly meeting where the funders read one report together.\n\n"
        "Rhys will write up the valley's shared measures for the board."
    ),
    "How do we bring residents in as partners rather than recipients?": (
        "Pay people for their time, hand them the agenda rather than a survey, and come back "
        "to show what changed. Amara offered to share the hub's residents' panel terms."
    ),
    "Can we name past harm without getting stuck in it?": (
        "Members who have tried it said the oral history came first and the plans came after: "
        "people trusted a plan once their story had been heard. We agreed to collect two "
        "examples each before the next meeting."
    ),
    "Close and next steps": (
        "Next meeting: sharing power, accountability and leadership. Bring one example of power "
        "shared beyond a single leader, and say what held it together."
    ),
}
DEFAULT_OUTCOME = (
    "We heard examples from several places and agreed to keep the thread going on the board."
)
ATTENDANCE = {
    "Taking a holistic approach to levelling up": 34,
    "Acknowledging the root causes of injustice": 27,
}


def seed() -> bool:
    """Give the series' past meetings published agendas with outcomes, and the next meeting a
    draft from its top questions; True when anything was created."""
    series = db.session.scalar(select(Series).where(Series.slug == SERIES_SLUG))
    facilitator = db.session.scalar(select(User).where(User.email == FACILITATOR))
    if series is None or facilitator is None:
        return False
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.series_id == series.id, Meeting.status == MeetingStatus.PUBLISHED)
        .order_by(Meeting.starts_at)
    ).all()
    now = utcnow()
    created = False
    for meeting in meetings:
        if meeting.ends_at <= now and queries.agenda_for(meeting.id) is None:
            _past_agenda(meeting, facilitator)
            created = True
    upcoming = [meeting for meeting in meetings if meeting.ends_at > now]
    if upcoming and queries.agenda_for(upcoming[0].id) is None:
        _draft_agenda(upcoming[0])
        created = True
    db.session.flush()
    return created


def _preset(meeting: Meeting, key: str, when) -> None:
    title, minutes, first = services.PRESETS[key]
    services.add_free_item(meeting, title, minutes, first=first, now=when)


def _past_agenda(meeting: Meeting, facilitator: User) -> None:
    """Planned three days before, published two days before, run and written up on the day."""
    planned = meeting.starts_at - timedelta(days=3)
    _preset(meeting, "welcome", planned)
    top = db.session.scalars(
        queries.candidates_query(meeting.id).limit(QUESTIONS_PER_PAST_MEETING)
    ).all()
    for post in top:
        item, _ = services.add_question(meeting, post, now=planned)
        item.minutes = 20
    _preset(meeting, "close", planned)
    db.session.flush()
    services.publish(meeting, facilitator, now=meeting.starts_at - timedelta(days=2))
    agenda = queries.agenda_for(meeting.id)
    clock = meeting.starts_at
    for item in queries.items_of(agenda):
        item.started_at = clock
        item.status = ItemStatus.DISCUSSED
        running.save_outcome(item, OUTCOMES.get(item.title, DEFAULT_OUTCOME))
        clock += timedelta(minutes=item.minutes)
    running.record_attendance(meeting, ATTENDANCE.get(meeting.title, 20))


def _draft_agenda(meeting: Meeting) -> None:
    """A welcome, the top questions as far as the time allows, and a close: for review."""
    when = utcnow()
    _preset(meeting, "welcome", when)
    _preset(meeting, "close", when)
    services.fill_from_top(meeting, now=when)
    # The close goes last again, after the questions the fill added.
    agenda = queries.agenda_for(meeting.id)
    items = queries.items_of(agenda)
    close = next(item for item in items if item.title == services.PRESETS["close"][0])
    while services.move_item(close, "down", now=when)[2]:
        pass
