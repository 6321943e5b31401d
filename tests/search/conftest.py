"""A small community to search: two series, a published and a draft meeting, posts in every
moderation state, an anonymous post, an action. Each test gets it fresh (`corpus`).

Every search test runs on SQLite (FTS5) and, with TEST_DATABASE_URL, on PostgreSQL (tsvector):
the expected results are the same on both.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.boards import services as boards
from app.extensions import db
from app.timeutil import utcnow

HX = {"HX-Request": "true"}
RESULT = re.compile(r'id="result-([a-z]+)-(\d+)"')


def found(response) -> set[str]:
    """The result ids on a page, as "thread-3", "meeting-1"..."""
    return {f"{kind}-{ident}" for kind, ident in RESULT.findall(response.get_data(as_text=True))}


def ordered(response) -> list[str]:
    return [f"{kind}-{ident}" for kind, ident in RESULT.findall(response.get_data(as_text=True))]


@dataclass
class Corpus:
    ids: dict[str, str]  # name -> "kind-id"
    series: int
    other_series: int
    meeting: int
    draft_meeting: int
    other_meeting: int
    holistic_theme: int
    data_theme: int
    author_id: int

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def of(self, *names: str) -> set[str]:
        return {self.ids[name] for name in names}


@pytest.fixture
def corpus(make) -> Corpus:
    """Everything mentions "wellbeing", so one search shows who finds what."""
    now = utcnow()
    levelling = make.series(title="Levelling Up", themes=("Holistic approach", "Using data"))
    power = make.series(title="Power and place", themes=("Sharing power",))
    meeting = make.meeting(series_=levelling, title="Taking a holistic approach")
    draft = make.meeting(series_=levelling, title="Draft wellbeing meeting", status="draft")
    other = make.meeting(
        series_=power,
        title="Sharing power across the region",
        description="Who decides about *wellbeing* budgets?",
    )
    holistic, data = meeting.boards
    priya = make.user(name="Priya Shah", password=None)
    sam = make.user(name="Sam Okafor", password=None)

    asked = make.thread(
        holistic, priya, title="How do we measure wellbeing in a place?", body="Surveys are slow."
    )
    datasets = make.thread(
        data,
        sam,
        kind="discussion",
        title="Which datasets help?",
        body="Local data about **wellbeing** and skills is patchy.",
    )
    answer = make.reply(asked, sam, body="Wellbeing surveys from the council help.")
    anonymous = make.thread(
        holistic, priya, title="An anonymous wellbeing worry", body="Said quietly.", anonymous=True
    )
    held = boards.create_thread(
        holistic, sam, kind="question", title="Held wellbeing question", held_reason="first_posts"
    )
    hidden_reply = make.reply(asked, sam, body="Hidden wellbeing reply")
    hidden_reply.hidden_at = now
    removed = make.thread(holistic, sam, title="Removed wellbeing thread")
    boards.remove_post(removed, sam)
    hidden_thread = make.thread(holistic, sam, title="Hidden thread about data")
    in_hidden = make.reply(hidden_thread, priya, body="A wellbeing reply in a hidden thread")
    hidden_thread.hidden_at = now
    on_draft = make.thread(draft.boards[0], sam, title="Draft board wellbeing plans")
    action = make.action(
        priya, title="Survey wellbeing across Northtown", source=("meeting", meeting.id)
    )
    db.session.commit()
    ids = {
        "asked": f"thread-{asked.id}",
        "datasets": f"thread-{datasets.id}",
        "answer": f"reply-{answer.id}",
        "anonymous": f"thread-{anonymous.id}",
        "held": f"thread-{held.id}",
        "hidden_reply": f"reply-{hidden_reply.id}",
        "removed": f"thread-{removed.id}",
        "in_hidden": f"reply-{in_hidden.id}",
        "on_draft": f"thread-{on_draft.id}",
        "draft": f"meeting-{draft.id}",
        "other": f"meeting-{other.id}",
        "action": f"action-{action.id}",
    }
    return Corpus(
        ids=ids,
        series=levelling.id,
        other_series=power.id,
        meeting=meeting.id,
        draft_meeting=draft.id,
        other_meeting=other.id,
        holistic_theme=levelling.themes[0].id,
        data_theme=levelling.themes[1].id,
        author_id=priya.id,
    )


# What each kind of person finds for "wellbeing".
PUBLIC = {"asked", "datasets", "answer", "anonymous", "other"}
MEMBER = PUBLIC | {"action"}
FACILITATOR = MEMBER | {"draft", "on_draft"}
MODERATOR = MEMBER | {"held", "hidden_reply", "removed", "in_hidden"}


def many_threads(make, n: int, word: str = "datawalk", **fields):
    """n threads on one board, all holding `word`, one a second apart (newest last)."""
    meeting = make.meeting(title="A busy meeting")
    board = meeting.boards[0]
    author = make.user(password=None)
    start = utcnow() - timedelta(hours=1)
    posts = [
        make.thread(
            board,
            author,
            title=f"Thread {i} about {word}",
            body=f"Body {i}",
            now=start + timedelta(seconds=i),
            **fields,
        )
        for i in range(n)
    ]
    db.session.commit()
    return posts
