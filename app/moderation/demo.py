"""Demo moderation (run last by app.demo.seed()): a few held and reported posts waiting in the
queue, and a short audit trail, in our own words.

Two new members join: Dana's first question waits for review, and Owen's reply full of links
is held too; a second reply of Owen's, selling a course, has two reports. An earlier question
of Rhys's was hidden by three reports and restored by Tom. Idempotent: nothing is added once
Dana's account exists.
"""

from datetime import timedelta

from sqlalchemy import select

from app.boards import services as boards
from app.extensions import db
from app.models import Board, FlagReason, HoldReason, Meeting, Role, User
from app.models.moderation import Outcome
from app.moderation import decisions, services
from app.timeutil import utcnow

AMARA = "member@example.org"
RHYS = "member2@example.org"
PRIYA = "facilitator@example.org"
TOM = "moderator@example.org"
JO = "admin@example.org"
NEWCOMERS = {
    "dana@example.org": ("Dana Whitfield", "Eastport Data Collective", "Eastport"),
    "owen@example.org": ("Owen Price", "Price Consulting", "Cardiff"),
}
DATA_BOARD = "Using data well"
POWER_BOARD = "Sharing power, accountability and leadership"


def _board(meeting_title: str) -> Board | None:
    return db.session.scalar(
        select(Board).join(Board.meeting).where(Meeting.title == meeting_title).order_by(Board.id)
    )


def seed() -> bool:
    """Add the demo's moderation; True when anything was added."""
    if db.session.scalar(select(User.id).where(User.email == "dana@example.org")) is not None:
        return False
    people = {
        u.email: u
        for u in db.session.scalars(
            select(User).where(User.email.in_([AMARA, RHYS, PRIYA, TOM, JO]))
        )
    }
    data, power = _board(DATA_BOARD), _board(POWER_BOARD)
    if len(people) < 5 or data is None or power is None:
        return False
    for email, (name, organisation, place) in NEWCOMERS.items():
        db.session.add(
            User(
                email=email,
                display_name=name,
                organisation=organisation,
                place=place,
                roles=int(Role.MEMBER),
                password_hash=None,
            )
        )
    db.session.flush()
    dana = db.session.scalar(select(User).where(User.email == "dana@example.org"))
    owen = db.session.scalar(select(User).where(User.email == "owen@example.org"))
    now = utcnow()

    # Rhys's question, hidden by three reports last week and restored by Tom the next morning.
    restored = boards.create_thread(
        power,
        people[RHYS],
        kind="question",
        title="Should a mayor's office ever run the neighbourhood forums?",
        body="Ours wants to take them over 'to save money'. Is that shared power or less of it?",
        now=now - timedelta(days=8),
    )
    for email, hours in ((AMARA, 190), (PRIYA, 188), (JO, 187)):
        services.flag_post(
            restored,
            people[email],
            FlagReason.OFF_TOPIC,
            "Reads like a local dispute rather than a question for the meeting.",
            now=now - timedelta(hours=hours),
        )
    decisions.decide(
        restored,
        people[TOM],
        Outcome.RESTORED,
        "On topic: who runs the forums is exactly the meeting's question about shared power.",
        now=now - timedelta(hours=176),
    )

    # Owen's first reply was fine; his second sells a course and has two reports.
    thread = boards.create_thread(
        data,
        people[AMARA],
        kind="discussion",
        title="Tools you use to pair numbers with stories",
        body="Spreadsheets, story circles, something else? Share what works for you.",
        now=now - timedelta(days=3),
    )
    boards.create_reply(
        thread,
        owen,
        body="We pin quotes from residents next to each chart in our ward profiles.",
        now=now - timedelta(days=2),
    )
    selling = boards.create_reply(
        thread,
        owen,
        body="My two-day course covers all of this. Book now: 20% off for Roundtable members!",
        now=now - timedelta(hours=30),
    )
    services.flag_post(selling, people[AMARA], FlagReason.SPAM, "", now=now - timedelta(hours=26))
    services.flag_post(
        selling,
        people[RHYS],
        FlagReason.OTHER,
        "Advertising a paid course in the middle of the discussion.",
        now=now - timedelta(hours=20),
    )

    # Held for review: Dana's first post, and Owen's reply with many links.
    held = boards.create_thread(
        data,
        dana,
        kind="question",
        title="Could we map which datasets each council in the region publishes?",
        body="A shared list would save each of us chasing the same figures.",
        now=now - timedelta(hours=5),
        held_reason=HoldReason.FIRST_POSTS,
    )
    services.record_hold(held)
    links = boards.create_reply(
        thread,
        owen,
        body=(
            "Useful sources: https://data.example.org/wards https://stats.example.org/health "
            "https://maps.example.org/deprivation https://courses.example.org/book"
        ),
        now=now - timedelta(hours=2),
        held_reason=HoldReason.LINKS,
    )
    services.record_hold(links)
    db.session.flush()
    return True
