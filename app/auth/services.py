"""Accounts: checking credentials, password links and changes, and people's own profiles.

Services flush and never commit; the route that calls them commits once.
"""

from functools import cache

from flask import current_app, render_template
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.extensions import db
from app.mail import external_url, send_email
from app.models import User
from app.timeutil import utcnow
from app.tokens import password_token

RESET = "reset"
WELCOME = "welcome"


@cache
def _decoy_hash() -> str:
    """A hash of nothing in particular, checked when there is no real one to check."""
    return generate_password_hash("no account has this password", method="scrypt")


def find_by_email(email: str) -> User | None:
    """The account with this address (compared case-insensitively), or None."""
    email = (email or "").strip()
    if not email:
        return None
    return db.session.scalar(select(User).where(User.email_matches(email)))


def authenticate(email: str, password: str) -> User | None:
    """The open account this email and password belong to, or None.

    An unknown address, an account without a password yet, a wrong password and a closed account
    all give None, and each costs one scrypt check, so neither the answer nor its timing tells
    which addresses have accounts.
    """
    user = find_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_decoy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


def record_login(user: User) -> None:
    """Note when the person last logged in (shown to admins; never on a GET)."""
    user.last_login_at = utcnow()
    db.session.flush()


def link_lifetime(seconds: int) -> str:
    """How long a link works, in words: '60 minutes', '1 hour', '7 days'."""
    seconds = max(0, int(seconds))
    if seconds % 86400 == 0 and seconds >= 86400:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds % 3600 == 0 and seconds >= 3600 * 2:
        hours = seconds // 3600
        return f"{hours} hours"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def request_password_reset(email: str) -> bool:
    """Queue an email with a reset link when an open account has this address; True when one
    was queued (it goes when the caller commits).

    The caller shows the same answer either way, so that the form reveals nothing.
    """
    user = find_by_email(email)
    if user is None or not user.active:
        return False
    url = external_url("auth.reset_password", token=password_token(user, RESET))
    lifetime = link_lifetime(current_app.config["PASSWORD_RESET_MAX_AGE"])
    body = render_template("auth/email/reset.txt", user=user, url=url, lifetime=lifetime)
    send_email(user.email, "Reset your Roundtable password", body)
    return True


def set_password(user: User, password: str, *, how: str) -> None:
    """Give the account a new password, signing out every other session, and log it.

    how is "changed", "reset" or "welcome": the audit trail says which way it happened.
    """
    user.set_password(password)
    audit.record(user, f"auth.password_{how}", "user", user.id, subject_user=user)


def update_profile(
    user: User, *, display_name: str, organisation: str, place: str, bio: str, pronouns: str
) -> None:
    """Save what the person says about themselves (their own account only; no email change)."""
    user.display_name = display_name
    user.organisation = organisation or ""
    user.place = place or ""
    user.bio = bio or ""
    user.pronouns = pronouns or ""
    db.session.flush()


def bio_paragraphs(text: str | None) -> list[list[str]]:
    """Plain text as paragraphs of lines, so a template can keep the person's line breaks.

    Blank lines separate paragraphs; the template escapes every line it prints.
    """
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs
