"""Settings, read from the environment once at start-up (see the README's table)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("ROUNDTABLE_INSTANCE", ROOT / "instance"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def database_url(url: str | None) -> str:
    """Normalise DATABASE_URL: PostgreSQL through psycopg 3; SQLite under instance/ by default."""
    if not url:
        return f"sqlite:///{INSTANCE / 'roundtable.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance: Path = INSTANCE) -> str:
    """Return SECRET_KEY, generating one on first start and keeping it in instance/secret_key.

    Never a constant in the code: a deployment either sets SECRET_KEY or gets its own random key,
    kept on disk so that sessions survive restarts.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL: two workers starting together agree on the first key written.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def secure_when_https(config) -> None:
    """An https BASE_URL means cookies only travel over https, whatever else was set.

    Applied after all settings are loaded, so a BASE_URL given to create_app() counts too.
    """
    if str(config.get("BASE_URL", "")).startswith("https://"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"


class Config:
    """Production defaults; every value can be set from the environment."""

    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # pre_ping: a connection dropped by the server is replaced instead of failing a request.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    PREFERRED_URL_SCHEME = "https" if SESSION_COOKIE_SECURE else "http"

    # 1 MiB covers the longest post or application many times over.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Rendered lists kept by each worker (app.fragments), in characters of HTML; a worker's
    # memory grows by about this much once its cache is full.
    FRAGMENT_CACHE_BYTES = int(os.environ.get("FRAGMENT_CACHE_BYTES", 8 * 1024 * 1024))

    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Log-in: every attempt per address; failed ones per account, where a used-up allowance
    # refuses only the addresses that failed (app/auth/throttle.py: no lock-out by strangers).
    RATELIMIT_LOGIN_IP = os.environ.get("RATELIMIT_LOGIN_IP", "20 per minute; 200 per day")
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "5 per minute; 30 per day")
    RATELIMIT_PASSWORD_RESET = os.environ.get("RATELIMIT_PASSWORD_RESET", "5 per hour")
    RATELIMIT_APPLY = os.environ.get("RATELIMIT_APPLY", "5 per hour")
    # Per member, on the boards: new threads and replies (previews and mistakes are free), votes.
    RATELIMIT_POST = os.environ.get("RATELIMIT_POST", "10 per minute")
    RATELIMIT_VOTE = os.environ.get("RATELIMIT_VOTE", "60 per minute")
    # Moderation: posting for members with fewer than MODERATION_NEW_MEMBER_POSTS published
    # posts, and reports (flags) per member.
    RATELIMIT_POST_NEW = os.environ.get("RATELIMIT_POST_NEW", "3 per minute")
    RATELIMIT_FLAG = os.environ.get("RATELIMIT_FLAG", "20 per hour")

    # Moderation (app/moderation): reports from this many members hide a post pending review.
    MODERATION_FLAG_THRESHOLD = int(os.environ.get("MODERATION_FLAG_THRESHOLD", 3))
    # A member's first N posts wait for review before others see them (0: none do).
    MODERATION_HOLD_FIRST_POSTS = int(os.environ.get("MODERATION_HOLD_FIRST_POSTS", 1))
    # "New member": fewer published posts than this (stricter posting limit, link rule).
    MODERATION_NEW_MEMBER_POSTS = int(os.environ.get("MODERATION_NEW_MEMBER_POSTS", 5))
    # A new member's post with more links than this waits for review.
    MODERATION_MAX_LINKS = int(os.environ.get("MODERATION_MAX_LINKS", 3))
    # What held posts' authors are told about how long review takes.
    MODERATION_REVIEW_HOURS = int(os.environ.get("MODERATION_REVIEW_HOURS", 24))
    # A moderator's claim on a queue item lapses after this many minutes.
    MODERATION_CLAIM_MINUTES = int(os.environ.get("MODERATION_CLAIM_MINUTES", 10))
    # Suggested suspension lengths in days: the first, second, third... suspension.
    MODERATION_SUSPENSION_DAYS = os.environ.get("MODERATION_SUSPENSION_DAYS", "1,3,7,30")

    # Minutes given to a question added to an agenda ("Fill from top questions" included).
    AGENDA_DEFAULT_MINUTES = int(os.environ.get("AGENDA_DEFAULT_MINUTES", 10))

    MAIL_FROM = os.environ.get("MAIL_FROM", "Roundtable <roundtable@localhost>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", True)
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE / "outbox"))
    # Where `flask backup` and `flask restore` find pg_dump and pg_restore of the server's
    # version, when neither Debian's /usr/lib/postgresql/<version>/bin nor PATH has them.
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")

    PASSWORD_RESET_MAX_AGE = 60 * 60  # one hour
    WELCOME_LINK_MAX_AGE = 7 * 24 * 60 * 60  # a week to set a first password
    APPLICATION_DECISION_DAYS = int(os.environ.get("APPLICATION_DECISION_DAYS", 5))
    # Actions: owners are reminded this many days before the due date, and this many days
    # before the meeting where their action will be reviewed (`flask actions remind`).
    ACTIONS_REMIND_DAYS = int(os.environ.get("ACTIONS_REMIND_DAYS", 3))
    ACTIONS_REVIEW_REMIND_DAYS = int(os.environ.get("ACTIONS_REVIEW_REMIND_DAYS", 2))
    # Notifications: daily digests go with the first `flask notifications send-digests` run at
    # or after this hour (UK time); the header's bell checks the unread count this often.
    NOTIFICATIONS_DIGEST_HOUR = int(os.environ.get("NOTIFICATIONS_DIGEST_HOUR", 7))
    NOTIFICATIONS_POLL_SECONDS = int(os.environ.get("NOTIFICATIONS_POLL_SECONDS", 45))

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Reverse proxies in front of the app. Each one's X-Forwarded-* headers are then trusted,
    # so rate limits see the client's address rather than the proxy's. 0: none trusted.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", 0))
    TEMPLATES_STRICT = False


class DevConfig(Config):
    """Local development: strict templates so a missing variable fails loudly."""

    TEMPLATES_STRICT = True


class TestConfig(Config):
    """The test suite: its own database, no CSRF unless a test asks for it, strict templates."""

    TESTING = True
    TEMPLATES_STRICT = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Other areas' tests post as brand-new members; tests/moderation switches holding on.
    MODERATION_HOLD_FIRST_POSTS = 0
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://localhost"
