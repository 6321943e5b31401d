"""Rate limits on logging in (per IP and per account) and on asking for reset links.

Each test builds its own app with limits switched on (see limited_app in conftest.py).
"""

from tests.auth.conftest import People
from tests.factories import PASSWORD

WRONG = "not the right password"


def post_login(client, email, password=WRONG, ip="10.0.0.1"):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def assert_too_many(response):
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page and "Try again in" in page
    assert response.headers.get("Retry-After")


def test_login_limit_per_account_counts_failures_from_any_address(limited_app):
    app = limited_app(RATELIMIT_LOGIN_ACCOUNT="2 per minute", RATELIMIT_LOGIN_IP="100 per minute")
    People(app).add(email="amara@example.org")
    client = app.test_client()
    for _ in range(5):  # looking at the form costs nothing
        assert client.get("/auth/login").status_code == 200
    # Failures from two addresses: an address's first failure marks it for this account, and
    # its later ones use up the account's allowance (see app.auth.throttle).
    for ip in ("10.0.0.1", "10.0.0.2"):
        assert post_login(client, "amara@example.org", ip=ip).status_code == 422
        assert post_login(client, "AMARA@example.org ", ip=ip).status_code == 422
    # Both addresses are now refused, even with the right password: the limit is checked
    # before the password is.
    for ip in ("10.0.0.1", "10.0.0.2"):
        assert_too_many(post_login(client, "amara@example.org", PASSWORD, ip=ip))
    with client.session_transaction() as session:
        assert "_user_id" not in session
    # Other accounts are not affected.
    assert post_login(client, "rhys@example.org", ip="10.0.0.1").status_code == 422
    # Nor is the member, from an address that has not failed on the account.
    assert post_login(client, "amara@example.org", PASSWORD, ip="10.0.0.3").status_code == 302


def test_login_limit_per_ip_counts_posts_for_any_account(limited_app):
    app = limited_app(RATELIMIT_LOGIN_IP="3 per minute", RATELIMIT_LOGIN_ACCOUNT="100 per minute")
    People(app).add(email="amara@example.org")
    client = app.test_client()
    for n in range(3):
        assert post_login(client, f"person{n}@example.org", ip="10.0.0.1").status_code == 422
    assert_too_many(post_login(client, "amara@example.org", PASSWORD, ip="10.0.0.1"))
    # Another address still gets through, and can log in.
    assert post_login(client, "amara@example.org", PASSWORD, ip="10.0.0.2").status_code == 302


def test_login_limit_is_off_when_limits_are_disabled(client, people):
    people.add(email="amara@example.org")
    for _ in range(40):
        response = client.post(
            "/auth/login", data={"email": "amara@example.org", "password": WRONG}
        )
        assert response.status_code == 422


def test_reset_requests_are_limited_per_ip(limited_app):
    app = limited_app(RATELIMIT_PASSWORD_RESET="2 per minute")
    client = app.test_client()

    def ask(email, ip):
        return client.post(
            "/auth/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": ip}
        )

    for _ in range(4):
        assert client.get("/auth/forgot-password").status_code == 200
    assert ask("one@example.org", "10.0.0.1").status_code == 302
    assert ask("two@example.org", "10.0.0.1").status_code == 302
    assert_too_many(ask("three@example.org", "10.0.0.1"))
    assert ask("three@example.org", "10.0.0.2").status_code == 302


def test_reset_requests_are_limited_per_address(limited_app):
    """Nobody can fill a member's inbox with reset emails by changing IP address."""
    app = limited_app(RATELIMIT_PASSWORD_RESET="2 per minute")
    client = app.test_client()

    def ask(email, ip):
        return client.post(
            "/auth/forgot-password", data={"email": email}, environ_base={"REMOTE_ADDR": ip}
        )

    assert ask("amara@example.org", "10.0.0.1").status_code == 302
    assert ask("Amara@example.org", "10.0.0.2").status_code == 302
    assert_too_many(ask("amara@example.org", "10.0.0.3"))
