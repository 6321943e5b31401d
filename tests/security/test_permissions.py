"""The permission matrix (issue 9, point 2): every endpoint of the app, every persona below its
least role refused with nothing changed, and its least role let through.

The table is tests/security/matrix.py ACCESS. The requests are the same for every persona (same
URL, same form), so a refusal below the line and an answer at it show that the permission
check, and nothing else, tells them apart.
"""

import pytest

from tests.security.conftest import changed_tables, client_for, snapshot
from tests.security.matrix import (
    ACCESS,
    MUTATING,
    NOT_SWEPT,
    all_rules,
    build_url,
    case_id,
    form_data,
    levels,
    minimum,
    refused,
    rules,
    url_names,
)

LOGIN = "/auth/login"
HX = {"HX-Request": "true"}

# Refusals that are not 401/403/404 on purpose.
HTMX_ANSWERS = {
    # A logged-out page's poll of the header's bell: 286 (with a count of 0) stops the polling
    # instead of answering with the log-in page. It tells a visitor nothing.
    ("notifications.bell", "visitor"): 286,
}


def test_every_endpoint_is_in_the_table():
    endpoints = {endpoint for endpoint, _, _ in all_rules()}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, f"add these endpoints to ACCESS in tests/security/matrix.py: {missing}"
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"ACCESS names endpoints the app no longer has: {stale}"
    assert set(NOT_SWEPT) <= endpoints and all(reason.strip() for reason in NOT_SWEPT.values())


def _with_someone_refused():
    # An endpoint missing from the table is kept, so that it fails here as well.
    return [c for c in rules() if c[0] not in ACCESS or refused(c[0])]


def _least_roles(*, reads: bool):
    return [
        pytest.param(case, level, id=f"{case_id(case)} as {level}")
        for case in rules()
        if (case[2] not in MUTATING) is reads
        for level in (levels(case[0]) if case[0] in ACCESS else ("missing",))
    ]


def _request(app, scene, case, persona, headers=None):
    endpoint, rule, method = case
    url = build_url(app, scene, endpoint, rule)
    data = form_data(endpoint, scene) if method in MUTATING else None
    return client_for(app, scene, persona).open(url, method=method, data=data, headers=headers)


def assert_refused(response, persona: str, what: str) -> None:
    """403, or 404 where the app hides that the object exists; a visitor may instead be sent
    to log in (a redirect, or for htmx 401 with HX-Redirect)."""
    status = response.status_code
    if persona == "visitor" and status in (302, 303):
        location = response.headers.get("Location", "")
        assert location.startswith(LOGIN), f"{what}: a visitor was sent to {location}"
        return
    if persona == "visitor" and status == 401:
        location = response.headers.get("HX-Redirect", "")
        assert location.startswith(LOGIN), f"{what}: 401 without HX-Redirect to log in"
        return
    assert status in (403, 404), f"{what}: {persona} got {status}, not 403 or 404"


def assert_allowed(response, method: str, what: str) -> None:
    """2xx or 3xx (not to the login form); 422 for a form sent empty, which means the request
    got past the permission check to the form's validation."""
    status = response.status_code
    ok = 200 <= status < 400 or (status == 422 and method in MUTATING)
    assert ok, f"{what}: got {status}\n{response.get_data(as_text=True)[:800]}"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        assert not location.startswith(LOGIN), f"{what}: sent to log in ({location})"


@pytest.mark.parametrize("case", _with_someone_refused(), ids=case_id)
def test_below_the_least_role_is_refused_and_nothing_changes(module_app, scene, case):
    endpoint, _, method = case
    assert endpoint in ACCESS, f"{endpoint} is not in ACCESS (tests/security/matrix.py)"
    below = refused(endpoint)
    before = snapshot(module_app)
    for persona in below:
        response = _request(module_app, scene, case, persona)
        assert_refused(response, persona, f"{method} {endpoint}")
    # Fragment requests take other branches in some views: the checks must come before them.
    # The visitor (sent to log in differently) and the persona just below the line try them.
    for persona in {below[0], below[-1]}:
        response = _request(module_app, scene, case, persona, HX)
        if (endpoint, persona) in HTMX_ANSWERS:
            assert response.status_code == HTMX_ANSWERS[(endpoint, persona)]
            continue
        assert_refused(response, persona, f"htmx {method} {endpoint}")
    changed = changed_tables(before, snapshot(module_app))
    assert not changed, f"{method} {endpoint}: a refused request wrote to {changed}"


@pytest.mark.parametrize(("case", "level"), _least_roles(reads=True))
def test_the_least_role_may_read_and_nothing_changes(module_app, scene, case, level):
    endpoint, _, method = case
    assert endpoint in ACCESS, f"{endpoint} is not in ACCESS (tests/security/matrix.py)"
    before = snapshot(module_app)
    response = _request(module_app, scene, case, minimum(level))
    assert_allowed(response, method, f"{method} {endpoint} as {level}")
    # No writes on GET (STYLE.md rule 27), for those allowed as much as for those refused.
    changed = changed_tables(before, snapshot(module_app))
    assert not changed, f"{method} {endpoint}: a GET wrote to {changed}"


@pytest.mark.parametrize(("case", "level"), _least_roles(reads=False))
def test_the_least_role_may_change(module_app, restored, case, level):
    endpoint, _, method = case
    assert endpoint in ACCESS, f"{endpoint} is not in ACCESS (tests/security/matrix.py)"
    response = _request(module_app, restored, case, minimum(level))
    assert_allowed(response, method, f"{method} {endpoint} as {level}")


# Objects whose existence is hidden ----------------------------------------------------------------

# Who may know each concealed object exists (see Scene.concealed), and the ids it replaces.
CONCEALED = {
    "draft meeting": (("facilitator", "admin"), {"meeting_id", "board_id", "post_id"}),
    "held post": (("owner", "moderator", "admin"), {"post_id"}),
}


def _concealing_cases():
    """(case, what) for every endpoint open to members whose URL names a concealed object."""
    return [
        pytest.param(case, what, id=f"{case_id(case)} on a {what}")
        for case in rules()
        if case[0] in ACCESS and levels(case[0])[0] in ("visitor", "member")
        for what, (_, ids) in CONCEALED.items()
        if url_names(case[0], case[1]) & ids
    ]


@pytest.mark.parametrize(("case", "what"), _concealing_cases())
def test_concealed_objects_do_not_exist_for_others(module_app, scene, case, what):
    endpoint, rule, method = case
    who_may_know, ids = CONCEALED[what]
    assert set(scene.concealed[what]) == ids
    other = scene.with_ids(**scene.concealed[what])
    before = snapshot(module_app)
    for persona in ("visitor", "member"):
        response = _request(module_app, other, case, persona)
        if persona == "visitor" and response.status_code in (302, 401):
            assert_refused(response, persona, f"{method} {endpoint} on a {what}")
        else:
            assert response.status_code == 404, f"{method} {endpoint}: {persona} sees a {what}"
    changed = changed_tables(before, snapshot(module_app))
    assert not changed, f"{method} {endpoint}: a refused request wrote to {changed}"
    if method not in MUTATING:
        # Those who may know of it are not told it does not exist (what they may do with it,
        # e.g. reply to a held post, is another question: 403 is fine).
        for persona in who_may_know:
            status = _request(module_app, other, case, persona).status_code
            assert status not in (404, 500), f"GET {endpoint} on a {what} as {persona}: {status}"
