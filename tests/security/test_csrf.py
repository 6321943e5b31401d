"""The CSRF sweep (issue 9, point 1): every route that changes state refuses a request without
a valid CSRF token, sent as a plain form or by htmx, and changes nothing.

The routes come from app.url_map, so a route added later is swept too. Each forged request is
sent as a person allowed to make the real one (the least role in tests/security/matrix.py),
whose browser already holds a CSRF token of its own, as a real browser would; the forgery
carries no token, or the attacker's own valid token from another session.
"""

import re

import pytest

from app.extensions import csrf
from tests.security.conftest import changed_tables, client_for, snapshot
from tests.security.matrix import (
    ACCESS,
    MUTATING,
    build_url,
    case_id,
    form_data,
    levels,
    minimum,
    rules,
)

CSRF_MESSAGE = "This form has expired or was sent from elsewhere"

# Routes that change state without a CSRF token, each with the reason; any other exemption
# fails test_only_the_listed_routes_are_exempt.
EXEMPT = {
    "notifications.unsubscribe": (
        "an email's one-click unsubscribe (RFC 8058) is POSTed by mail apps, which have no "
        "token; the signed token in the URL is the proof, and all it can do is stop emails"
    ),
}


@pytest.fixture(scope="module")
def csrf_app(module_app):
    """The module's app with CSRF checking on, as in production (tests turn it off)."""
    module_app.config["WTF_CSRF_ENABLED"] = True
    return module_app


@pytest.fixture(scope="module")
def attackers_token(csrf_app) -> str:
    """A genuine token, but of the attacker's own session."""
    page = csrf_app.test_client().get("/auth/login").get_data(as_text=True)
    return token_in(page)


def token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def victims(csrf_app, scene):
    """victims(endpoint): a client allowed to make the request (logged in even for public
    forms, so that a forged log-out shows) whose session already holds a CSRF token of its
    own, from loading a page; one per persona, as forgeries leave the session alone."""
    clients = {}

    def victim(endpoint: str):
        level = levels(endpoint)[0] if endpoint in ACCESS else "member"
        persona = "owner" if level == "visitor" else minimum(level)
        if persona not in clients:
            client = client_for(csrf_app, scene, persona)
            assert client.get("/").status_code == 200
            clients[persona] = client
        return clients[persona], scene.people[persona].get_id()

    return victim


def exempt_endpoints(app) -> set[str]:
    """The endpoints Flask-WTF skips: exempt views, and every view of an exempt blueprint."""
    found = set()
    for endpoint, view in app.view_functions.items():
        location = f"{view.__module__}.{view.__name__}"
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
        if location in csrf._exempt_views or blueprint in csrf._exempt_blueprints:
            found.add(endpoint)
    return found


def test_only_the_listed_routes_are_exempt(csrf_app):
    assert exempt_endpoints(csrf_app) == set(EXEMPT)


def assert_csrf_refused(response, htmx: bool, what: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 400, f"{what}: {response.status_code}\n{body[:500]}"
    assert CSRF_MESSAGE in body, f"{what}: refused, but not by the CSRF check\n{body[:500]}"
    if htmx:
        # The error fragment, in the page's error region (htmx does not swap a 400 in place).
        assert "<html" not in body and response.headers.get("HX-Retarget") == "#htmx-errors"


@pytest.mark.parametrize(
    "case", [c for c in rules() if c[2] in MUTATING and c[0] not in EXEMPT], ids=case_id
)
def test_a_change_without_a_valid_token_is_refused_and_changes_nothing(
    csrf_app, scene, victims, attackers_token, case
):
    endpoint, rule, method = case
    url = build_url(csrf_app, scene, endpoint, rule)
    data = form_data(endpoint, scene)
    client, identity = victims(endpoint)
    htmx = {"HX-Request": "true"}
    forgeries = {
        "form without a token": ({}, {}),
        "form with another session's token": ({"csrf_token": attackers_token}, {}),
        "htmx without X-CSRFToken": ({}, htmx),
        "htmx with another session's X-CSRFToken": ({}, {**htmx, "X-CSRFToken": attackers_token}),
    }
    before = snapshot(csrf_app)
    for name, (extra, headers) in forgeries.items():
        response = client.open(url, method=method, data={**data, **extra}, headers=headers)
        assert_csrf_refused(response, bool(headers), f"{method} {endpoint}, {name}")
    changed = changed_tables(before, snapshot(csrf_app))
    assert not changed, f"{method} {endpoint}: a forged request wrote to {changed}"
    with client.session_transaction() as session:
        assert session.get("_user_id") == identity, "a forged request changed the session"


def test_a_valid_token_gets_through(csrf_app, scene, victims):
    """The other side of the sweep: the same kind of request with the session's own token, in
    the form or in htmx's header, is not refused (so the refusals above are the check's)."""
    client, _ = victims("boards.preview")
    token = token_in(client.get("/auth/profile").get_data(as_text=True))
    url = build_url(csrf_app, scene, "boards.preview", "/boards/preview")
    by_form = client.post(url, data={"body": "*Hello*", "csrf_token": token})
    by_header = client.post(
        url, data={"body": "*Hello*"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    for response in (by_form, by_header):
        assert response.status_code == 200
        assert "<em>Hello</em>" in response.get_data(as_text=True)


def test_exempt_unsubscribe_still_needs_its_signed_token(csrf_app, scene):
    """Without CSRF checking, the signed token is all that stands: a forged or altered one
    changes nothing."""
    token = scene.tokens["notifications.unsubscribe"]
    before = snapshot(csrf_app)
    client = csrf_app.test_client()
    for forged in ("not-a-token", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        response = client.post(f"/notifications/unsubscribe/{forged}")
        assert response.status_code == 404
    assert not changed_tables(before, snapshot(csrf_app))
