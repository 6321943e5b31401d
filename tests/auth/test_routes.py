"""Logging in and out: the form, one message for every failure, sessions, cookies, CSRF, next."""

import re

import pytest

from app import create_app
from app.config import TestConfig
from tests.auth.conftest import csrf_token_from, log_in, logged_in_as
from tests.conftest import app_on_test_database
from tests.factories import PASSWORD

LOGIN_FAILED = "Enter a correct email address and password"


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def cookie_named(response, name: str) -> str | None:
    return next((c for c in set_cookies(response) if c.startswith(f"{name}=")), None)


# The form ---------------------------------------------------------------------------------


def test_login_page_has_an_accessible_form(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Log in</h1>" in page
    assert "novalidate" in page
    assert re.search(r'<input[^>]*autocomplete="email"[^>]*type="email"', page) or re.search(
        r'<input[^>]*type="email"[^>]*autocomplete="email"', page
    )
    assert 'autocomplete="current-password"' in page and 'type="password"' in page
    assert 'type="checkbox"' in page and "Remember me" in page
    assert 'href="/auth/forgot-password"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_login_logs_in_and_goes_home(client, people):
    user = people.add(email="amara@example.org")
    assert user.last_login_at is None
    response = log_in(client, "amara@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in_as(client) == user.get_id()
    assert people.get(user.id).last_login_at is not None
    home = client.get("/").get_data(as_text=True)
    assert "You are logged in" in home


def test_login_ignores_case_and_spaces_in_the_address(client, people):
    user = people.add(email="amara@example.org")
    assert log_in(client, "  Amara@Example.ORG ").status_code == 302
    assert logged_in_as(client) == user.get_id()


def test_login_renews_the_session(client, people):
    people.add(email="amara@example.org")
    with client.session_transaction() as session:
        session["left_by_a_visitor"] = "x"
        session["csrf_token"] = "old-token"
    log_in(client, "amara@example.org")
    with client.session_transaction() as session:
        assert "left_by_a_visitor" not in session
        assert session.get("csrf_token") != "old-token"
        assert session["_user_id"]


def make_failure_case(people, case, email="amara@example.org"):
    """Set up one of the four ways a log-in fails; returns the email and password to try."""
    if case == "unknown email":
        return email, PASSWORD
    if case == "wrong password":
        people.add(email=email)
        return email, "not the right password"
    if case == "no password yet":
        people.add(email=email, password=None)
        return email, PASSWORD
    if case == "closed account":
        people.add(email=email, active=False)
        return email, PASSWORD
    raise AssertionError(case)


FAILURES = ["unknown email", "wrong password", "no password yet", "closed account"]


@pytest.mark.parametrize("case", FAILURES)
def test_every_failed_login_gets_the_same_answer(client, people, case):
    email, password = make_failure_case(people, case)
    response = log_in(client, email, password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(LOGIN_FAILED) == 2  # in the error summary and next to the field
    assert "<title>Error: Log in" in page
    assert logged_in_as(client) is None
    assert password not in page


def test_failed_logins_are_indistinguishable(app, people):
    """The whole page is the same for all four failures, once the typed address is set aside."""
    answers = set()
    for n, case in enumerate(FAILURES):
        email, password = make_failure_case(people, case, email=f"person-{n}@example.org")
        response = log_in(app.test_client(), email, password)
        page = response.get_data(as_text=True).replace(email, "@")
        # Each new browser session has its own CSRF token; nothing else may differ.
        page = re.sub(r'"X-CSRFToken": "[^"]+"', "TOKEN", page)
        answers.add((response.status_code, page))
    assert len(answers) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "password": PASSWORD}, "email", "Enter your email address"),
        (
            {"email": "amara.example.org", "password": PASSWORD},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"email": "amara@example.org", "password": ""}, "password", "Enter your password"),
    ],
)
def test_login_validation_errors(client, people, data, field, message):
    people.add(email="amara@example.org")
    response = client.post("/auth/login", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<a href="#{field}">{message}</a>' in page  # error summary links to the field
    assert f'id="{field}-error"' in page and message in page
    assert 'aria-invalid="true"' in page
    if data["email"]:
        assert f'value="{data["email"]}"' in page  # what was typed is kept
    assert PASSWORD not in page  # the password never is
    assert logged_in_as(client) is None


def test_remember_me_cookie_only_when_ticked(app, people):
    people.add(email="amara@example.org")
    plain = log_in(app.test_client(), "amara@example.org")
    assert cookie_named(plain, "remember_token") is None
    ticked = log_in(app.test_client(), "amara@example.org", remember="y")
    cookie = cookie_named(ticked, "remember_token")
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_cookie_logs_in_a_new_browser_session(app, people):
    people.add(email="amara@example.org")
    first = app.test_client()
    log_in(first, "amara@example.org", remember="y")
    later = app.test_client()  # the session cookie is gone; only the remember cookie is left
    later.set_cookie("remember_token", first.get_cookie("remember_token").value)
    assert later.get("/auth/profile").status_code == 200


def test_session_cookie_is_httponly_and_lax(client, people):
    people.add(email="amara@example.org")
    cookie = cookie_named(log_in(client, "amara@example.org"), "session")
    assert cookie is not None
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_https_base_url_makes_cookies_secure(_schema, database_uri, tmp_path):
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**settings, "BASE_URL": "https://roundtable.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    with app_on_test_database(
        database_uri, tmp_path / "outbox", BASE_URL="https://roundtable.example.org"
    ) as secure_app:
        from tests.auth.conftest import People

        People(secure_app).add(email="amara@example.org")
        response = log_in(secure_app.test_client(), "amara@example.org", remember="y")
        assert "Secure" in cookie_named(response, "session")
        assert "Secure" in cookie_named(response, "remember_token")


def test_plain_http_base_url_keeps_cookies_usable_locally(app):
    assert app.config["BASE_URL"].startswith("http://")
    assert app.config["SESSION_COOKIE_SECURE"] is False


# next ---------------------------------------------------------------------------------------


def test_login_returns_to_a_safe_next(client, people):
    people.add(email="amara@example.org")
    form = client.get("/auth/login?next=/auth/profile").get_data(as_text=True)
    assert 'action="/auth/login?next=/auth/profile"' in form or "next=%2Fauth%2Fprofile" in form
    response = client.post(
        "/auth/login?next=/auth/profile", data={"email": "amara@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/auth/profile"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "/\\evil.example"],
)
def test_login_never_redirects_off_site(client, people, target):
    people.add(email="amara@example.org")
    form = client.get("/auth/login", query_string={"next": target}).get_data(as_text=True)
    assert "evil" not in form and "javascript" not in form
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": "amara@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logged_in_people_visiting_login_go_home(client, people):
    people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    response = client.get("/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# Logging out ----------------------------------------------------------------------------------


def test_logout_needs_post(client):
    assert client.get("/auth/logout").status_code == 405


def test_logout_clears_the_session(client, people):
    people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    with client.session_transaction() as session:
        session["something_else"] = 1
    response = client.post("/auth/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "_user_id" not in session and "something_else" not in session
    assert "You have logged out" in client.get("/").get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302


def test_logout_forgets_the_remember_cookie(client, people):
    people.add(email="amara@example.org")
    log_in(client, "amara@example.org", remember="y")
    response = client.post("/auth/logout")
    cookie = cookie_named(response, "remember_token")
    assert cookie is not None and "Expires=Thu, 01 Jan 1970" in cookie
    assert client.get_cookie("remember_token") is None
    assert client.get("/auth/profile").status_code == 302


# CSRF -----------------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(app, client, people):
    people.add(email="amara@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    refused = log_in(client, "amara@example.org")
    assert refused.status_code == 400
    assert "This form has expired" in refused.get_data(as_text=True)
    assert logged_in_as(client) is None
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    accepted = log_in(client, "amara@example.org", csrf_token=token)
    assert accepted.status_code == 302
    assert logged_in_as(client) is not None


def test_logout_without_csrf_token_is_refused(app, client, people):
    people.add(email="amara@example.org")
    log_in(client, "amara@example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/auth/logout").status_code == 400
    assert logged_in_as(client) is not None


# Visitors on member pages ----------------------------------------------------------------------


def test_htmx_request_after_session_expiry_gets_hx_redirect(client):
    response = client.get(
        "/auth/profile",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://localhost/auth/profile/edit?section=bio",
        },
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/auth/login?next=/auth/profile/edit?section%3Dbio"
    assert response.get_data(as_text=True) == ""


def test_htmx_redirect_ignores_a_current_url_from_another_site(client):
    response = client.get(
        "/auth/profile",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/auth/login?next=/"
