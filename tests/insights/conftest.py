"""A small community whose every figure is known, built with the factories.

The series "Levelling Up" has two themes, A and B, and three meetings: M (held three days ago),
M2 (next week) and M3 (a draft, left out of the series' figures). Another series' meeting, X,
must never leak into them. The expected numbers are written next to the data that makes them,
and test_queries.py asserts each one exactly.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from app.actions.services import today
from app.agenda import running
from app.agenda import services as agenda
from app.extensions import db
from app.models import InsightPin, ItemStatus, MeetingInsight, MeetingStatus, Role
from app.timeutil import utcnow
from tests import factories as f

HX = {"HX-Request": "true"}


@dataclass
class Known:
    series: int
    meeting: int
    meeting2: int
    draft: int
    other: int
    themes: dict = field(default_factory=dict)  # "A", "B" -> theme id
    posts: dict = field(default_factory=dict)  # name -> post id
    people: dict = field(default_factory=dict)  # name -> user id


def build_known() -> Known:
    """The known community (inside an app context; the caller commits)."""
    series = f.series(themes=("Holistic approach", "Using data well"))
    theme_a, theme_b = series.themes
    m = f.meeting(series_=series, title="Taking a holistic approach", starts_in=-timedelta(days=3))
    m2 = f.meeting(series_=series, title="Using data well", starts_in=timedelta(days=7))
    m3 = f.meeting(series_=series, title="Still a draft", status=MeetingStatus.DRAFT)
    x = f.meeting(title="Another series")
    board_a, board_b = sorted(m.boards, key=lambda b: b.position)
    board_a2 = sorted(m2.boards, key=lambda b: b.position)[0]

    u = {n: f.user(name=f"Member {n}", password=None) for n in range(1, 9)}
    before = m.starts_at - timedelta(hours=1)
    during = m.starts_at + timedelta(minutes=30)
    after = m.ends_at + timedelta(hours=1)

    # Registered for M: 1-4 (6 waits: not counted).
    for n in (1, 2, 3, 4):
        f.registration(m, u[n])
    f.registration(m, u[6], status="waitlisted")

    # Theme A, meeting M: 9 counted posts (before 3, during 1, after 5) by 5 members:
    # 1 wrote 4, 2 wrote 2, 3, 4 and 5 one each: the top 3 wrote 7 of 9 (78%).
    q1 = f.thread(board_a, u[1], title="Who pools budgets?", now=before)
    q2 = f.thread(board_a, u[2], title="Residents as partners?", now=before)
    r1 = f.reply(q1, u[1], body="First thought", now=before)
    f.reply(q1, u[1], body="During the meeting", now=during)
    f.reply(q1, u[1], body="Afterwards", now=after)
    f.user(name="Zora Quist", password=None)  # named in r4: the summary must not name her
    r4 = f.reply(q1, u[2], body="Our valley's **shared measures**, thanks @Zora Quist", now=after)
    d1 = f.thread(board_a, u[3], kind="discussion", title="Reflections", now=after)
    f.reply(q2, u[5], now=after)
    f.reply(d1, u[4], now=after)
    # Votes on q1 by 2, 3, 5: q1 is voted on (3 votes).
    for n in (2, 3, 5):
        f.vote(q1, u[n])

    # Not counted: a hidden question (with 6's vote and 3's reply under it), a held reply by 6,
    # a reply 2 removed.
    q3 = f.thread(board_a, u[4], title="Hidden later", now=before)
    f.vote(q3, u[6])
    f.reply(q3, u[3], now=after)
    f.reply(q1, u[6], body="Held for review", now=after).held_at = after
    removed = f.reply(q1, u[2], body="Second thoughts", now=after)
    removed.removed_at, removed.removed_by_id = after, u[2].id

    # Theme B, meeting M: 2 posts by 4 (during, after); 1 voted for q4.
    q4 = f.thread(board_b, u[4], title="Which data do we trust?", now=during)
    f.reply(q4, u[4], now=after)
    f.vote(q4, u[1])

    # The agenda of M: q1 discussed, q2 skipped, q4 planned (3 question items); a welcome item
    # and the hidden q3 (discussed) do not count. 7 came.
    agenda.add_free_item(m, "Welcome", 5)
    items = {}
    for post in (q1, q2, q4, q3):
        items[post.id], _ = agenda.add_question(m, post)
    items[q1.id].status = ItemStatus.DISCUSSED
    items[q2.id].status = ItemStatus.SKIPPED
    items[q3.id].status = ItemStatus.DISCUSSED
    running.record_attendance(m, 7)
    q3.hidden_at, q3.hidden_reason = after, "moderator"

    # Actions of M: 6 made; 1 done on time, 1 done late, 1 overdue, 2 open (one from thread
    # q1), 1 dropped.
    lead = f.user(roles=Role.FACILITATOR, name="Facilitator", password=None)
    source = ("meeting", m.id)
    f.action(lead, title="On time", source=source, status="done")
    f.action(lead, title="Late", source=source, due_on=today() - timedelta(days=5), status="done")
    f.action(lead, title="Overdue", source=source, due_on=today() - timedelta(days=1))
    f.action(lead, title="Open", source=source)
    f.action(lead, title="From the thread", source=("post", q1.id))
    f.action(lead, title="Dropped", source=source, status="dropped")

    # Meeting M2 (upcoming): 1 and 6 registered; 1 asked q5, 7 replied, 6 voted.
    f.registration(m2, u[1])
    f.registration(m2, u[6])
    q5 = f.thread(board_a2, u[1], title="What does good local data look like?")
    f.reply(q5, u[7])
    f.vote(q5, u[6])

    # Never counted in the series: the draft M3 and the other series' meeting X.
    f.thread(sorted(m3.boards, key=lambda b: b.position)[0], u[8], title="Draft talk")
    f.thread(x.boards[0], u[1], title="Elsewhere")
    f.registration(x, u[5])
    db.session.flush()
    return Known(
        series=series.id,
        meeting=m.id,
        meeting2=m2.id,
        draft=m3.id,
        other=x.id,
        themes={"A": theme_a.id, "B": theme_b.id},
        posts={
            "q1": q1.id,
            "q2": q2.id,
            "q3": q3.id,
            "q4": q4.id,
            "q5": q5.id,
            "r1": r1.id,
            "r4": r4.id,
            "d1": d1.id,
            "removed": removed.id,
        },  # fmt: skip
        people={n: person.id for n, person in u.items()},
    )


def add_activity(meeting_id: int, n: int) -> None:
    """n more of everything on a meeting: members, registrations, posts, votes, agenda items,
    actions, pins (for query-count tests: the page must cost the same)."""
    from app.models import Meeting

    m = db.session.get(Meeting, meeting_id)
    board = sorted(m.boards, key=lambda b: b.position)[0]
    lead = f.user(roles=Role.FACILITATOR, password=None)
    for i in range(n):
        person = f.user(password=None)
        f.registration(m, person)
        q = f.thread(board, person, title=f"More {i}", now=utcnow() - timedelta(hours=1))
        f.reply(q, f.user(password=None))
        f.vote(q, f.user(password=None))
        item, _ = agenda.add_question(m, q)
        item.status = ItemStatus.DISCUSSED
        f.action(lead, source=("meeting", m.id))
        f.insight_pin(q, lead)
    db.session.flush()


@pytest.fixture
def known(app) -> Known:
    with app.app_context():
        data = build_known()
        db.session.commit()
    return data


def insight(app, meeting_id):
    with app.app_context():
        row = db.session.scalar(
            db.select(MeetingInsight).where(MeetingInsight.meeting_id == meeting_id)
        )
        if row is not None:
            db.session.expunge(row)
        return row


def pinned(app, meeting_id):
    with app.app_context():
        return set(
            db.session.scalars(
                db.select(InsightPin.post_id).where(InsightPin.meeting_id == meeting_id)
            )
        )


def cell(page: str, table_id: str, row_header: str) -> list[str]:
    """The cells of the table row headed row_header (as rendered)."""
    table = page[page.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header and row_header in header.group(1):
            return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row {row_header!r} in {table_id}")


def facilitator_urls(k):
    return [
        f"/insights/series/{k.series}",
        f"/insights/series/{k.series}.csv",
        f"/insights/meetings/{k.meeting}",
        f"/insights/meetings/{k.meeting}.csv",
        f"/insights/meetings/{k.meeting}/pins",
    ]


def facilitator_posts(k):
    return [
        (f"/insights/meetings/{k.meeting}/narrative", {"narrative": "Hello", "version": "0"}),
        (f"/insights/posts/{k.posts['q1']}/pin", {"pin": "1"}),
        (f"/insights/meetings/{k.meeting}/publish", {}),
        (f"/insights/meetings/{k.meeting}/withdraw", {}),
    ]


def text(response) -> str:
    return response.get_data(as_text=True)
