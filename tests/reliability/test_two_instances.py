"""Two app instances (two gunicorn servers on their own ports, two workers each, as deployed by
gunicorn.conf.py) against one PostgreSQL database and one Redis behave as one: what a member does
through one is seen through the other, a rate limit counts requests to both, and concurrent
votes and registrations split across both stay exact.

The servers are real processes, driven over HTTP as a browser would: log-in through the form,
CSRF tokens read from the pages, the session cookie carried from one instance to the other.
PostgreSQL only (SQLite is one machine's database); CI runs the suite on PostgreSQL too.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from app import create_app
from app.extensions import db
from app.models import Meeting, Post, Registration, RegistrationStatus, Vote
from tests import factories
from tests.conftest import _test_settings
from tests.reliability.conftest import is_postgres, scratch_database

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
PASSWORD = "a long shared test passphrase"
MEMBERS = 10
CAPACITY = 4
RESET_LIMIT = 3  # password-reset requests per address per hour, counted in Redis


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def csrf_token(self) -> str:
        field = re.search(r'<input[^>]*\bname="csrf_token"[^>]*>', self.text)
        assert field, f"no form on the page ({self.status})"
        return re.search(r'\bvalue="([^"]+)"', field.group(0)).group(1)


class Browser:
    """One person's browser: keeps its cookies across both instances, follows no redirects."""

    def __init__(self):
        self.cookies = SimpleCookie()

    def request(self, server: str, method: str, path: str, form: dict | None = None) -> Page:
        host, port = server.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=20)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(cookie)
        return Page(response.status, response.headers, text)

    def get(self, server: str, path: str) -> Page:
        return self.request(server, "GET", path)

    def submit(self, server: str, page: str, action: str, **fields) -> Page:
        """Open page, then send its form to action with the page's CSRF token, as a browser."""
        token = self.get(server, page).csrf_token
        return self.request(server, "POST", action, {"csrf_token": token, **fields})

    def log_in(self, server: str, email: str) -> None:
        page = self.submit(server, "/auth/login", "/auth/login", email=email, password=PASSWORD)
        assert page.status == 302, f"log-in of {email} failed ({page.status})"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return client


def _seed(uri: str) -> dict:
    """A meeting with open places and two questions, a meeting with few places, members."""
    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        author = factories.user(email="author@example.org", password=None)
        open_meeting = factories.meeting(title="Sharing power")
        board = open_meeting.boards[0]
        first = factories.thread(board, author, title="Who decides locally?")
        second = factories.thread(board, author, title="What data do we lack?")
        small = factories.meeting(title="Improved use of data", capacity=CAPACITY)
        hashed = generate_password_hash(PASSWORD, method="scrypt")  # once: hashing is slow
        members = [
            factories.user(email=f"member{n}@example.org", password=None, password_hash=hashed)
            for n in range(MEMBERS + 1)
        ]
        db.session.commit()
        seeded = {
            "open_meeting": open_meeting.id,
            "first": first.id,
            "second": second.id,
            "small": small.id,
            "members": [m.email for m in members],
        }
        db.engine.dispose()
    return seeded


def _serve(uri: str, port: int, instance: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": uri,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_ENABLED": "true",
        # Every browser here comes from 127.0.0.1: log-ins must not be what runs out.
        "RATELIMIT_LOGIN_IP": "1000 per minute",
        "RATELIMIT_PASSWORD_RESET": f"{RESET_LIMIT} per hour",
        "SECRET_KEY": "the same key on every instance",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "ROUNDTABLE_INSTANCE": str(instance),
        "MAIL_OUTBOX": str(instance / "outbox"),
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    instance.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_until_ready(server: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on {server} exited:\n{log.read_text()[-3000:]}")
        try:
            if Browser().get(server, "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn on {server} did not answer:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def instances(database_uri, tmp_path_factory):
    """Instances A and B on a new, migrated PostgreSQL database, sharing one Redis database."""
    if not is_postgres(database_uri):
        pytest.skip(
            "two app instances need one PostgreSQL database between them: runs when "
            "TEST_DATABASE_URL is PostgreSQL (as in CI)"
        )
    store = _require_redis()
    store.flushdb()  # counters left by an earlier run would start the limit part-used
    folder = tmp_path_factory.mktemp("instances")
    with scratch_database(database_uri, "instances", folder) as uri:
        migrate = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": uri, "ROUNDTABLE_INSTANCE": str(folder)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr
        seeded = _seed(uri)
        servers, processes = [], []
        try:
            for name in ("a", "b"):
                port = _free_port()
                log = folder / f"gunicorn-{name}.log"
                processes.append(_serve(uri, port, folder / name, log))
                servers.append(f"127.0.0.1:{port}")
            for server, process, name in zip(servers, processes, "ab", strict=True):
                _wait_until_ready(server, process, folder / f"gunicorn-{name}.log")
            engine = create_engine(uri)
            yield {"a": servers[0], "b": servers[1], "engine": engine, **seeded}
            engine.dispose()
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            store.flushdb()
            store.close()


def _count(engine, query) -> int:
    with Session(engine) as session:
        return session.scalar(query)


def test_what_one_instance_does_the_other_sees(instances):
    a, b = instances["a"], instances["b"]
    question, meeting = instances["first"], instances["open_meeting"]
    member = Browser()
    member.log_in(a, instances["members"][0])

    thread = f"/boards/threads/{question}"
    voted = member.submit(a, thread, f"/boards/posts/{question}/vote", want="add", next=thread)
    assert voted.status == 302
    seen = member.get(b, thread)  # the session cookie from A is good on B
    assert seen.status == 200
    assert (
        f'id="vote-{question}" class="button button--secondary vote__button" '
        'aria-pressed="true"' in seen.text
    )
    assert "1 vote" in seen.text and "You voted for this" in seen.text

    page = f"/meetings/{meeting}"
    registered = member.submit(b, page, f"/meetings/{meeting}/register")
    assert registered.status == 302
    seen = member.get(a, page)
    assert "You are registered" in seen.text

    # Password-reset requests are limited per address: the limit counts both instances.
    visitor = Browser()
    statuses = []
    for n in range(RESET_LIMIT + 1):
        server = (a, b)[n % 2]
        page = visitor.submit(
            server, "/auth/forgot-password", "/auth/forgot-password", email=f"x{n}@example.org"
        )
        statuses.append(page.status)
    assert statuses == [302] * RESET_LIMIT + [429]
    refused = visitor.submit(a, "/auth/forgot-password", "/auth/forgot-password", email="y@ex.org")
    assert refused.status == 429


def test_concurrent_votes_and_registrations_across_both_stay_exact(instances):
    a, b, engine = instances["a"], instances["b"], instances["engine"]
    question, meeting = instances["second"], instances["small"]
    people = instances["members"][1:]
    browsers = [Browser() for _ in people]
    servers = [(a, b)[n % 2] for n in range(len(people))]
    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        list(pool.map(Browser.log_in, browsers, servers, people))

    def all_at_once(action, form_page: str, **fields) -> list[int]:
        """Each browser opens the page, then all send the form together, half to each instance."""
        tokens = [
            browser.get(server, form_page).csrf_token
            for browser, server in zip(browsers, servers, strict=True)
        ]
        start = threading.Barrier(len(browsers))

        def send(n: int) -> int:
            start.wait()
            form = {"csrf_token": tokens[n], **fields}
            return browsers[n].request(servers[n], "POST", action, form).status

        with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
            return list(pool.map(send, range(len(browsers))))

    thread = f"/boards/threads/{question}"
    vote = f"/boards/posts/{question}/vote"
    assert all_at_once(vote, thread, want="add", next=thread) == [302] * len(people)
    votes = select(func.count()).select_from(Vote).where(Vote.post_id == question)
    count = select(Post.vote_count).where(Post.id == question)
    assert _count(engine, votes) == _count(engine, count) == len(people)
    assert f"{len(people)} votes" in browsers[0].get(b, thread).text

    # Everyone sends the toggle without saying what they saw: all take their vote back.
    assert all_at_once(vote, thread, next=thread) == [302] * len(people)
    assert _count(engine, votes) == _count(engine, count) == 0

    page = f"/meetings/{meeting}"
    assert all_at_once(f"/meetings/{meeting}/register", page) == [302] * len(people)
    registered = (
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.meeting_id == meeting, Registration.status == RegistrationStatus.REGISTERED
        )
    )
    waiting = (
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.meeting_id == meeting, Registration.status == RegistrationStatus.WAITLISTED
        )
    )
    assert _count(engine, registered) == CAPACITY
    assert _count(engine, waiting) == len(people) - CAPACITY
    counters = select(Meeting.registered_count, Meeting.waitlist_count).where(Meeting.id == meeting)
    with Session(engine) as session:
        assert tuple(session.execute(counters).one()) == (CAPACITY, len(people) - CAPACITY)
    text = browsers[0].get(a, page).text
    assert (
        f"All {CAPACITY} places are taken and {len(people) - CAPACITY} people are waiting" in text
    )
