"""Passwords: asking for a reset link, reset and welcome links, and changing one's password."""

import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.tokens import password_token
from tests.auth.conftest import log_in, logged_in_as
from tests.conftest import email_body
from tests.factories import PASSWORD

NEW = "a lantern by the canal"
INVALID_LINK = "This link has expired or has already been used"
SENT = "If that address has an account, we have sent a link to it."


def token_for(app, user, purpose):
    with app.app_context():
        return password_token(user, purpose)


def reset_link_from(message) -> str:
    match = re.search(r"http://localhost(/auth/reset-password/\S+)", email_body(message))
    assert match, email_body(message)
    return match.group(1)


def signed_in_elsewhere(app, user):
    """A second browser logged in as user (through the form, as a person would)."""
    other = app.test_client()
    log_in(other, user.email)
    assert other.get("/auth/profile").status_code == 200
    return other


# Asking for a link ----------------------------------------------------------------------------


def test_forgot_password_page(client):
    page = client.get("/auth/forgot-password").get_data(as_text=True)
    assert "<h1>Forgotten your password?</h1>" in page
    assert 'autocomplete="email"' in page and 'type="email"' in page and "novalidate" in page


def test_reset_request_emails_a_link(client, people, outbox):
    user = people.add(email="amara@example.org", name="Amara Okafor")
    response = client.post("/auth/forgot-password", data={"email": "Amara@example.org"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/forgot-password"
    assert SENT in client.get("/auth/forgot-password").get_data(as_text=True)
    [message] = outbox()
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your Roundtable password"
    body = email_body(message)
    assert "Hello Amara Okafor" in body and "within 60 minutes" in body
    assert reset_link_from(message).startswith("/auth/reset-password/")


@pytest.mark.parametrize("case", ["unknown", "closed"])
def test_reset_request_for_no_open_account_sends_nothing_and_says_the_same(
    client, people, outbox, case
):
    if case == "closed":
        people.add(email="amara@example.org", active=False)
    response = client.post("/auth/forgot-password", data={"email": "amara@example.org"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/forgot-password"
    assert SENT in client.get("/auth/forgot-password").get_data(as_text=True)
    assert outbox() == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("amara", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_reset_request_validation(client, outbox, email, message):
    response = client.post("/auth/forgot-password", data={"email": email})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<a href="#email">{message}</a>' in page and 'id="email-error"' in page
    assert f'value="{email}"' in page or not email
    assert outbox() == []


# Reset links --------------------------------------------------------------------------------


def test_reset_link_sets_the_password_and_logs_in(app, client, people, outbox):
    user = people.add(email="amara@example.org")
    client.post("/auth/forgot-password", data={"email": "amara@example.org"})
    link = reset_link_from(outbox()[0])
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Choose a new password</h1>" in html
    assert html.count('autocomplete="new-password"') == 2
    assert 'autocomplete="username"' in html and "amara@example.org" in html
    assert page.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as session:
        session["from_before"] = "x"

    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    changed = people.get(user.id)
    assert changed.check_password(NEW) and not changed.check_password(PASSWORD)
    assert changed.password_hash.startswith("scrypt:")
    assert logged_in_as(client) == changed.get_id()
    with client.session_transaction() as session:
        assert "from_before" not in session
    assert "Your password has been changed" in client.get("/").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions == ["auth.password_reset"]


def test_reset_link_works_once(client, people, outbox):
    user = people.add(email="amara@example.org")
    client.post("/auth/forgot-password", data={"email": "amara@example.org"})
    link = reset_link_from(outbox()[0])
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 302

    again = client.get(link)
    assert again.status_code == 400
    page = again.get_data(as_text=True)
    assert INVALID_LINK in page and 'href="/auth/forgot-password"' in page
    other = "another long passphrase"
    assert client.post(link, data={"password": other, "confirm": other}).status_code == 400
    assert people.get(user.id).check_password(NEW)


def test_expired_reset_link_is_refused(app, client, people):
    user = people.add(email="amara@example.org")
    link = f"/auth/reset-password/{token_for(app, user, 'reset')}"
    assert client.get(link).status_code == 200
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400 and INVALID_LINK in response.get_data(as_text=True)
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 400
    assert people.get(user.id).check_password(PASSWORD)


def test_forged_reset_links_are_refused(app, client, people):
    user = people.add(email="amara@example.org")
    good = token_for(app, user, "reset")
    other_key = URLSafeTimedSerializer("not-our-key", salt="roundtable-reset").dumps(
        {"u": user.id, "p": user.password_fingerprint}
    )
    for token in (
        "nonsense",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        other_key,
        token_for(app, user, "welcome"),  # a welcome link is not a reset link
    ):
        response = client.get(f"/auth/reset-password/{token}")
        assert response.status_code == 400, token
        assert INVALID_LINK in response.get_data(as_text=True)


def test_reset_link_of_a_closed_account_is_refused(app, client, people):
    user = people.add(email="amara@example.org", active=False)
    response = client.get(f"/auth/reset-password/{token_for(app, user, 'reset')}")
    assert response.status_code == 400


SET_PASSWORD_ERRORS = [
    ({"password": "", "confirm": ""}, "password", "Enter a new password"),
    ({"password": "short", "confirm": "short"}, "password", "characters or more"),
    ({"password": "password123", "confirm": "password123"}, "password", "too easy to guess"),
    ({"password": NEW, "confirm": ""}, "confirm", "Enter your new password again"),
    ({"password": NEW, "confirm": NEW + "!"}, "confirm", "Passwords do not match"),
]


@pytest.mark.parametrize(("data", "field", "message"), SET_PASSWORD_ERRORS)
def test_reset_form_validation(app, client, people, data, field, message):
    user = people.add(email="amara@example.org")
    link = f"/auth/reset-password/{token_for(app, user, 'reset')}"
    response = client.post(link, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert "There is a problem" in page and "<title>Error: " in page
    assert NEW not in page  # passwords are never sent back
    assert people.get(user.id).check_password(PASSWORD)
    assert client.get(link).status_code == 200  # the link still works after a mistake


def test_reset_signs_out_every_other_session(app, client, people):
    user = people.add(email="amara@example.org")
    elsewhere = signed_in_elsewhere(app, user)
    link = f"/auth/reset-password/{token_for(app, user, 'reset')}"
    client.post(link, data={"password": NEW, "confirm": NEW})
    assert client.get("/auth/profile").status_code == 200
    assert elsewhere.get("/auth/profile").status_code == 302


# Welcome links --------------------------------------------------------------------------------


def test_welcome_endpoint_is_where_the_community_area_sends_people(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("auth.welcome", token="abc") == "/auth/welcome/abc"


def test_welcome_link_sets_first_password_and_lands_on_profile(app, client, people):
    user = people.add(email="rhys@example.org", name="Rhys Evans", password=None)
    link = f"/auth/welcome/{token_for(app, user, 'welcome')}"
    page = client.get(link).get_data(as_text=True)
    assert "<h1>Choose a password</h1>" in page and "Welcome to Roundtable, Rhys Evans" in page
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/profile"
    assert people.get(user.id).check_password(NEW)
    profile = client.get("/auth/profile").get_data(as_text=True)
    assert "Success" in profile and "Welcome to Roundtable. Your password is set" in profile
    assert client.get(link).status_code == 400  # single use


def test_welcome_link_validation_keeps_its_heading(app, client, people):
    user = people.add(email="rhys@example.org", password=None)
    link = f"/auth/welcome/{token_for(app, user, 'welcome')}"
    response = client.post(link, data={"password": NEW, "confirm": "something else"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<h1>Choose a password</h1>" in page and "Passwords do not match" in page
    assert people.get(user.id).password_hash is None


def test_expired_or_wrong_welcome_links_are_refused(app, client, people):
    user = people.add(email="rhys@example.org", password=None)
    reset_token = token_for(app, user, "reset")
    assert client.get(f"/auth/welcome/{reset_token}").status_code == 400
    link = f"/auth/welcome/{token_for(app, user, 'welcome')}"
    app.config["WELCOME_LINK_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert INVALID_LINK in page and "Welcome links work once" in page
    assert 'href="/auth/forgot-password"' in page


# Changing one's password ----------------------------------------------------------------------


def test_change_password_page(client, people):
    people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    page = client.get("/auth/change-password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page
    assert page.count('autocomplete="new-password"') == 2
    assert page.index('id="current_password"') < page.index('id="password"')


def test_change_password_keeps_this_session_and_ends_the_others(app, client, people):
    user = people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    elsewhere = signed_in_elsewhere(app, user)
    response = client.post(
        "/auth/change-password",
        data={"current_password": PASSWORD, "password": NEW, "confirm": NEW},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/auth/profile"
    changed = people.get(user.id)
    assert changed.check_password(NEW)
    assert logged_in_as(client) == changed.get_id()
    profile = client.get("/auth/profile")
    assert profile.status_code == 200
    assert "Your password has been changed" in profile.get_data(as_text=True)
    assert elsewhere.get("/auth/profile").status_code == 302
    assert log_in(app.test_client(), "amara@example.org", NEW).status_code == 302


def test_change_password_renews_a_remember_cookie(app, client, people):
    user = people.add(email="amara@example.org")
    log_in(client, "amara@example.org", remember="y")
    old_cookie = client.get_cookie("remember_token").value
    client.post(
        "/auth/change-password",
        data={"current_password": PASSWORD, "password": NEW, "confirm": NEW},
    )
    new_cookie = client.get_cookie("remember_token").value
    assert new_cookie != old_cookie
    stale, fresh = app.test_client(), app.test_client()
    stale.set_cookie("remember_token", old_cookie)
    fresh.set_cookie("remember_token", new_cookie)
    assert stale.get("/auth/profile").status_code == 302
    assert fresh.get("/auth/profile").status_code == 200
    assert logged_in_as(client) == people.get(user.id).get_id()


def test_wrong_current_password_is_shown_next_to_that_field(client, people):
    user = people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    response = client.post(
        "/auth/change-password",
        data={"current_password": "not my password", "password": NEW, "confirm": NEW},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="current_password-error"' in page
    assert '<a href="#current_password">Your current password is not correct</a>' in page
    assert people.get(user.id).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current_password": "", "password": NEW, "confirm": NEW}, "current_password",
         "Enter your current password"),
        *[({"current_password": PASSWORD, **d}, f, m) for d, f, m in SET_PASSWORD_ERRORS],
    ],
)  # fmt: skip
def test_change_password_validation(client, people, data, field, message):
    user = people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    response = client.post("/auth/change-password", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert PASSWORD not in page and NEW not in page
    assert people.get(user.id).check_password(PASSWORD)


def test_change_password_is_for_logged_in_people_only(client):
    response = client.get("/auth/change-password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/auth/change-password"
    posted = client.post(
        "/auth/change-password",
        data={"current_password": PASSWORD, "password": NEW, "confirm": NEW},
    )
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith("/auth/login")


def test_reset_link_clears_a_remember_cookie_left_by_someone_else(app, client, people):
    """On a shared browser, a reset for Rhys must not leave Amara's remember-me cookie behind."""
    people.add(email="amara@example.org")
    rhys = people.add(email="rhys@example.org")
    log_in(client, "amara@example.org", remember="y")
    assert client.get_cookie("remember_token") is not None
    link = f"/auth/reset-password/{token_for(app, rhys, 'reset')}"
    client.post(link, data={"password": NEW, "confirm": NEW})
    assert client.get_cookie("remember_token") is None
    assert logged_in_as(client) == people.get(rhys.id).get_id()
