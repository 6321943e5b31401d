"""Who may do what, checked on the server for every route: the whole matrix."""

import pytest

from app.models import Role
from tests.actions.conftest import HX

ROLES = ("visitor", "norole", "member", "invited", "owner", "facilitator")

#            visitor norole member invited owner facilitator
MATRIX = {
    ("GET", "/actions/"): (302, 403, 200, 200, 200, 200),
    ("GET", "/actions/mine"): (302, 403, 200, 200, 200, 200),
    ("GET", "/actions/export.csv"): (302, 403, 200, 200, 200, 200),
    ("GET", "/actions/new"): (302, 403, 200, 200, 200, 200),
    ("GET", "/actions/{a}"): (302, 403, 200, 200, 200, 200),
    ("POST", "/actions/{a}/status"): (302, 403, 403, 403, 302, 403),
    ("POST", "/actions/{a}/updates"): (302, 403, 403, 403, 302, 403),
    ("POST", "/actions/{a}/comments"): (302, 403, 302, 302, 302, 302),
    ("POST", "/actions/{a}/follow"): (302, 403, 302, 302, 302, 302),
    ("POST", "/actions/{a}/accept"): (302, 403, 403, 302, 302, 403),
    ("POST", "/actions/{a}/decline"): (302, 403, 403, 302, 302, 403),
    ("POST", "/actions/{a}/owners"): (302, 403, 403, 403, 422, 422),
    ("GET", "/actions/{a}/edit"): (302, 403, 403, 403, 403, 200),
    ("GET", "/actions/{a}/drop"): (302, 403, 403, 403, 200, 200),
    ("GET", "/actions/review/{m}"): (302, 403, 403, 403, 403, 200),
}

DATA = {
    "status": lambda a: {f"a{a}-status": "in_progress", f"a{a}-version": "1"},
    "updates": lambda a: {"update-text": "Progress"},
    "comments": lambda a: {"comment-text": "A comment"},
    "follow": lambda a: {"follow": "1"},
    "owners": lambda a: {"owners": ""},
}


@pytest.mark.parametrize(("method", "url"), list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, method, url, role):
    owner, invited = world.user(), world.user()
    facilitator = world.user(Role.FACILITATOR)
    _, (past, upcoming) = world.series_with_meetings(-10, 7)
    action = world.action(owner, invited=[invited], source=("meeting", past))
    person = {
        "visitor": None,
        "norole": world.visitor_account(),
        "member": world.user(),
        "invited": invited,
        "owner": owner,
        "facilitator": facilitator,
    }[role]
    client = world.client(person)
    path = url.format(a=action, m=upcoming)
    data = DATA.get(path.rsplit("/", 1)[-1], lambda a: {})(action)
    response = client.open(path, method=method, data=data)
    expected = MATRIX[(method, url)][ROLES.index(role)]
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if role == "visitor":
        assert "/auth/login" in response.headers["Location"]
        htmx = world.client().open(path, method=method, data=data, headers=HX)
        assert htmx.status_code == 401 and "/auth/login" in htmx.headers["HX-Redirect"]
