"""Admin rules: finding people, granting and revoking roles, and the role-change history.

Services flush and never commit; the route commits once.
"""

from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from app import audit
from app.extensions import db
from app.models import ALL_ROLES, AuditEvent, Role, SiteText, User

PER_PAGE = 25
HISTORY_LIMIT = 50
ROLE_ACTIONS = ("role.granted", "role.revoked")

OWN_ADMIN_MESSAGE = "You cannot remove your own admin role. Ask another admin to do it"
LAST_ADMIN_MESSAGE = "You cannot remove the admin role from the last admin"
CHANGED_MEANWHILE_MESSAGE = (
    "Someone else changed this person's roles just now. Check the roles below and save again"
)


def people_query(q: str = "", role: Role | None = None):
    """Accounts by name, matching q in the name or email address, holding role if given."""
    query = select(User).order_by(func.lower(User.display_name), User.id)
    if q:
        query = query.where(
            or_(
                User.display_name.icontains(q, autoescape=True),
                User.email.icontains(q, autoescape=True),
            )
        )
    if role is not None:
        # The role itself, not the admin shortcut: "facilitators" lists people granted it.
        query = query.where(User.roles.op("&")(int(role)) != 0)
    return query


def people_count() -> int:
    """How many accounts exist, open or closed."""
    return db.session.scalar(select(func.count(User.id)))


def texts_by_key(keys) -> dict[str, SiteText]:
    """The stored site texts among keys, with who last edited them, in one query."""
    rows = db.session.scalars(
        select(SiteText)
        .where(SiteText.key.in_(list(keys)))
        .options(joinedload(SiteText.updated_by))
    )
    return {text.key: text for text in rows}


class RoleChangeRefused(Exception):
    """Raised when a role change would lock the site out of its admin area; nothing changed."""


@dataclass
class RoleChange:
    granted: list[Role] = field(default_factory=list)
    revoked: list[Role] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.granted or self.revoked)


def _lock_admins() -> None:
    """On PostgreSQL, lock every admin row so two admins demoting each other queue up.

    The second then sees the first's change and the last-admin check refuses it. SQLite has no
    FOR UPDATE, but it lets only one writer in at a time, which gives the same guarantee.
    """
    db.session.execute(
        select(User.id).where(User.roles.op("&")(int(Role.ADMIN)) != 0).with_for_update()
    ).all()


def set_roles(target: User, actor: User, wanted: Role) -> RoleChange:
    """Give target exactly the wanted roles and audit each role granted or revoked.

    Raises RoleChangeRefused when an admin removes their own admin role, when target is the last
    active admin, or when someone else changed target's roles since they were read.
    """
    current = Role(target.roles or 0)
    change = RoleChange(
        granted=[r for r in ALL_ROLES if r in wanted and r not in current],
        revoked=[r for r in ALL_ROLES if r in current and r not in wanted],
    )
    if not change.changed:
        return change
    removing_admin = Role.ADMIN in change.revoked
    if removing_admin and target.id == actor.id:
        raise RoleChangeRefused(OWN_ADMIN_MESSAGE)

    # A conditional UPDATE: it applies only to the roles we read (no lost update) and, when the
    # admin role goes, only while another active admin remains.
    conditions = [User.id == target.id, User.roles == int(current)]
    if removing_admin:
        _lock_admins()
        other = aliased(User)
        conditions.append(
            exists().where(
                other.id != target.id,
                other.active.is_(True),
                other.roles.op("&")(int(Role.ADMIN)) != 0,
            )
        )
    result = db.session.execute(
        update(User)
        .where(*conditions)
        .values(roles=int(wanted))
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(target)
    if result.rowcount != 1:
        if Role(target.roles or 0) != current:
            raise RoleChangeRefused(CHANGED_MEANWHILE_MESSAGE)
        raise RoleChangeRefused(LAST_ADMIN_MESSAGE)

    for role in change.granted:
        audit.record(
            actor, "role.granted", "user", target.id, subject_user=target, detail=role.label
        )
    for role in change.revoked:
        audit.record(
            actor, "role.revoked", "user", target.id, subject_user=target, detail=role.label
        )
    return change


def role_history(person: User) -> list[AuditEvent]:
    """The person's role changes from the audit trail, newest first, at most 50, with actors."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_user_id == person.id,
                AuditEvent.action.in_(ROLE_ACTIONS),
            )
            .options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
