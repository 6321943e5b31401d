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
