"""The benchmark's cases: what each one requests, as whom, and what a correct answer is.

Members are logged in the way the app itself logs them in: Flask-Login's login_user() and
Flask-WTF's generate_csrf() run in a request context of the real app (same SECRET_KEY as the
servers, same remote address and User-Agent as wrk), and the session cookie is signed with the
app's own session interface. Each request line then carries a different member's cookie and,
for POSTs, the matching X-CSRFToken, as htmx sends it from <body hx-headers>.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from app.extensions import db
from app.models import Board, Post, PostKind, Role, User, Vote

USER_AGENT = "roundtable-bench/1 (wrk)"
REMOTE_ADDR = "127.0.0.1"
MAX_PEOPLE = 2_000  # distinct members in one rotation
VOTE_POSTS = 10  # the hot question and nine others on the hot board


def line(method: str, path: str, headers: dict, body: str = "") -> str:
    """One request for bench/wrk/rotate.lua: fields by tab, headers by the unit separator."""
    joined = "\x1f".join(f"{name}: {value}" for name, value in headers.items())
    return "\t".join((method, path, joined, body))


def parse(request_line: str) -> tuple[str, str, dict, str]:
    """A request line back into (method, path, headers, body)."""
    method, path, joined, body = request_line.split("\t")
    headers = dict(h.split(": ", 1) for h in joined.split("\x1f") if h)
    return method, path, headers, body


@dataclass
class Case:
    name: str
    label: str
    expect: int
    build: Callable[[], list[str]] | None  # request lines, rebuilt before every run
    markers: tuple = ()  # texts a correct answer's body contains (checked before the runs)
    target: dict = field(default_factory=dict)  # {"ratio": 0.25, "p99_ms": 150}
    skipped: str = ""
    after: Callable[[], list[str]] | None = None  # checks after the runs: problems found
    notes: list = field(default_factory=list)


@dataclass
class Hot:
    meeting: int
    board: int
    thread: int
    question: int


def find_hot() -> Hot:
    """The hot spots, found by their counters (so any seeded database will do)."""
    board = db.session.scalar(select(Board).order_by(Board.post_count.desc(), Board.id))
    thread = db.session.scalar(
        select(Post.id).where(Post.parent_id.is_(None)).order_by(Post.reply_count.desc()).limit(1)
    )
    question = db.session.scalar(
        select(Post.id)
        .where(Post.board_id == board.id, Post.kind == PostKind.QUESTION)
        .order_by(Post.vote_count.desc(), Post.id)
        .limit(1)
    )
    return Hot(board.meeting_id, board.id, thread, question)


class Sessions:
    """Signed session cookies and CSRF tokens for bench members, made by the app itself."""

    def __init__(self, app: Flask):
        self.app = app
        self.serializer = app.session_interface.get_signing_serializer(app)
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self._made: dict[int, tuple[str, str]] = {}

    def login(self, user: User) -> tuple[str, str]:
        """(Cookie header value, CSRF token) for user, as after posting the login form."""
        if user.id not in self._made:
            # A fresh app context each time: generate_csrf() caches its token on `g`.
            with (
                self.app.app_context(),
                self.app.test_request_context(
                    "/",
                    environ_base={"REMOTE_ADDR": REMOTE_ADDR},
                    headers={"User-Agent": USER_AGENT},
                ),
            ):
                login_user(user)
                token = generate_csrf()
                cookie = self.serializer.dumps(dict(session))
            self._made[user.id] = (f"{self.cookie_name}={cookie}", token)
        return self._made[user.id]

    def headers(self, user: User, **extra) -> dict:
        cookie, _ = self.login(user)
        return {"User-Agent": USER_AGENT, "Cookie": cookie, **extra}


def bench_people(limit: int = MAX_PEOPLE, *, role: Role = Role.MEMBER) -> list[User]:
    """Up to limit bench members holding role itself (admins do not stand in)."""
    people = db.session.scalars(
        select(User).where(User.email.like("bench%@example.org")).order_by(User.id)
    )
    return [person for person in people if person.holds(role)][:limit]


def page_lines(sessions: Sessions, people: list[User], path: str) -> Callable[[], list[str]]:
    def build() -> list[str]:
        return [line("GET", path, sessions.headers(person)) for person in people]

    return build


def vote_targets(hot: Hot) -> list[tuple[int, int]]:
    """(post id, author id) of the hot question and other questions on the hot board."""
    rows = db.session.execute(
        select(Post.id, Post.author_id)
        .where(Post.board_id == hot.board, Post.kind == PostKind.QUESTION)
        .where(Post.removed_at.is_(None), Post.id != hot.question)
        .order_by(Post.vote_count.desc(), Post.id)
        .limit(VOTE_POSTS - 1)
    ).all()
    author = db.session.scalar(select(Post.author_id).where(Post.id == hot.question))
    return [(hot.question, author), *[(r.id, r.author_id) for r in rows]]


def vote_lines(sessions: Sessions, people: list[User], hot: Hot) -> list[str]:
    """Every other request toggles the hot question, the rest one of the other questions; each
    from a different member (never the question's author)."""
    targets = vote_targets(hot)
    lines = []
    for n, person in enumerate(people):
        choice = 0 if n % 2 == 0 else 1 + (n // 2) % max(len(targets) - 1, 1)
        post_id, author = targets[min(choice, len(targets) - 1)]
        if author == person.id:
            post_id, author = targets[(choice + 1) % len(targets)]
        _, token = sessions.login(person)
        headers = sessions.headers(
            person,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
                "HX-Target": f"vote-form-{post_id}",
                "HX-Current-URL": f"http://127.0.0.1/boards/{hot.board}",
                "X-CSRFToken": token,
            },
        )
        # What the form sends, minus `want`: without it the route toggles whatever is there.
        body = urlencode({"csrf_token": token, "next": f"/boards/{hot.board}"})
        lines.append(line("POST", f"/boards/posts/{post_id}/vote", headers, body))
    return lines


def vote_counts_exact(post_ids: list[int]) -> list[str]:
    """Post.vote_count against the vote rows, for every post the vote case touched."""
    db.session.expire_all()
    counted = dict(
        db.session.execute(
            select(Vote.post_id, func.count(Vote.id))
            .where(Vote.post_id.in_(post_ids))
            .group_by(Vote.post_id)
        ).all()
    )
    problems = []
    for post_id, stored in db.session.execute(
        select(Post.id, Post.vote_count).where(Post.id.in_(post_ids))
    ):
        if stored != counted.get(post_id, 0):
            problems.append(
                f"post {post_id}: vote_count {stored} but {counted.get(post_id, 0)} vote rows"
            )
    db.session.rollback()
    return problems


# Targets on a 2-core machine at 16 connections (issue 8): share of the ceiling's rps, p99.
PAGE_TARGET = {"ratio": 0.25, "p99_ms": 150}
VOTE_TARGET = {"ratio": 0.20}
POLL_TARGET = {"ratio": 0.6}

Fetch = Callable[[str, str, dict, str], tuple[int, dict, bytes]]


def live_lines(sessions: Sessions, people: list[User], hot: Hot, fetch: Fetch):
    """The board's live poll as the page makes it (since=version, after=newest post), with the
    ETag the first answer gave: unchanged, every poll must be answered 304."""

    def build() -> list[str]:
        board = db.session.get(Board, hot.board)
        newest = db.session.scalar(select(func.max(Post.id)).where(Post.board_id == hot.board))
        path = f"/boards/{hot.board}/live?" + urlencode({"since": board.version, "after": newest})
        db.session.rollback()
        first = sessions.headers(people[0], **{"HX-Request": "true"})
        status, headers, _ = fetch("GET", path, first, "")
        etag = headers.get("ETag")
        if status != 200 or not etag:
            raise RuntimeError(f"live poll answered {status} without an ETag")
        return [
            line("GET", path, sessions.headers(p, **{"HX-Request": "true", "If-None-Match": etag}))
            for p in people
        ]

    return build


def build_cases(app: Flask, sessions: Sessions, hot: Hot, fetch: Fetch) -> list[Case]:
    """Every case of issue 8, skipped with a note where the area is not built yet."""
    members = bench_people()
    facilitators = bench_people(role=Role.FACILITATOR)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    touched = [post_id for post_id, _ in vote_targets(hot)]
    me = "Log out"
    cases = [
        Case("meetings", "Meetings page", 200, page_lines(sessions, members, "/meetings/"),
             (me, "<h1>Meetings</h1>"), PAGE_TARGET),
        Case("board", "Board page (hot board, page 1, sort=top)", 200,
             page_lines(sessions, members, f"/boards/{hot.board}?sort=top"),
             (me, f'id="thread-{hot.question}"'), PAGE_TARGET),
        Case("thread", "Thread with 1,000 replies (page 1)", 200,
             page_lines(sessions, members, f"/boards/threads/{hot.thread}"),
             (me, f'id="post-{hot.thread}"'), PAGE_TARGET),
        Case("vote", "Vote toggle (htmx, a different member each time)", 200,
             lambda: vote_lines(sessions, members, hot), ('hx-swap-oob="innerHTML:#sr-status"',),
             VOTE_TARGET, after=lambda: vote_counts_exact(touched)),
        Case("live_304", "Unchanged live poll (304)", 304,
             live_lines(sessions, members, hot, fetch), (), POLL_TARGET),
    ]  # fmt: skip
    if "agenda.agenda" in endpoints:
        cases.append(
            Case("agenda", "Agenda builder (facilitator)", 200,
                 page_lines(sessions, facilitators, f"/agenda/{hot.meeting}"),
                 (me, "<h1>Agenda</h1>"), PAGE_TARGET)
        )  # fmt: skip
    else:
        cases.append(Case("agenda", "Agenda builder", 200, None, skipped="app/agenda not built"))
    if "actions.mine" in endpoints:
        cases += [
            Case("my_actions", "My actions", 200, page_lines(sessions, members, "/actions/mine"),
                 (me, "<h1>My actions</h1>"), PAGE_TARGET),
            Case("actions_board", "Actions board", 200,
                 page_lines(sessions, members, "/actions/"), (me, "<h1>Actions</h1>"),
                 PAGE_TARGET),
        ]  # fmt: skip
    else:
        cases.append(Case("my_actions", "My actions", 200, None, skipped="app/actions not built"))
    cases += [
        Case("board_visitor", "Board page, visitor (no cookie; extra, no target)", 200,
             lambda: [line("GET", f"/boards/{hot.board}?sort=top", {"User-Agent": USER_AGENT})],
             (f'id="thread-{hot.question}"',)),
        Case("search", "Search (one word, first page)", 200,
             page_lines(sessions, members, "/search/?q=wellbeing"),
             (me, 'id="search-result-list"')),
    ]  # fmt: skip
    return cases
