"""Members' email settings, and the signed one-click unsubscribe links in every email."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from app.extensions import db
from app.models import Notification, NotificationSettings, User
from app.models.notifications import EmailMode, Kind

# What an unsubscribe link may stop: one kind, the daily digest, the meetings' digests, or all.
DIGEST = "digest"
MEETING_DIGEST = "meeting_digest"
ALL = "all"
UNSUBSCRIBABLE = (*Kind.EMAILED, DIGEST, MEETING_DIGEST, ALL)
MEETING_DIGEST_DAYS_MAX = 14

# What each link stops, in the words of the confirmation page ("Stop emails about ...").
UNSUBSCRIBE_LABELS = {
    **{kind: Kind.LABELS[kind].lower() for kind in Kind.EMAILED},
    DIGEST: "the daily digest",
    MEETING_DIGEST: "digests before meetings you registered for",
    ALL: "everything Roundtable can stop emailing you",
}


def settings_for(user_id: int) -> NotificationSettings:
    """The member's settings, or an unsaved row of defaults when they never saved any."""
    saved = db.session.get(NotificationSettings, user_id)
    return saved if saved is not None else NotificationSettings.defaults(user_id)


def save(user: User, modes: dict[str, str], meeting_digest_days: int) -> NotificationSettings:
    """Store the member's choices, and apply them to emails still waiting to go: a kind turned
    off sends nothing more, a kind moved between immediate and daily goes the new way."""
    for kind, mode in modes.items():
        if kind not in Kind.EMAILED or mode not in EmailMode.ALL:
            raise ValueError(f"bad setting {kind}={mode}")
    row = db.session.get(NotificationSettings, user.id)
    if row is None:
        row = NotificationSettings.defaults(user.id)
        db.session.add(row)
    for kind, mode in modes.items():
        setattr(row, kind, mode)
    row.meeting_digest_days = max(0, min(int(meeting_digest_days), MEETING_DIGEST_DAYS_MAX))
    db.session.flush()
    for kind, mode in modes.items():
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.kind == kind,
                Notification.emailed_at.is_(None),
                Notification.email != "",
            )
            .values(email="" if mode == EmailMode.OFF else mode),
            execution_options={"synchronize_session": False},
        )
    return row


def unsubscribe(user: User, what: str) -> NotificationSettings:
    """Stop what a link names: one kind, every kind in the daily digest, the meetings'
    digests, or all of it."""
    current = settings_for(user.id)
    modes = {kind: current.mode(kind) for kind in Kind.EMAILED}
    days = current.meeting_digest_days
    if what in Kind.EMAILED:
        modes[what] = EmailMode.OFF
    elif what == DIGEST:
        modes = {k: EmailMode.OFF if m == EmailMode.DAILY else m for k, m in modes.items()}
    elif what == MEETING_DIGEST:
        days = 0
    elif what == ALL:
        modes = dict.fromkeys(modes, EmailMode.OFF)
        days = 0
    else:
        raise ValueError(what)
    return save(user, modes, days)


# Unsubscribe links ---------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    # Purpose "unsubscribe" in the salt: a token for another purpose never passes here.
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="roundtable-unsubscribe")


def unsubscribe_token(user_id: int, what: str) -> str:
    """A signed token naming the member and what to stop. It does not expire: a link in an old
    email must still work, and all it can do is stop emails."""
    if what not in UNSUBSCRIBABLE:
        raise ValueError(what)
    return _serializer().dumps({"u": user_id, "k": what})


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """(member, what) for a genuine token of an existing account, else None."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, what = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or what not in UNSUBSCRIBABLE:
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        return None
    return user, what
