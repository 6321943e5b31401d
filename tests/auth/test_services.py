"""Account rules without HTTP: credentials, reset emails, password changes, profiles."""

import pytest
from sqlalchemy import select

from app.auth import services
from app.auth.passwords import password_problem
from app.extensions import db
from app.models import AuditEvent
from app.tokens import user_from_password_token
from tests.conftest import email_body
from tests.factories import PASSWORD


@pytest.fixture
def request_ctx(app):
    """Services that build links or render emails need a request context."""
    with app.test_request_context():
        yield


def test_authenticate_returns_the_open_account(make):
    user = make.user(email="amara@example.org")
    assert services.authenticate("amara@example.org", PASSWORD) is user
    assert services.authenticate(" AMARA@example.org", PASSWORD) is user


@pytest.mark.parametrize(
    ("fields", "email", "password"),
    [
        ({}, "nobody@example.org", PASSWORD),
        ({}, "amara@example.org", "wrong password entirely"),
        ({}, "amara@example.org", ""),
        ({}, "", PASSWORD),
        ({"password": None}, "amara@example.org", PASSWORD),
        ({"active": False}, "amara@example.org", PASSWORD),
    ],
)
def test_authenticate_refuses(make, fields, email, password):
    make.user(email="amara@example.org", **fields)
    assert services.authenticate(email, password) is None


def test_authenticate_checks_a_hash_even_without_an_account(make, monkeypatch):
    """Unknown addresses cost as much as known ones, so timing tells nothing."""
    checked = []
    real = services.check_password_hash
    monkeypatch.setattr(
        services, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    assert len(checked) == 1 and checked[0].startswith("scrypt:")


def test_record_login_sets_last_login(make):
    user = make.user()
    services.record_login(user)
    assert user.last_login_at is not None and user.last_login_at.tzinfo is not None


def test_reset_request_sends_a_working_link(app, make, outbox, request_ctx):
    user = make.user(email="amara@example.org")
    db.session.commit()
    assert services.request_password_reset("Amara@Example.org") is True
    assert outbox() == []  # queued with the transaction: it goes when the route commits
    db.session.commit()
    [message] = outbox()
    body = email_body(message)
    token = body.split("/auth/reset-password/")[1].split()[0]
    assert user_from_password_token(token, "reset", 3600) is user
    assert user_from_password_token(token, "welcome", 3600) is None


@pytest.mark.parametrize("fields", [None, {"active": False}])
def test_reset_request_for_no_open_account_sends_nothing(make, outbox, request_ctx, fields):
    if fields is not None:
        make.user(email="amara@example.org", **fields)
    assert services.request_password_reset("amara@example.org") is False
    assert outbox() == []


def test_set_password_signs_out_other_sessions_and_is_audited(make):
    user = make.user()
    before = (user.get_id(), user.password_fingerprint)
    services.set_password(user, "a lantern by the canal", how="changed")
    assert user.get_id() != before[0] and user.password_fingerprint != before[1]
    assert user.password_hash.startswith("scrypt:")
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.actor_id, event.subject_user_id) == (
        "auth.password_changed",
        user.id,
        user.id,
    )


def test_update_profile(make):
    user = make.user(name="Amara")
    services.update_profile(
        user, display_name="Amara Okafor", organisation="", place="Northtown", bio="Hi", pronouns=""
    )
    assert (user.display_name, user.organisation, user.place, user.bio) == (
        "Amara Okafor",
        "",
        "Northtown",
        "Hi",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (None, []),
        ("One line", [["One line"]]),
        ("One\r\nTwo", [["One", "Two"]]),
        ("One\n\n\nTwo\nThree\n", [["One"], ["Two", "Three"]]),
        ("  \n  padded  \n  ", [["padded"]]),
    ],
)
def test_bio_paragraphs(text, expected):
    assert services.bio_paragraphs(text) == expected


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (60, "1 minute"),
        (30 * 60, "30 minutes"),
        (60 * 60, "60 minutes"),
        (2 * 60 * 60, "2 hours"),
        (24 * 60 * 60, "1 day"),
        (7 * 24 * 60 * 60, "7 days"),
    ],
)
def test_link_lifetime(seconds, words):
    assert services.link_lifetime(seconds) == words


@pytest.mark.parametrize(
    "password", ["levellingup123", "Roundtable2025", "communityofpractice", "aaaaaaaaaaaa"]
)
def test_common_and_community_passwords_are_refused(password):
    assert "too easy to guess" in password_problem(password)


def test_a_long_unusual_passphrase_is_accepted():
    assert password_problem("a lantern by the canal") is None
