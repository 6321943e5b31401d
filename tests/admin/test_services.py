"""Admin services: role changes, the last-admin guard (also under a real race), and searches."""

import threading

import pytest
from sqlalchemy import func, select, update

from app.admin import services
from app.extensions import db
from app.models import AuditEvent, Role, User
from tests.conftest import client_as


def _admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.roles.op("&")(int(Role.ADMIN)) != 0)
    )


def test_set_roles_grants_and_revokes_with_one_event_each(make):
    actor = make.user(roles=Role.ADMIN)
    person = make.user(roles=Role.MEMBER | Role.MODERATOR)
    change = services.set_roles(person, actor, Role.MEMBER | Role.FACILITATOR | Role.ADMIN)
    assert change.granted == [Role.FACILITATOR, Role.ADMIN]
    assert change.revoked == [Role.MODERATOR]
    assert Role(person.roles) == Role.MEMBER | Role.FACILITATOR | Role.ADMIN
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.detail) for e in events] == [
        ("role.granted", "Facilitator"),
        ("role.granted", "Admin"),
        ("role.revoked", "Moderator"),
    ]


def test_set_roles_without_change_records_nothing(make):
    actor = make.user(roles=Role.ADMIN)
    person = make.user()
    assert not services.set_roles(person, actor, Role.MEMBER).changed
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_own_admin_role_cannot_be_removed(make):
    admin = make.user(roles=Role.MEMBER | Role.ADMIN)
    make.user(roles=Role.ADMIN)
    with pytest.raises(services.RoleChangeRefused, match="your own admin role"):
        services.set_roles(admin, admin, Role.MEMBER)
    assert admin.holds(Role.ADMIN)


def test_last_admin_keeps_the_role(make):
    only_admin = make.user(roles=Role.ADMIN)
    make.user(roles=Role.ADMIN, active=False)  # a closed account cannot look after the site
    someone = make.user(roles=Role.FACILITATOR)
    with pytest.raises(services.RoleChangeRefused, match="last admin"):
        services.set_roles(only_admin, someone, Role.MEMBER)
    db.session.expire_all()
    assert db.session.get(User, only_admin.id).holds(Role.ADMIN)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_change_based_on_stale_roles_is_refused(make):
    actor = make.user(roles=Role.ADMIN)
    person = make.user(roles=Role.MEMBER)
    # Another admin grants Moderator after this page was loaded.
    db.session.execute(
        update(User)
        .where(User.id == person.id)
        .values(roles=int(Role.MEMBER | Role.MODERATOR))
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(services.RoleChangeRefused, match="changed this person's roles"):
        services.set_roles(person, actor, Role.MEMBER | Role.FACILITATOR)
    assert Role(person.roles) == Role.MEMBER | Role.MODERATOR


def test_people_query_escapes_wildcards_and_filters_roles(make):
    make.user(name="50% Done", email="half@example.org")
    make.user(name="Fifty", email="fifty@example.org", roles=Role.MEMBER | Role.FACILITATOR)
    names = lambda query: [u.display_name for u in db.session.scalars(query)]  # noqa: E731
    assert names(services.people_query("%")) == ["50% Done"]
    assert names(services.people_query("", Role.FACILITATOR)) == ["Fifty"]
    assert names(services.people_query("FIF")) == ["Fifty"]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, monkeypatch):
    """Each request passes the permission check while both are admins; one must be refused."""
    first = client_as(app, Role.MEMBER | Role.ADMIN, name="First Admin")
    second = client_as(app, Role.MEMBER | Role.ADMIN, name="Second Admin")
    barrier = threading.Barrier(2, timeout=10)
    original = services._lock_admins

    def lock_together():
        barrier.wait()
        original()

    monkeypatch.setattr(services, "_lock_admins", lock_together)
    statuses, errors = [], []

    def demote(client, target_id):
        try:
            response = client.post(f"/admin/people/{target_id}/roles", data={"roles": ["member"]})
            statuses.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 (reported in the main thread)
            errors.append(error)

    threads = [
        threading.Thread(target=demote, args=(first, second.user_id)),
        threading.Thread(target=demote, args=(second, first.user_id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(statuses) == [302, 422]
    with app.app_context():
        assert _admins() == 1
        revoked = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "role.revoked")
        ).all()
        assert len(revoked) == 1
