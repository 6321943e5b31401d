"""Everything Roundtable holds about one member, as plain data for a JSON download.

Only the member's own records, found by their user id (and their email address, for the
applications they sent before they had an account): a fixed number of queries, whatever the
amount. Other people appear by user id at most, never by name or address. Secrets are left
out (the password hash, the calendar feed's token): the export says whether they exist.
"""

from datetime import date, datetime

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import (
    Action,
    ActionEvent,
    ActionFollower,
    ActionOwner,
    ActionReminder,
    Appeal,
    Application,
    AuditEvent,
    Board,
    Flag,
    Follow,
    Meeting,
    MemberWarning,
    Notification,
    NotificationSettings,
    Post,
    PostRevision,
    Registration,
    Suspension,
    User,
    Vote,
)
from app.timeutil import utcnow

FORMAT_VERSION = 1


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj, names: tuple[str, ...], **extra) -> dict:
    """The named attributes of obj (a model or a row), dates as ISO 8601 text."""
    data = {name: _value(getattr(obj, name)) for name in names}
    data.update({key: _value(value) for key, value in extra.items()})
    return data


def _all(query) -> list:
    return list(db.session.execute(query).all())


def _models(query) -> list:
    return list(db.session.scalars(query).all())


def export_data(user: User) -> dict:
    """The member's data as a dict ready for json.dumps: profile, roles, registrations, posts
    with their earlier versions, votes, reports, actions, notifications, applications,
    moderation records about them and the audit events that concern them."""
    uid = user.id
    posts = _all(
        select(Post, Board.meeting_id)
        .join(Board, Board.id == Post.board_id)
        .where(Post.author_id == uid)
        .order_by(Post.created_at, Post.id)
    )
    revisions: dict[int, list[dict]] = {}
    for revision in _models(
        select(PostRevision)
        .join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == uid)
        .order_by(PostRevision.post_id, PostRevision.created_at, PostRevision.id)
    ):
        revisions.setdefault(revision.post_id, []).append(
            _row(revision, ("title", "body", "written_at"), replaced_at=revision.created_at)
        )

    return {
        "format": "roundtable-member-data",
        "version": FORMAT_VERSION,
        "exported_at": _value(utcnow()),
        "profile": _row(
            user,
            (
                "id",
                "email",
                "display_name",
                "pronouns",
                "organisation",
                "place",
                "bio",
                "created_at",
                "last_login_at",
                "active",
            ),
            has_password=bool(user.password_hash),
            has_calendar_feed=bool(user.calendar_token),
        ),
        "roles": user.role_names,
        "registrations": [
            _row(
                r.Registration,
                ("meeting_id", "status", "created_at", "promoted_at"),
                meeting_title=r.title,
                meeting_starts_at=r.starts_at,
            )
            for r in _all(
                select(Registration, Meeting.title, Meeting.starts_at)
                .join(Meeting, Meeting.id == Registration.meeting_id)
                .where(Registration.user_id == uid)
                .order_by(Meeting.starts_at)
            )
        ],
        "posts": [
            _row(
                p.Post,
                (
                    "id",
                    "kind",
                    "board_id",
                    "root_id",
                    "parent_id",
                    "title",
                    "body",
                    "anonymous",
                    "phase",
                    "created_at",
                    "edited_at",
                    "removed_at",
                    "held_at",
                    "hidden_at",
                    "moderation_note",
                    "vote_count",
                ),
                meeting_id=p.meeting_id,
                revisions=revisions.get(p.Post.id, []),
            )
            for p in posts
        ],
        "votes": [
            _row(v.Vote, ("post_id", "created_at"), question=v.title)
            for v in _all(
                select(Vote, Post.title)
                .join(Post, Post.id == Vote.post_id)
                .where(Vote.user_id == uid)
                .order_by(Vote.created_at)
            )
        ],
        "reports": [
            _row(f, ("post_id", "reason", "note", "created_at", "resolved_at"))
            for f in _models(select(Flag).where(Flag.user_id == uid).order_by(Flag.created_at))
        ],
        "actions": _actions(uid),
        "notifications": [
            _row(
                n,
                ("kind", "text", "excerpt", "post_id", "meeting_id", "action_id", "created_at"),
                read_at=n.read_at,
                emailed_at=n.emailed_at,
            )
            for n in _models(
                select(Notification)
                .where(Notification.user_id == uid)
                .order_by(Notification.created_at, Notification.id)
            )
        ],
        "follows": [
            _row(f, ("thread_id", "board_id", "created_at"))
            for f in _models(select(Follow).where(Follow.user_id == uid).order_by(Follow.id))
        ],
        "notification_settings": _settings(uid),
        "applications": [
            _row(
                a,
                (
                    "id",
                    "name",
                    "email",
                    "organisation",
                    "place",
                    "job_role",
                    "criteria_statement",
                    "status",
                    "decision_note",
                    "created_at",
                    "decided_at",
                ),
            )
            for a in _models(
                select(Application)
                .where(
                    or_(
                        Application.user_id == uid,
                        func.lower(Application.email) == (user.email or "").lower(),
                    )
                )
                .order_by(Application.created_at)
            )
        ],
        "moderation": _moderation(uid),
        "audit_events": [
            _row(
                e,
                ("id", "action", "subject_type", "subject_id", "reason", "created_at"),
                by_you=e.actor_id == uid,
                about_you=e.subject_user_id == uid,
            )
            for e in _models(
                select(AuditEvent)
                .where(or_(AuditEvent.actor_id == uid, AuditEvent.subject_user_id == uid))
                .order_by(AuditEvent.created_at, AuditEvent.id)
            )
        ],
    }


def _actions(uid: int) -> dict:
    """Actions they proposed, own (or were invited to), follow; the timeline lines by or
    about them; the reminders sent to them."""
    fields = ("id", "title", "detail", "status", "due_on", "created_at")
    owned = _all(
        select(ActionOwner, Action.title)
        .join(Action, Action.id == ActionOwner.action_id)
        .where(ActionOwner.user_id == uid)
        .order_by(ActionOwner.created_at, ActionOwner.id)
    )
    followed = _all(
        select(ActionFollower, Action.title)
        .join(Action, Action.id == ActionFollower.action_id)
        .where(ActionFollower.user_id == uid)
        .order_by(ActionFollower.created_at)
    )
    return {
        "proposed": [
            _row(a, fields)
            for a in _models(select(Action).where(Action.proposer_id == uid).order_by(Action.id))
        ],
        "owned": [
            _row(
                o.ActionOwner,
                ("action_id", "state", "created_at", "responded_at"),
                title=o.title,
            )
            for o in owned
        ],
        "followed": [
            _row(f.ActionFollower, ("action_id", "created_at"), title=f.title) for f in followed
        ],
        "events": [
            _row(
                e,
                ("action_id", "kind", "from_status", "to_status", "text", "detail", "created_at"),
                by_you=e.actor_id == uid,
                about_you=e.subject_user_id == uid,
            )
            for e in _models(
                select(ActionEvent)
                .where(or_(ActionEvent.actor_id == uid, ActionEvent.subject_user_id == uid))
                .order_by(ActionEvent.created_at, ActionEvent.id)
            )
        ],
        "reminders": [
            _row(r, ("action_id", "kind", "sent_at"))
            for r in _models(
                select(ActionReminder)
                .where(ActionReminder.user_id == uid)
                .order_by(ActionReminder.sent_at)
            )
        ],
    }


def _settings(uid: int) -> dict | None:
    settings = db.session.get(NotificationSettings, uid)
    if settings is None:
        return None
    return _row(
        settings,
        ("reply", "mention", "follow", "agenda", "action", "meeting", "meeting_digest_days"),
    )


def _moderation(uid: int) -> dict:
    """Warnings given to them, their suspensions and their appeals (moderators by id only)."""
    return {
        "warnings": [
            _row(w, ("post_id", "message", "created_at", "seen_at"))
            for w in _models(
                select(MemberWarning)
                .where(MemberWarning.user_id == uid)
                .order_by(MemberWarning.created_at)
            )
        ],
        "suspensions": [
            _row(s, ("days", "reason", "starts_at", "ends_at", "lifted_at", "lift_reason"))
            for s in _models(
                select(Suspension).where(Suspension.user_id == uid).order_by(Suspension.starts_at)
            )
        ],
        "appeals": [
            _row(a, ("event_id", "post_id", "reason", "created_at", "decided_at", "outcome"))
            for a in _models(
                select(Appeal).where(Appeal.user_id == uid).order_by(Appeal.created_at)
            )
        ],
    }
