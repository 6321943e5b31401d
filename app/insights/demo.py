"""Demo insights for the Levelling Up series (run last by app.demo.seed()), in our own words.

The meetings already held get what makes their insights pages tell something: the places
demo members had at them (the registration service only takes places in meetings still to
come, so these are written as history), a few more voices reflecting on the boards after the
meeting and voting, a facilitator's narrative and a couple of pinned posts. The first meeting's
summary is published for members; the second stays a draft. Idempotent: people, places, posts
and votes are looked up before they are added, and a meeting that already has its narrative is
left alone.
"""

from datetime import timedelta

from sqlalchemy import select, update

from app.boards import services as boards
from app.extensions import db
from app.insights import queries, services, story
from app.models import (
    Board,
    Meeting,
    MeetingStatus,
    Post,
    Registration,
    RegistrationStatus,
    Role,
    Series,
    User,
    Vote,
)
from app.timeutil import LONDON, utcnow

SERIES_SLUG = "levelling-up"
FIRST = "Taking a holistic approach to levelling up"
ROOT_CAUSES = "Acknowledging the root causes of injustice"

AMARA = "member@example.org"
RHYS = "member2@example.org"
PRIYA = "facilitator@example.org"
TOM = "moderator@example.org"
JO = "admin@example.org"
SIOBHAN = "siobhan.kelly@example.org"
IMRAN = "imran.hussain@example.org"
GARETH = "gareth.lewis@example.org"
BETH = "beth.carter@example.org"

# More voices (no password: they have not set one from a welcome link, so nobody logs in as them).
VOICES = {
    SIOBHAN: ("Siobhan Kelly", "Foyle Community Partnership", "Derry"),
    IMRAN: ("Imran Hussain", "Bradford Skills Exchange", "Bradford"),
    GARETH: ("Gareth Lewis", "Swansea Bay Health Partnership", "Swansea"),
    BETH: ("Beth Carter", "Hull Neighbourhood Network", "Hull"),
}

# For each meeting held: who had a place, who reflected afterwards (a reply to a thread by its
# title, hours after the meeting ended, or a new discussion), who voted for which question, the
# narrative, and the posts pinned (a thread by its title, a reply by how its text begins).
PAST = {
    FIRST: {
        "registered": [AMARA, RHYS, PRIYA, TOM, JO, SIOBHAN, IMRAN, GARETH, BETH],
        "reflections": [
            {
                "by": SIOBHAN,
                "after": 20,
                "reply_to": "What we are taking away from the first meeting",
                "body": (
                    "What stays with me is how often the same family turns up in four "
                    "services' numbers and none of them sees the whole picture."
                ),
            },
            {
                "by": IMRAN,
                "after": 32,
                "reply_to": "What we are taking away from the first meeting",
                "body": (
                    "We are going to try one shared outcome with the college this term, "
                    "just one, and see if the funders will read it."
                ),
            },
            {
                "by": GARETH,
                "after": 48,
                "title": "Reflection: health targets are measured one service at a time",
                "body": (
                    "Listening to the skills examples, I realised our health targets make "
                    "joint work invisible. If a shared post improves two outcomes, each "
                    "service only counts half of it."
                ),
            },
        ],
        "votes": [
            ("Who has managed to pool health and skills budgets in one place?", SIOBHAN),
            ("Who has managed to pool health and skills budgets in one place?", GARETH),
            ("How do we bring residents in as partners rather than recipients?", BETH),
            ("How do we bring residents in as partners rather than recipients?", IMRAN),
        ],
        "narrative": (
            "Thirty-four people came, and the boards were busy well before the meeting: "
            "most questions were asked in the week before, and the reflections kept coming "
            "for two days after.\n\n"
            "The numbers hide one thing. Budgets are rarely pooled, but **posts and measures "
            "are shared** more often than we thought: a joint outreach worker, three shared "
            "outcome measures, a quarterly meeting where funders read one report together.\n\n"
            "Still open: how residents become partners rather than recipients. It was voted "
            "up but we ran out of time, so it comes back at the next meeting."
        ),
        "pins": [
            ("thread", "What we are taking away from the first meeting"),
            ("reply", "Two sets at first"),
            ("reply", "What stays with me"),
        ],
        "publish": True,
    },
    ROOT_CAUSES: {
        "registered": [AMARA, RHYS, PRIYA, JO, SIOBHAN, BETH],
        "reflections": [
            {
                "by": BETH,
                "after": 24,
                "reply_to": "Reflection: the oral history project came up three times",
                "body": (
                    "In our estate the oral history came first as well. People trusted the "
                    "plan because it started with their story, not with a consultation form."
                ),
            },
            {
                "by": SIOBHAN,
                "after": 40,
                "reply_to": "Reflection: the oral history project came up three times",
                "body": (
                    "Naming past harm was easier once it was framed as evidence for the plan, "
                    "not as a complaint about it."
                ),
            },
        ],
        "votes": [("Can we name past harm without getting stuck in it?", BETH)],
        "narrative": (
            "A smaller meeting, with a sharper focus: can we name past harm without getting "
            "stuck in it? The reflections afterwards say *yes*, when the story is heard "
            "first and the plan follows.\n\n"
            "Draft: add what happened to the two examples each of us promised to collect."
        ),
        "pins": [("thread", "Reflection: the oral history project came up three times")],
        "publish": False,
    },
}


def seed() -> bool:
    """Give the series' past meetings places, reflections, votes, a narrative and pins (and
    publish the first one's summary); True when anything was created."""
    series = db.session.scalar(select(Series).where(Series.slug == SERIES_SLUG))
    facilitator = db.session.scalar(select(User).where(User.email == PRIYA))
    if series is None or facilitator is None:
        return False
    created = _seed_voices()
    people = {
        u.email: u
        for u in db.session.scalars(
            select(User).where(User.email.in_([AMARA, RHYS, PRIYA, TOM, JO, *VOICES]))
        )
    }
    now = utcnow()
    for title, spec in PAST.items():
        meeting = db.session.scalar(
            select(Meeting).where(
                Meeting.series_id == series.id,
                Meeting.title == title,
                Meeting.status == MeetingStatus.PUBLISHED,
            )
        )
        if meeting is None or meeting.ends_at > now:
            continue
        created |= _places(meeting, [people[e] for e in spec["registered"] if e in people])
        board = db.session.scalar(
            select(Board).where(Board.meeting_id == meeting.id).order_by(Board.position, Board.id)
        )
        if board is not None:
            created |= _reflections(meeting, board, people, spec)
            created |= _votes(meeting, people, spec)
        if story.insight_for(meeting.id) is None:
            _story(meeting, facilitator, spec)
            created = True
    db.session.flush()
    return created


def _seed_voices() -> bool:
    created = False
    for email, (name, organisation, place) in VOICES.items():
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            db.session.add(
                User(
                    email=email,
                    display_name=name,
                    organisation=organisation,
                    place=place,
                    roles=int(Role.MEMBER),
                )
            )
            created = True
    db.session.flush()
    return created


def _places(meeting: Meeting, people: list[User]) -> bool:
    """Places the members had, dated a week before, with the meeting's counter kept in step."""
    taken = set(
        db.session.scalars(
            select(Registration.user_id).where(Registration.meeting_id == meeting.id)
        )
    )
    added = [p for p in people if p.id not in taken]
    for person in added:
        db.session.add(
            Registration(
                meeting_id=meeting.id,
                user_id=person.id,
                status=RegistrationStatus.REGISTERED,
                created_at=meeting.starts_at - timedelta(days=7),
            )
        )
    if added:
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting.id)
            .values(registered_count=Meeting.registered_count + len(added)),
            execution_options={"synchronize_session": False},
        )
        db.session.expire(meeting, ["registered_count"])
    db.session.flush()
    return bool(added)


def _thread(meeting: Meeting, title: str) -> Post | None:
    return db.session.scalar(
        select(Post)
        .join(Board, Board.id == Post.board_id)
        .where(Board.meeting_id == meeting.id, Post.parent_id.is_(None), Post.title == title)
    )


def _reflections(meeting: Meeting, board: Board, people: dict, spec: dict) -> bool:
    """Posts written after the meeting; a member who already wrote on the board is skipped."""
    created = False
    for item in spec["reflections"]:
        author = people.get(item["by"])
        if author is None:
            continue
        wrote = db.session.scalar(
            select(Post.id)
            .join(Board, Board.id == Post.board_id)
            .where(Board.meeting_id == meeting.id, Post.author_id == author.id)
            .limit(1)
        )
        if wrote is not None:
            continue
        when = min(meeting.ends_at + timedelta(hours=item["after"]), utcnow())
        if "reply_to" in item:
            parent = _thread(meeting, item["reply_to"])
            if parent is None:
                continue
            boards.create_reply(parent, author, body=item["body"], now=when)
        else:
            boards.create_thread(
                board, author, kind="discussion", title=item["title"], body=item["body"], now=when
            )
        created = True
    return created


def _votes(meeting: Meeting, people: dict, spec: dict) -> bool:
    created = False
    for title, email in spec["votes"]:
        post, voter = _thread(meeting, title), people.get(email)
        if post is None or voter is None or post.author_id == voter.id:
            continue
        exists = db.session.scalar(
            select(Vote.id).where(Vote.post_id == post.id, Vote.user_id == voter.id)
        )
        if exists is None:  # set_vote rolls back on a duplicate: never let it meet one
            boards.set_vote(post, voter, True)
            created = True
    return created


def _story(meeting: Meeting, facilitator: User, spec: dict) -> None:
    """The narrative, the pins, and (for the first meeting) the summary published."""
    written = min(meeting.ends_at + timedelta(days=3), utcnow())
    services.save_narrative(meeting, spec["narrative"], facilitator, 0, now=written)
    for kind, key in spec["pins"]:
        post = _thread(meeting, key) if kind == "thread" else _reply(meeting, key)
        if post is not None:
            services.pin(post, facilitator, now=written)
    if spec["publish"]:
        today = utcnow().astimezone(LONDON).date()
        report = queries.meeting_report(meeting, today)
        # Published today: the frozen numbers are today's, so the date must say so.
        services.publish(meeting, report, facilitator)


def _reply(meeting: Meeting, beginning: str) -> Post | None:
    return db.session.scalar(
        select(Post)
        .join(Board, Board.id == Post.board_id)
        .where(
            Board.meeting_id == meeting.id,
            Post.parent_id.is_not(None),
            Post.body.startswith(beginning),
        )
        .order_by(Post.id)
        .limit(1)
    )
