"""Joining the community: site texts, applications, and deciding them exactly once.

Services flush and never commit; the route commits once, then sends any email, so that a mail
failure cannot leave a half-written decision behind.
"""

import logging
from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app import audit
from app.content import render_markdown
from app.extensions import db
from app.mail import external_url, send_email
from app.models import Application, ApplicationStatus, Role, SiteText, User
from app.notifications import services as notify
from app.timeutil import utcnow
from app.tokens import password_token

log = logging.getLogger(__name__)

PER_PAGE = 25

# The texts admins can edit: key -> (default title, default Markdown, the page that shows it).
TEXTS = {
    "about": (
        "About Roundtable",
        "Roundtable brings together practitioners working to make their places fairer.",
        "main.home",
    ),
    "joining_criteria": (
        "Joining criteria",
        "Roundtable is for people who work for or with a particular place in the UK. "
        "Tell us about your work when you apply, and a facilitator will review your application.",
        "community.criteria",
    ),
    "guidelines": (
        "Community guidelines",
        "Be kind, be curious, and keep what others share in confidence. "
        "Moderators may hide posts that break these guidelines.",
        "community.guidelines",
    ),
}

PENDING_MESSAGE = (
    "You already have an application waiting for a decision. "
    "Use the link in your confirmation email to check its progress"
)
MEMBER_EXISTS_MESSAGE = (
    "There is already a member account for this email address. Log in, or reset your password"
)


# Site texts --------------------------------------------------------------------------------


def page_text(key: str) -> SiteText:
    """The stored text for key, or an unsaved default so a fresh site never shows an error."""
    text = db.session.get(SiteText, key)
    if text is not None:
        return text
    title, body, _ = TEXTS[key]
    return SiteText(key=key, title=title, body=body, body_html=render_markdown(body))


def save_text(key: str, title: str, body: str, editor: User) -> SiteText:
    """Create or update the text, render its Markdown once, and audit the change."""
    text = db.session.get(SiteText, key)
    if text is None:
        text = SiteText(key=key)
        db.session.add(text)
    text.title = title
    text.body = body
    text.body_html = render_markdown(body)
    text.updated_by_id = editor.id
    text.updated_at = utcnow()
    db.session.flush()
    audit.record(editor, "text.updated", "site_text", detail=key)
    return text


# Applying ----------------------------------------------------------------------------------


def member_for_email(email: str) -> User | None:
    """The account already using this address, if any (addresses are stored lower-cased)."""
    return db.session.scalar(select(User).where(User.email == email.lower()))


def pending_application_for(email: str) -> Application | None:
    """The application from this address still waiting for a decision, if any."""
    return db.session.scalar(
        select(Application).where(
            Application.email == email.lower(),
            Application.status == ApplicationStatus.PENDING,
        )
    )


def submit_application(**fields) -> Application:
    """Store a new pending application and flush.

    The partial unique index refuses a second pending application from the same address, so the
    flush raises IntegrityError when another request won the race after the checks in the form.
    """
    application = Application(status=ApplicationStatus.PENDING, **fields)
    db.session.add(application)
    db.session.flush()
    return application


def application_by_token(token: str) -> Application | None:
    """The application whose private status link carries token."""
    if len(token) > 64:
        return None
    return db.session.scalar(select(Application).where(Application.status_token == token))


# The review queue --------------------------------------------------------------------------


def queue_query(decided: bool):
    """Pending applications oldest first, or decided ones newest decision first."""
    query = select(Application)
    if decided:
        return (
            query.where(Application.status != ApplicationStatus.PENDING)
            .options(joinedload(Application.decided_by))
            .order_by(Application.decided_at.desc(), Application.id.desc())
        )
    return query.where(Application.status == ApplicationStatus.PENDING).order_by(
        Application.created_at, Application.id
    )


def pending_count() -> int:
    """How many applications are waiting for a decision."""
    return db.session.scalar(
        select(func.count(Application.id)).where(Application.status == ApplicationStatus.PENDING)
    )


# Deciding ----------------------------------------------------------------------------------


class AlreadyDecided(Exception):
    """Raised when someone else decided the application first; nothing was changed."""

    def __init__(self, application: Application):
        self.application = application
        who = application.decided_by.display_name if application.decided_by else "someone else"
        super().__init__(f"This application was already decided by {who}.")


@dataclass
class Decision:
    application: Application
    user: User | None = None
    created_account: bool = False


def _claim(application: Application, decider: User, status: str, note: str) -> None:
    """Move the application out of pending with one conditional UPDATE, or raise AlreadyDecided.

    The WHERE status='pending' makes the database the referee: of two people deciding at once,
    exactly one UPDATE matches a row (PostgreSQL re-checks the row after the first commits;
    SQLite lets one writer in at a time).
    """
    result = db.session.execute(
        update(Application)
        .where(
            Application.id == application.id,
            Application.status == ApplicationStatus.PENDING,
        )
        .values(
            status=status,
            decision_note=note,
            decided_by_id=decider.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    # Load what the database now holds: our decision, or the one that got there first.
    db.session.refresh(application)
    if result.rowcount != 1:
        raise AlreadyDecided(application)


def approve(application: Application, decider: User, note: str = "") -> Decision:
    """Approve once: create the member account, or grant MEMBER to one made meanwhile; audit it.

    Raises AlreadyDecided when the application is no longer pending.
    """
    _claim(application, decider, ApplicationStatus.APPROVED, note)
    user = member_for_email(application.email)
    created = user is None
    if created:
        user = User(
            email=application.email.lower(),
            display_name=application.name[:80],
            organisation=application.organisation,
            place=application.place,
            roles=int(Role.MEMBER),
            password_hash=None,
        )
        db.session.add(user)
    granted_member = not created and not user.holds(Role.MEMBER)
    if granted_member:
        user.roles = int(Role(user.roles or 0) | Role.MEMBER)
    db.session.flush()
    application.user_id = user.id
    if granted_member:
        # Keeps the person's role history (admin roles page) complete.
        audit.record(
            decider, "role.granted", "user", user.id, subject_user=user, detail=Role.MEMBER.label
        )
    audit.record(
        decider,
        "application.approved",
        "application",
        application.id,
        subject_user=user,
        reason=note,
        detail="account created" if created else "existing account linked",
    )
    notify.application_approved(application, user, decider)
    return Decision(application, user, created)


def decline(application: Application, decider: User, note: str) -> Decision:
    """Decline once with a note the applicant will read; audit it.

    Raises AlreadyDecided when the application is no longer pending.
    """
    _claim(application, decider, ApplicationStatus.DECLINED, note)
    audit.record(decider, "application.declined", "application", application.id, reason=note)
    return Decision(application)


# Emails (queued with the change, sent once the route commits) --------------------------------


def _send(to: str, subject: str, template: str, **context) -> bool:
    """Queue one email; if it cannot be written, log it and return False (the change stands)."""
    try:
        send_email(to, subject, render_template(template, **context))
    except Exception:  # template or URL-building errors alike: report, don't undo the decision
        log.exception("could not send %r to %s", subject, to)
        return False
    return True


def send_confirmation(application: Application) -> bool:
    """Thank the applicant and give them their private status link."""
    return _send(
        application.email,
        "We have received your application to join Roundtable",
        "community/email/confirmation.txt",
        application=application,
        status_url=external_url("community.application_status", token=application.status_token),
        days=current_app.config["APPLICATION_DECISION_DAYS"],
    )


def send_approval(decision: Decision) -> bool:
    """Welcome the new member: a link to set a password, or to log in if they already have one."""
    user = decision.user
    needs_password = not user.password_hash
    return _send(
        user.email,
        "Welcome to Roundtable",
        "community/email/approved.txt",
        application=decision.application,
        user=user,
        needs_password=needs_password,
        welcome_url=(
            external_url("auth.welcome", token=password_token(user, "welcome"))
            if needs_password
            else None
        ),
        login_url=external_url("auth.login"),
    )


def send_decline(decision: Decision) -> bool:
    """Tell the applicant the decision and the reviewer's note."""
    application = decision.application
    return _send(
        application.email,
        "Your application to join Roundtable",
        "community/email/declined.txt",
        application=application,
        status_url=external_url("community.application_status", token=application.status_token),
    )
