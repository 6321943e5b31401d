"""Limits on logging in: per address, and a per-account back-off that a stranger cannot turn
into a lock-out of the account's owner.

- Per address (RATELIMIT_LOGIN_IP): every attempt counts, whatever the account; one machine
  cannot try many passwords, or many accounts.
- Per account (RATELIMIT_LOGIN_ACCOUNT): failed attempts count, from any address. Once the
  allowance is used up, the account refuses (429, before any password is checked) only the
  addresses that have themselves failed on it within the limit's longest window; an address
  with no failure on the account still has its password checked.

Why not a plain per-account limit: then anyone who knows a member's email address could use up
its allowance with wrong passwords and keep the member out for as long as they kept at it.
With this rule the stranger locks out only the addresses they tried from; the member, logging
in from their own, gets in. The price is that an attacker with many addresses gets one guess
per fresh address and window on top of the allowance, each still counted against that
address's own limit, which is a fair trade for a site whose members must always get in.
"""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from limits import parse_many

from app.extensions import limiter


def posted_email_key() -> str:
    """Rate-limit key for the account being tried: the posted address, lower-cased.

    Without an address there is no account to protect, so the caller's IP stands in.
    """
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}" if email else f"ip:{get_remote_address()}"


def _failure_key() -> str:
    return f"roundtable:login-failed:{posted_email_key()}:{get_remote_address()}"


def _memory_seconds() -> int:
    """How long a failure marks its address for the account: the limit's longest window."""
    items = parse_many(current_app.config["RATELIMIT_LOGIN_ACCOUNT"])
    return max(item.get_expiry() for item in items)


def address_is_unmarked() -> bool:
    """True when this address has not failed on the posted account lately: the per-account
    limit then lets it through to the password check (flask-limiter's exempt_when)."""
    return not limiter.storage.get(_failure_key())


def failed(response) -> bool:
    """Only a wrong password (or unknown address) uses up the account's allowance."""
    return bool(g.get("_login_failed"))


def record_failure() -> None:
    """Count this failure against the account, and mark the address for it."""
    g._login_failed = True
    if limiter.enabled:
        limiter.storage.incr(_failure_key(), _memory_seconds())


def forget_failures() -> None:
    """The right password from this address: it is no longer suspect for this account."""
    if limiter.enabled:
        limiter.storage.clear(_failure_key())
