"""The benchmark's data, planned in memory and produced as plain row dicts for Core inserts.

The plan decides every count first (threads and replies per board, votes per question), so the
denormalised counters can be written exact in the same rows that are inserted:
Board.post_count/question_count/version, Post.reply_count/vote_count/version/last_activity_at,
Meeting.registered_count/waitlist_count. Posts and votes are then streamed in id order (a
parent always before its replies), never held in memory as a million dicts.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.models import MeetingStatus, Phase, PostKind, Role
from bench import content as words

BENCH_EMAIL = "bench{n}@example.org"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (documented, bench data only)


@dataclass(frozen=True)
class Scale:
    name: str
    members: int
    meetings: int
    posts: int
    votes: int
    actions: int
    hot_threads: int
    hot_replies: int
    hot_votes: int  # wanted; a member votes once, so at most members - 1 (the author cannot)


SCALES = {
    "small": Scale("small", 50, 4, 500, 2_000, 50, 100, 100, 3_000),
    "medium": Scale("medium", 500, 40, 20_000, 100_000, 2_000, 2_000, 1_000, 3_000),
    "large": Scale("large", 5_000, 200, 200_000, 1_000_000, 20_000, 2_000, 1_000, 3_000),
}


@dataclass
class Thread:
    id: int
    board: int  # index into Plan.boards
    kind: str
    author: int
    created_at: datetime
    replies: int
    title: str = ""
    votes: int = 0


@dataclass
class Plan:
    scale: Scale
    now: datetime
    seed: int
    meetings: list[dict] = field(default_factory=list)
    boards: list[dict] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    hot_meeting: int = 0
    hot_board: int = 0  # index into boards
    hot_thread: int = 0  # post id
    hot_question: int = 0  # post id
    notes: list[str] = field(default_factory=list)

    @property
    def members(self) -> int:
        return self.scale.members


def _phase(meeting: dict, moment: datetime) -> str:
    if moment < meeting["starts_at"]:
        return Phase.BEFORE
    return Phase.DURING if moment < meeting["ends_at"] else Phase.AFTER


def _split(total: int, weights: list[float], cap: int | None = None) -> list[int]:
    """total split in proportion to weights (largest remainders), each at most cap."""
    counts = [0] * len(weights)
    remaining, open_ = total, [i for i, w in enumerate(weights) if w > 0]
    while remaining > 0 and open_:
        share = sum(weights[i] for i in open_)
        given = 0
        for i in open_:
            add = int(remaining * weights[i] / share)
            if cap is not None:
                add = min(add, cap - counts[i])
            counts[i] += add
            given += add
        if given == 0:  # hand out the rest one at a time, heaviest first
            for i in sorted(open_, key=lambda i: -weights[i])[:remaining]:
                counts[i] += 1
                given += 1
        remaining -= given
        if cap is not None:
            open_ = [i for i in open_ if counts[i] < cap]
    return counts


def plan(scale: Scale, *, now: datetime, seed: int = 8) -> Plan:
    """Decide every row count: meetings, boards, threads with their replies, votes per question."""
    rng = random.Random(seed)
    p = Plan(scale, now, seed)
    _plan_meetings(p)
    _plan_posts(p, rng)
    _plan_votes(p, rng)
    return p


def _plan_meetings(p: Plan) -> None:
    n = p.scale.meetings
    past = max(int(n * 0.7), 1)
    p.hot_meeting = past  # the first meeting not yet over: it is running now
    theme_id, themes_of = 0, []
    for titles in words.SERIES:
        themes_of.append(list(range(theme_id + 1, theme_id + 1 + len(titles[1]))))
        theme_id += len(titles[1])
    series_count = min(len(words.SERIES), max(1, n // 10))
    for i in range(n):
        series = i % series_count
        if i < past:
            starts = p.now - timedelta(days=7 * (past - i) + 2)
        elif i == past:
            # Running for weeks, so that the live poll and votes work whenever the bench runs.
            starts = p.now - timedelta(days=1)
        else:
            starts = p.now + timedelta(days=31 + 7 * (i - past))
        ends = p.now + timedelta(days=30) if i == past else starts + timedelta(minutes=90)
        status = MeetingStatus.PUBLISHED
        if i != past and i % 20 == 7:
            status = MeetingStatus.CANCELLED
        elif i > past and (n - i) <= n // 20:
            status = MeetingStatus.DRAFT
        p.meetings.append(
            {"id": i + 1, "series_id": series + 1, "starts_at": starts, "ends_at": ends,
             "status": status, "number": i + 1}
        )  # fmt: skip
        for position, theme in enumerate(themes_of[series]):
            p.boards.append(
                {"id": len(p.boards) + 1, "meeting": i, "theme_id": theme, "position": position,
                 "posts": 0, "questions": 0, "votes": 0}
            )  # fmt: skip
    p.hot_board = next(b for b, board in enumerate(p.boards) if board["meeting"] == p.hot_meeting)


def _plan_posts(p: Plan, rng: random.Random) -> None:
    s = p.scale
    hot_threads = min(s.hot_threads, s.posts // 5)
    hot_replies = min(s.hot_replies, s.posts // 5)
    hot_other = min(int(s.posts * 0.1), hot_threads * 2)
    rest = s.posts - hot_threads - hot_replies - hot_other
    boards = [
        b
        for b, board in enumerate(p.boards)
        if b != p.hot_board and p.meetings[board["meeting"]]["status"] != MeetingStatus.DRAFT
    ]
    weights = [
        (0.5 if board["meeting"] > p.hot_meeting else 1.0) * rng.uniform(0.5, 1.5)
        for board in (p.boards[b] for b in boards)
    ]
    per_board = dict(zip(boards, _split(rest, weights), strict=True))
    per_board[p.hot_board] = hot_threads + hot_replies + hot_other
    next_id = 1
    for b in sorted(per_board):
        total = per_board[b]
        if total <= 0:
            continue
        if b == p.hot_board:
            threads = hot_threads
            replies = [hot_replies] + _split(
                hot_other, [rng.paretovariate(1.3) for _ in range(threads - 1)]
            )
        else:
            threads = max(1, round(total * 0.3))
            replies = _split(total - threads, [rng.paretovariate(1.3) for _ in range(threads)])
        meeting = p.meetings[p.boards[b]["meeting"]]
        start = min(meeting["starts_at"] - timedelta(days=21), p.now - timedelta(days=14))
        end = min(meeting["ends_at"] + timedelta(days=7), p.now - timedelta(hours=1))
        span = (end - start).total_seconds()
        for t in range(threads):
            kind = (
                PostKind.QUESTION
                if rng.random() < 0.6 or (b, t) == (p.hot_board, 0)
                else (PostKind.DISCUSSION)
            )
            created = start + timedelta(seconds=rng.uniform(0, span))
            titles = words.QUESTION_TITLES if kind == PostKind.QUESTION else words.DISCUSSION_TITLES
            title = rng.choice(titles).format(
                place=rng.choice(words.PLACES), topic=rng.choice(words.TOPICS)
            )[:150]
            thread = Thread(next_id, b, kind, rng.randint(1, s.members), created, replies[t], title)
            p.threads.append(thread)
            if (b, t) == (p.hot_board, 0):
                p.hot_thread = thread.id
            next_id += 1 + thread.replies
            board = p.boards[b]
            board["posts"] += 1 + thread.replies
            board["questions"] += kind == PostKind.QUESTION


def _plan_votes(p: Plan, rng: random.Random) -> None:
    s = p.scale
    questions = [t for t in p.threads if t.kind == PostKind.QUESTION]
    on_hot = [t for t in questions if t.board == p.hot_board and t.id != p.hot_thread]
    hot = on_hot[len(on_hot) // 2] if on_hot else questions[0]
    p.hot_question = hot.id
    hot.votes = min(s.hot_votes, s.members - 1, s.votes)
    if hot.votes < s.hot_votes:
        p.notes.append(
            f"hot question has {hot.votes} votes, not {s.hot_votes}: one vote per member, "
            f"{s.members} members, and the author cannot vote"
        )
    others = [t for t in questions if t is not hot]
    cap = max(min(s.members - 1, hot.votes - 1), 0)
    wanted = s.votes - hot.votes
    possible = cap * len(others)
    if wanted > possible:
        p.notes.append(f"{wanted} more votes asked, {possible} possible: capped")
        wanted = possible
    counts = _split(wanted, [rng.paretovariate(1.2) for _ in others], cap)
    for thread, count in zip(others, counts, strict=True):
        thread.votes = count
    for thread in questions:
        p.boards[thread.board]["votes"] += thread.votes


# Rows ----------------------------------------------------------------------------------------


def user_rows(p: Plan, password_hash: str):
    """Members; the first is an admin, one in fifty a facilitator, the second a moderator."""
    rng = random.Random(p.seed + 1)
    facilitators = max(2, p.members // 50)
    for n in range(1, p.members + 1):
        roles = Role.MEMBER
        if n == 1:
            roles |= Role.ADMIN
        elif n <= facilitators + 1:
            roles |= Role.FACILITATOR
        if n == 2:
            roles |= Role.MODERATOR
        yield {
            "id": n,
            "email": BENCH_EMAIL.format(n=n),
            "password_hash": password_hash,
            "display_name": f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}",
            "organisation": f"{rng.choice(words.PLACES)} {rng.choice(words.ORGANISATIONS)}",
            "place": rng.choice(words.PLACES),
            "roles": int(roles),
            "created_at": p.now - timedelta(days=400),
        }


def facilitator_ids(p: Plan) -> list[int]:
    return list(range(2, max(2, p.members // 50) + 2))


def series_rows(p: Plan):
    used = {m["series_id"] for m in p.meetings}
    theme_id = 0
    series, themes = [], []
    for n, (title, theme_titles) in enumerate(words.SERIES, start=1):
        for title_ in theme_titles:
            theme_id += 1
            themes.append(
                {"id": theme_id, "series_id": n, "slug": f"theme-{theme_id}", "title": title_,
                 "description": f"What {title_.lower()} means for places like ours."}
            )  # fmt: skip
        series.append({"id": n, "slug": f"series-{n}", "title": title})
    return [s for s in series if s["id"] in used], [t for t in themes if t["series_id"] in used]


def meeting_rows(p: Plan):
    html = words.rendered(words.MEETING_DESCRIPTION)
    for m in p.meetings:
        published = m["status"] != MeetingStatus.DRAFT
        yield {
            "id": m["id"],
            "series_id": m["series_id"],
            "title": f"Meeting {m['number']}: {words.TOPICS[m['number'] % len(words.TOPICS)]}",
            "description": words.MEETING_DESCRIPTION,
            "description_html": html,
            "starts_at": m["starts_at"],
            "ends_at": m["ends_at"],
            "online_url": "https://meet.example.org/roundtable",
            "capacity": m.get("capacity"),
            "status": m["status"],
            "published_at": m["starts_at"] - timedelta(days=30) if published else None,
            "cancelled_at": m["starts_at"] - timedelta(days=2)
            if m["status"] == MeetingStatus.CANCELLED
            else None,
            "registered_count": m.get("registered", 0),
            "waitlist_count": m.get("waitlisted", 0),
        }


def registration_rows(p: Plan):
    """Registrations (a waiting list where a meeting has a capacity); sets the meetings' counts,
    so call it before meeting_rows."""
    rng = random.Random(p.seed + 2)
    rows = []
    for m in p.meetings:
        if m["status"] == MeetingStatus.DRAFT:
            continue
        count = max(3, int(p.members * rng.uniform(0.05, 0.25)))
        people = rng.sample(range(1, p.members + 1), min(count, p.members))
        capacity = int(len(people) * 0.8) if m["number"] % 10 == 3 else None
        m["capacity"] = capacity
        for k, person in enumerate(people):
            waiting = capacity is not None and k >= capacity
            rows.append(
                {"meeting_id": m["id"], "user_id": person,
                 "status": "waitlisted" if waiting else "registered",
                 "created_at": m["starts_at"] - timedelta(days=20, minutes=-k)}
            )  # fmt: skip
        m["waitlisted"] = len(people) - capacity if capacity is not None else 0
        m["registered"] = len(people) - m["waitlisted"]
    return rows


def board_rows(p: Plan):
    for board in p.boards:
        yield {
            "id": board["id"],
            "meeting_id": board["meeting"] + 1,
            "theme_id": board["theme_id"],
            "position": board["position"],
            "question_count": board["questions"],
            "post_count": board["posts"],
            "version": board["posts"] + board["votes"],
        }


def post_rows(p: Plan):
    """Every thread followed by its replies (ids ascending, parents first), counters exact."""
    rng = random.Random(p.seed + 3)
    thread_bodies = [(b, words.rendered(b)) for b in words.THREAD_BODIES]
    reply_bodies = [(b, words.rendered(b)) for b in words.REPLY_BODIES]
    for t in p.threads:
        meeting = p.meetings[p.boards[t.board]["meeting"]]
        board_id = p.boards[t.board]["id"]
        replies = list(_replies(p, t, rng))
        body, html = rng.choice(thread_bodies)
        yield {
            "id": t.id, "board_id": board_id, "root_id": None, "parent_id": None,
            "branch_id": None, "depth": 0, "kind": t.kind,
            "title": t.title,
            "body": body, "body_html": html, "author_id": t.author,
            "anonymous": rng.random() < 0.05, "phase": _phase(meeting, t.created_at),
            "vote_count": t.votes, "reply_count": t.replies, "version": t.replies + t.votes,
            "created_at": t.created_at,
            "last_activity_at": replies[-1]["created_at"] if replies else t.created_at,
            "removed_at": None, "removed_by_id": None,
        }  # fmt: skip
        for reply in replies:
            body, html = rng.choice(reply_bodies)
            removed = rng.random() < 0.01
            reply.update(
                board_id=board_id, kind=PostKind.REPLY, title="", body=body, body_html=html,
                anonymous=rng.random() < 0.03, phase=_phase(meeting, reply["created_at"]),
                vote_count=0, reply_count=0, version=0,
                last_activity_at=reply["created_at"],
                removed_at=reply["created_at"] + timedelta(hours=1) if removed else None,
                removed_by_id=reply["author_id"] if removed else None,
            )  # fmt: skip
            yield reply


def _replies(p: Plan, t: Thread, rng: random.Random):
    """A reply tree: about half answer the thread, the rest answer a recent reply."""
    if not t.replies:
        return
    latest = min(t.created_at + timedelta(days=10), p.now - timedelta(minutes=5))
    span = max((latest - t.created_at).total_seconds(), 60)
    times = sorted(rng.uniform(30, span) for _ in range(t.replies))
    made: list[dict] = []
    for k in range(t.replies):
        parent = None
        if made and rng.random() < 0.55:
            parent = made[rng.randrange(max(0, len(made) - 8), len(made))]
            if parent["depth"] >= 7:
                parent = None
        depth = parent["depth"] + 1 if parent else 1
        row = {
            "id": t.id + 1 + k,
            "root_id": t.id,
            "parent_id": parent["id"] if parent else t.id,
            "branch_id": None if depth == 1 else (parent["branch_id"] or parent["id"]),
            "depth": depth,
            "author_id": rng.randint(1, p.members),
            "created_at": t.created_at + timedelta(seconds=times[k]),
        }
        made.append(row)
    yield from made


def vote_rows(p: Plan):
    """Each question's planned number of votes from distinct members other than its author."""
    rng = random.Random(p.seed + 4)
    everyone = range(1, p.members + 1)
    for t in p.threads:
        if not t.votes:
            continue
        voters = rng.sample(everyone, min(t.votes + 1, p.members))
        voters = [v for v in voters if v != t.author][: t.votes]
        span = max((p.now - t.created_at).total_seconds() - 60, 60)
        for voter in voters:
            yield {
                "post_id": t.id,
                "user_id": voter,
                "created_at": t.created_at + timedelta(seconds=rng.uniform(30, span)),
            }
