"""Demo actions for the Levelling Up series (`flask seed-demo`), in our own words.

Run by app.demo.seed() after the people, meetings and board threads exist. Actions come from
the seeded meetings and, where the boards demo has created them, from its threads (looked up by
title; the meeting stands in when a thread is missing). Every status is here, some shared by
several owners, some overdue, each with a dated timeline. Idempotent: an action whose title
exists is skipped, so a second run creates nothing.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.actions import services
from app.actions.services import Source
from app.extensions import db
from app.models import Action, Meeting, Post, Series, SourceType, User
from app.timeutil import utcnow

AMARA = "member@example.org"
RHYS = "member2@example.org"
PRIYA = "facilitator@example.org"
TOM = "moderator@example.org"
JO = "admin@example.org"

FIRST = "Taking a holistic approach to levelling up"
ROOT_CAUSES = "Acknowledging the root causes of injustice"
SHARING_POWER = "Sharing power, accountability and leadership"

# Dates: absolute for the 2022 meeting, else days from today (negative: in the past).
ACTIONS = [
    {
        "title": "Share our map of places that pooled health and skills budgets",
        "detail": "Put the examples from the meeting into one table: who pooled what, how, and "
        "what the funders said. Post it on the board for everyone to add to.",
        "meeting": FIRST,
        "thread": "Who has managed to pool health and skills budgets in one place?",
        "proposer": AMARA,
        "owners": [AMARA, RHYS],
        "created": datetime(2022, 2, 24, 13, 20, tzinfo=UTC),
        "due": date(2022, 4, 1),
        "steps": [
            (
                "update",
                RHYS,
                datetime(2022, 3, 10, 9, 0, tzinfo=UTC),
                "Eight places so far. Two more members have promised their examples.",
            ),
            ("status", AMARA, datetime(2022, 3, 11, 9, 0, tzinfo=UTC), "in_progress"),
            ("status", AMARA, datetime(2022, 3, 28, 16, 0, tzinfo=UTC), "done"),
            (
                "comment",
                PRIYA,
                datetime(2022, 3, 29, 10, 0, tzinfo=UTC),
                "Thank you both: this is the most used thing we have made.",
            ),
        ],
    },
    {
        "title": "Draft a checklist for working with residents as partners",
        "detail": "A one-page checklist, drawn from the discussion, for anyone planning a "
        "programme: *who decided, who was asked, who was paid*.",
        "meeting": FIRST,
        "thread": "How do we bring residents in as partners rather than recipients?",
        "proposer": PRIYA,
        "owners": [AMARA],
        "created": datetime(2022, 2, 24, 13, 25, tzinfo=UTC),
        "due": date(2022, 5, 1),
        "steps": [
            (
                "update",
                AMARA,
                datetime(2022, 4, 20, 12, 0, tzinfo=UTC),
                "A first draft is with three residents' groups for comments.",
            ),
            ("status", AMARA, datetime(2022, 5, 20, 15, 0, tzinfo=UTC), "done"),
        ],
    },
    {
        "title": "Collect examples of blended funding from members",
        "meeting": FIRST,
        "proposer": PRIYA,
        "owners": [PRIYA],
        "created": datetime(2022, 2, 24, 13, 28, tzinfo=UTC),
        "due": date(2022, 4, 15),
        "steps": [
            (
                "status",
                PRIYA,
                datetime(2022, 3, 30, 9, 0, tzinfo=UTC),
                "dropped",
                "Covered by the map of pooled budgets, which members keep up to date.",
            ),
        ],
    },
    {
        "title": "Write up how members opened conversations about past harm",
        "detail": "Short case notes (no names) from the four places that spoke at the meeting, "
        "with what helped and what made things worse.",
        "meeting": ROOT_CAUSES,
        "proposer": RHYS,
        "owners": [RHYS, AMARA],
        "created": -21,
        "due": 10,
        "steps": [
            ("status", RHYS, -14, "in_progress"),
            (
                "update",
                AMARA,
                -9,
                "Two of the four write-ups are drafted and agreed with the people involved.",
            ),
            ("comment", TOM, -8, "Could the notes say how long each conversation took to set up?"),
            ("update", RHYS, -3, "Third write-up drafted. Adding set-up times, as Tom asked."),
        ],
    },
    {
        "title": "Ask the oral history project to share their method",
        "meeting": ROOT_CAUSES,
        "thread": "Reflection: the oral history project came up three times",
        "proposer": RHYS,
        "owners": [RHYS],
        "created": -21,
        "due": -5,
        "steps": [("comment", AMARA, -12, "I can introduce you to their coordinator.")],
    },
    {
        "title": "Circulate a short reading list on the root causes of local inequality",
        "meeting": ROOT_CAUSES,
        "proposer": TOM,
        "owners": [TOM],
        "created": -20,
        "due": -2,
        "steps": [],
    },
    {
        "title": "Propose a recognition session with the local museum",
        "detail": "The museum has offered a room and its archive. We need two members to shape "
        "the session with them.",
        "meeting": ROOT_CAUSES,
        "proposer": PRIYA,
        "owners": [],
        "invited": [AMARA, RHYS],
        "created": -20,
        "due": 30,
        "steps": [],
    },
    {
        "title": "Gather three examples of shared leadership before the meeting",
        "meeting": SHARING_POWER,
        "thread": "Examples of shared leadership to bring to the meeting",
        "proposer": PRIYA,
        "owners": [PRIYA, JO],
        "created": -6,
        "due": 12,
        "steps": [
            ("status", JO, -4, "in_progress"),
            ("update", PRIYA, -2, "One example from a neighbourhood forum; two to go."),
        ],
    },
]


def _when(value, base: datetime) -> datetime:
    """An absolute datetime as given, or days from `base` (today at noon UTC)."""
    return value if isinstance(value, datetime) else base + timedelta(days=value)


def _due(value, today: date) -> date:
    return value if isinstance(value, date) else today + timedelta(days=value)


def seed() -> bool:
    """Create the demo actions that are missing; True when anything was created."""
    series = db.session.scalar(select(Series).where(Series.slug == "levelling-up"))
    if series is None:
        return False
    people = {u.email: u for u in db.session.scalars(select(User))}
    meetings = {
        m.title: m
        for m in db.session.scalars(select(Meeting).where(Meeting.series_id == series.id))
    }
    base = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    today = services.today()
    created = False
    for spec in ACTIONS:
        if db.session.scalar(select(Action.id).where(Action.title == spec["title"])):
            continue
        meeting = meetings.get(spec["meeting"])
        proposer = people.get(spec["proposer"])
        if meeting is None or proposer is None:
            continue
        _create(spec, meeting, proposer, people, base, today)
        created = True
    db.session.flush()
    return created


def _source(spec, meeting: Meeting) -> Source:
    """The thread named in spec when the boards demo made it, else the meeting."""
    if spec.get("thread"):
        post = db.session.scalar(
            select(Post).where(Post.title == spec["thread"], Post.parent_id.is_(None)).limit(1)
        )
        if post is not None:
            return Source(
                SourceType.POST, post.id, meeting=post.board.meeting, board=post.board, post=post
            )
    return Source(SourceType.MEETING, meeting.id, meeting=meeting)


def _create(spec, meeting, proposer, people, base, today) -> None:
    created_at = _when(spec["created"], base)
    owners = [people[e] for e in spec["owners"] if e in people]
    invited = [people[e] for e in spec.get("invited", []) if e in people]
    own = proposer in owners
    others = [u for u in owners if u is not proposer]
    action, _ = services.create_action(
        title=spec["title"],
        detail=spec.get("detail", ""),
        due_on=_due(spec["due"], today),
        proposer=proposer,
        owners=others + invited,
        self_own=own,
        source=_source(spec, meeting),
        now=created_at,
    )
    for person in others:
        services.accept(action, person, now=created_at + timedelta(hours=2))
    for step in spec["steps"]:
        kind, email, when, *rest = step
        who = people[email]
        moment = _when(when, base)
        if kind == "status":
            reason = rest[1] if len(rest) > 1 else ""
            services.change_status(action, who, rest[0], action.version, reason, now=moment)
        elif kind == "update":
            services.post_update(action, who, rest[0], now=moment)
        elif kind == "comment":
            services.add_comment(action, who, rest[0], now=moment)
