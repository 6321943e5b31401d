"""Demo threads on the Levelling Up boards, in our own words (run by app.demo.seed()).

Questions members asked before each meeting, votes from the demo accounts (so the upcoming
boards show questions rising), nested replies, one anonymous question, and reflections written
after the past meetings. Idempotent: a board that already has posts is left alone.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.boards import services
from app.extensions import db
from app.models import Board, Meeting, Post, User
from app.timeutil import utcnow

AMARA = "member@example.org"
RHYS = "member2@example.org"
PRIYA = "facilitator@example.org"
TOM = "moderator@example.org"
JO = "admin@example.org"

# "when": ("start", hours) is relative to the meeting's start, ("end", hours) to its end,
# ("ago", hours) to now; posts are never dated in the future.
BOARDS = {
    "Taking a holistic approach to levelling up": [
        {
            "kind": "question",
            "by": AMARA,
            "when": ("start", -96),
            "title": "Who has managed to pool health and skills budgets in one place?",
            "body": (
                "Our community hub sees the same families for food, for debt advice and for "
                "adult learning, but each service is funded and measured separately. Has anyone "
                "found a way to **pool budgets** locally without losing track of what each "
                "funder needs to see?"
            ),
            "votes": [RHYS, PRIYA, TOM, JO],
            "replies": [
                {
                    "by": RHYS,
                    "when": ("start", -90),
                    "body": (
                        "We got close in the valley: the college and the GP surgery shared one "
                        "outreach worker. The money stayed in two pots, but the job description "
                        "was written together."
                    ),
                    "replies": [
                        {
                            "by": AMARA,
                            "when": ("start", -76),
                            "body": "Did the two pots report the same outcomes, or two sets?",
                            "replies": [
                                {
                                    "by": RHYS,
                                    "when": ("start", -70),
                                    "body": (
                                        "Two sets at first. In the second year we agreed "
                                        "three shared measures and reported those to both."
                                    ),
                                }
                            ],
                        }
                    ],
                }
            ],
        },
        {
            "kind": "question",
            "by": RHYS,
            "when": ("start", -72),
            "title": "How do we bring residents in as partners rather than recipients?",
            "body": "",
            "votes": [AMARA, PRIYA],
            "replies": [],
        },
        {
            "kind": "discussion",
            "by": PRIYA,
            "when": ("end", 26),
            "title": "What we are taking away from the first meeting",
            "body": (
                "Thank you all for a generous first meeting. Three things I heard again and "
                "again:\n\n"
                "1. Joined-up work depends on people who know each other, more than on "
                "structures.\n"
                "2. Funding rules pull us back into silos; shared measures help.\n"
                "3. Residents want to be asked early, not consulted late.\n\n"
                "What would you add?"
            ),
            "votes": [],
            "replies": [
                {
                    "by": AMARA,
                    "when": ("end", 30),
                    "body": (
                        "I would add that small, visible wins matter. A bus timetable changed "
                        "after our meeting with the council, and people noticed."
                    ),
                },
                {
                    "by": TOM,
                    "when": ("end", 44),
                    "body": (
                        "Agreed with @Priya on the first point. The people who made it work "
                        "in my area had worked together for years before any funding arrived."
                    ),
                },
            ],
        },
    ],
    "Acknowledging the root causes of injustice": [
        {
            "kind": "question",
            "by": JO,
            "when": ("start", -120),
            "title": "Can we name past harm without getting stuck in it?",
            "body": (
                "Some partners worry that talking about the mine closures or the slum "
                "clearances will make meetings about blame. How have you opened those "
                "conversations so that they lead somewhere?"
            ),
            "votes": [AMARA, RHYS, PRIYA],
            "replies": [],
        },
        {
            "kind": "discussion",
            "by": RHYS,
            "when": ("end", 20),
            "title": "Reflection: the oral history project came up three times",
            "body": (
                "Several of us mentioned recording older residents' memories of the closures. "
                "It seems to work because people are **listened to**, and the recordings become "
                "something the whole place owns. I'd like to try it here."
            ),
            "votes": [],
            "replies": [
                {
                    "by": AMARA,
                    "when": ("end", 28),
                    "body": "We have a small grant for this. Happy to share how we wrote the bid.",
                }
            ],
        },
    ],
    "Sharing power, accountability and leadership": [
        {
            "kind": "question",
            "by": AMARA,
            "when": ("ago", 70),
            "title": "How do we make the case for neighbourhood budgets to a new mayor?",
            "body": (
                "Our combined authority is about to get a mayor. What arguments (or evidence) "
                "have persuaded leaders to hand real money down to neighbourhoods?"
            ),
            "votes": [RHYS, PRIYA, TOM, JO],
            "replies": [
                {
                    "by": JO,
                    "when": ("ago", 60),
                    "body": (
                        "Evidence that participatory budgets reached people the council never "
                        "hears from was what moved our leader. Numbers of first-time participants, "
                        "not the amounts spent."
                    ),
                }
            ],
        },
        {
            "kind": "question",
            "by": TOM,
            "when": ("ago", 50),
            "title": "Who holds shared leadership to account when things go wrong?",
            "body": "",
            "votes": [AMARA, RHYS],
            "replies": [],
        },
        {
            "kind": "question",
            "by": RHYS,
            "anonymous": True,
            "when": ("ago", 30),
            "title": "What if our own organisation is the one holding on to power?",
            "body": (
                "Asking anonymously: we talk about devolution, but our trust board makes every "
                "decision itself. How do you raise that from the inside?"
            ),
            "votes": [AMARA],
            "replies": [],
        },
        {
            "kind": "discussion",
            "by": PRIYA,
            "when": ("ago", 20),
            "title": "Examples of shared leadership to bring to the meeting",
            "body": (
                "Post an example from your place here, however small, and we will pick a few "
                "to hear about."
            ),
            "votes": [],
            "replies": [],
        },
    ],
    "Using data well": [
        {
            "kind": "question",
            "by": RHYS,
            "when": ("ago", 40),
            "title": "Which local data do you trust most, and why?",
            "body": (
                "National statistics arrive two years late for our valley. What do you use instead?"
            ),
            "votes": [AMARA, TOM],
            "replies": [],
        },
        {
            "kind": "question",
            "by": AMARA,
            "when": ("ago", 10),
            "title": "How do we pair numbers with what people tell us?",
            "body": "",
            "votes": [PRIYA],
            "replies": [],
        },
    ],
}


def seed() -> bool:
    """Add the demo threads to every seeded board that has none; True when anything was added."""
    people = {
        user.email: user
        for user in db.session.scalars(
            select(User).where(User.email.in_([AMARA, RHYS, PRIYA, TOM, JO]))
        )
    }
    if len(people) < 5:
        return False
    created = False
    for title, threads in BOARDS.items():
        board = db.session.scalar(
            select(Board).join(Board.meeting).where(Meeting.title == title).order_by(Board.id)
        )
        if board is None or _has_posts(board):
            continue
        for spec in threads:
            _add_thread(board, people, spec)
        created = True
    db.session.flush()
    return created


def _has_posts(board: Board) -> bool:
    return db.session.scalar(select(Post.id).where(Post.board_id == board.id).limit(1)) is not None


def _moment(meeting: Meeting, when: tuple[str, int]) -> datetime:
    anchor, hours = when
    base = {"start": meeting.starts_at, "end": meeting.ends_at}.get(anchor)
    moment = (base or utcnow()) + timedelta(hours=hours if base else -hours)
    return min(moment, utcnow())


def _add_thread(board: Board, people: dict, spec: dict) -> None:
    post = services.create_thread(
        board,
        people[spec["by"]],
        kind=spec["kind"],
        title=spec["title"],
        body=spec["body"],
        anonymous=spec.get("anonymous", False),
        now=_moment(board.meeting, spec["when"]),
    )
    for email in spec["votes"]:
        if people[email].id != post.author_id:  # nobody votes for their own question
            services.set_vote(post, people[email], True)
    for reply in spec["replies"]:
        _add_reply(board, post, people, reply)


def _add_reply(board: Board, parent: Post, people: dict, spec: dict) -> None:
    reply = services.create_reply(
        parent,
        people[spec["by"]],
        body=spec["body"],
        now=_moment(board.meeting, spec["when"]),
    )
    for child in spec.get("replies", []):
        _add_reply(board, reply, people, child)
