"""Small steps the browser tests share: people in the database, logging in, reading email."""

import re
from email import message_from_bytes, policy
from pathlib import Path

from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Role
from tests import factories
from tests.factories import PASSWORD


def add_person(app, roles: Role = Role.MEMBER, **fields):
    """A committed account holding roles; returns (email, password)."""
    with app.app_context():
        user = factories.user(roles=roles | Role.MEMBER, **fields)
        db.session.commit()
        return user.email, PASSWORD


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def last_email(app) -> str:
    """The body of the newest email in the app's outbox."""
    outbox = Path(app.config["MAIL_OUTBOX"])
    newest = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)[-1]
    message = message_from_bytes(newest.read_bytes(), policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(body: str, path_start: str, base_url: str) -> str:
    """The first link in an email whose path starts with path_start, pointed at the live server."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"[^\s]*)", body)
    assert match, f"no {path_start} link in: {body}"
    return base_url + match.group(1)


def add_board(app, *, title="Sharing power, accountability and leadership", **meeting_fields):
    """A published upcoming meeting with one theme's board; returns the board's id."""
    with app.app_context():
        series = factories.series(themes=("Sharing power",))
        meeting = factories.meeting(series_=series, title=title, **meeting_fields)
        db.session.commit()
        return meeting.boards[0].id


def add_question(app, board_id: int, *, title: str, author_email: str | None = None) -> int:
    """A question on the board by a new (or the named) member; returns its post id."""
    from sqlalchemy import select

    from app.models import Board, User

    with app.app_context():
        board = db.session.get(Board, board_id)
        author = None
        if author_email:
            author = db.session.scalar(select(User).where(User.email == author_email))
        post = factories.thread(board, author, title=title)
        db.session.commit()
        return post.id
