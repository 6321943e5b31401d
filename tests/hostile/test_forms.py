"""Every form, posted with hostile text (control characters and NUL bytes, arbitrary Unicode,
very long input): a clear validation message (422 and the error summary) or the text stored and
shown faithfully, never a 500.

The forms are read from the pages that show them (tests/hostile/forms.py), so a field added to a
form is posted too; a test fails when a route that changes state has no form on those pages.
"""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.inputs import without_controls
from app.models import User
from tests import factories
from tests.conftest import log_in
from tests.hostile.checks import expected_markdown, expected_plain, page_problems, parse
from tests.hostile.forms import fill, forms_on, forms_world

# Control characters (NUL first: PostgreSQL refuses it in text), invisible and joining
# characters, right-to-left overrides, astral emoji and a combining accent, markup, templates.
NASTY = (
    "\x00nul\x01\x02\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f \u0085\u200b\u200d\u202e\ufeff "
    "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1 e\u0301 <b>{{7*7}}</b> &amp; \r\nnext line"
)
VALUES = {
    "nasty": NASTY,
    "long": "Level up " * 12_500,  # 112,500 characters
    "controls only": "\x00\x01\x1f\x7f",
    "nul bytes": "\x00" * 300 + "text" + "\x00" * 300,
}
# Routes that change state without a form on the pages above, and why they need none here.
NO_FORM = {
    "boards.preview": "posted by the thread and reply forms' Preview button (formaction)",
}
SERVER_ERROR = 500


@pytest.fixture(scope="module")
def world(seed):
    return seed(forms_world)


def _client(app, world, role: str):
    """A client logged in as role's person, as they are now: a form posted earlier (a password
    reset) may have signed their other sessions out."""
    client = app.test_client()
    if role != "visitor":
        with app.app_context():
            log_in(client, db.session.get(User, world.people[role]).get_id())
    return client


@pytest.fixture(scope="module")
def found(world_app, world):
    """(role, form) for every form on the pages of each role, read before any is posted."""
    forms = []
    for role, pages in world.pages.items():
        client = _client(world_app, world, role)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, f"{role} {page}: {response.status_code}"
            forms += [(role, f) for f in forms_on(response.get_data(as_text=True), page)]
    return forms


def _endpoint(app, form) -> str | None:
    adapter = app.url_map.bind("localhost")
    path = form.action.split("?")[0].split("#")[0]
    try:
        endpoint, _ = adapter.match(path, method=form.method.upper())
    except Exception:  # noqa: BLE001 (a form pointing nowhere is reported by the caller)
        return None
    return endpoint


def test_every_route_that_changes_state_has_a_form_on_those_pages(world_app, found):
    posted = {_endpoint(world_app, f) for _, f in found if f.method == "post"}
    changing = {
        rule.endpoint
        for rule in world_app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    missing = sorted(changing - posted - NO_FORM.keys())
    assert not missing, f"no form found for {missing}: add its page to forms_world"
    assert None not in posted, "a form posts to a URL no route answers"


def _answer_problem(response) -> str | None:
    """Why a response to a hostile submission is not acceptable, or None: a 500, a 422 without
    its error message, or a page (the form again, with what was typed) that breaks the page
    rules of checks.py."""
    if response.status_code >= SERVER_ERROR:
        return f"{response.status_code}"
    body = response.get_data(as_text=True)
    if response.status_code == 422 and "error-summary" not in body and "error-message" not in body:
        return "422 without an error message"
    if response.mimetype == "text/html" and (problems := page_problems(parse(body))):
        return "; ".join(problems[:3])
    return None


def _post(app, world, role, form, data):
    client = _client(app, world, role)
    if form.method == "get":
        return client.get(form.action.split("?")[0], query_string=data)
    return client.post(form.action, data=data)


@pytest.mark.parametrize("name", list(VALUES))
def test_hostile_text_in_every_form(world_app, world, found, name):
    problems = []
    for role, form in found:
        if not form.texts:
            continue
        try:
            response = _post(world_app, world, role, form, fill(form, VALUES[name]))
        except Exception as error:  # noqa: BLE001 (the test client raises what would be a 500)
            problems.append(f"{role} {form.method} {form.action} from {form.page}: {error!r}"[:300])
            continue
        if problem := _answer_problem(response):
            problems.append(f"{role} {form.method} {form.action} from {form.page}: {problem}")
    assert not problems, "\n".join(problems)


def test_hostile_values_in_hidden_and_choice_fields(world_app, world, found):
    """Buttons post hidden values (version, next, want) and choices: a forged one is refused or
    ignored, never a 500."""
    problems = []
    for role, form in found:
        data = {c.name: [NASTY] for c in form.controls if c.kind not in ("submit",)}
        try:
            response = _post(world_app, world, role, form, data)
        except Exception as error:  # noqa: BLE001
            problems.append(f"{role} {form.action} from {form.page}: {error!r}"[:300])
            continue
        if response.status_code >= SERVER_ERROR:
            problems.append(f"{role} {form.action} from {form.page}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_any_text_in_any_form(world_app, world, found):
    """Generated text in one text field of a form picked at random: a 422 with its message, or
    an answer that is not an error; never a 500."""
    with_text = [(role, form) for role, form in found if form.texts]

    @PROPERTY_SETTINGS
    @given(picked=st.sampled_from(with_text), value=hostile_text, data=st.data())
    def post(picked, value, data):
        role, form = picked
        field = data.draw(st.sampled_from(form.texts))
        response = _post(world_app, world, role, form, fill(form, value, only=field))
        assert not (problem := _answer_problem(response)), f"{form.action} {field}: {problem}"

    post()


def test_urls_holding_control_characters_are_not_found(world_app, world):
    client = _client(world_app, world, "admin")
    for url in (
        "/admin/texts/ab%00out",
        "/meetings/feed/%00x.ics",
        "/auth/reset-password/%00",
        "/notifications/unsubscribe/%01",
        "/community/applications/status/%00",
        "/notifications/follow/thr%00ead/1",
    ):
        response = client.get(url) if "follow" not in url else client.post(url)
        assert response.status_code == 404, url


# Typed text, stored and shown -----------------------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300)
hostile_text = st.one_of(
    text,
    st.lists(st.sampled_from(["\x00", "\x01", "\x1f", "\x7f", "\u202e", "\u200b", "<", "&",
                              "{{", "*", "[", "](", "javascript:", " ", "\n", "é", "😀"]),
             min_size=1, max_size=40).map("".join),
    text.map(lambda t: t * (5_000 // len(t) + 1)),
)  # fmt: skip
# No example database: a run leaves nothing behind in the working tree.
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _kept(response, *values) -> bool:
    """A 422 keeps what was typed in the form (without its control characters)."""
    page = parse(response.get_data(as_text=True))
    typed = {dict(e.attrs).get("value") for e in page.elements} | {page.text}
    return all(any(expected_plain(without_controls(v)) in t for t in typed if t) for v in values)


# The sweeps above may have closed boards, cancelled meetings and suspended the member: these
# tests write their own, for a member of their own.


def _new_member() -> int:
    return factories.user(name="Nia Newcomer", password=None).id


def _as(app, user_id):
    client = app.test_client()
    log_in(client, f"{user_id}:0")
    return client


def _new_board():
    return factories.meeting(title="Holistic approach").boards[0].id


def _new_action():
    from app.actions import services as actions

    member = factories.user(name="Ade Owner", password=None)
    action, _ = actions.create_action(
        title="Ask the council for its data",
        detail="",
        due_on=actions.today() + timedelta(days=7),
        proposer=member,
        owners=[],
        self_own=True,
        source=None,
    )
    return member.id, action.id


def test_a_thread_is_stored_and_shown_as_typed(world_app, seed):
    client = _as(world_app, seed(_new_member))
    board = seed(_new_board)

    @PROPERTY_SETTINGS
    @given(title=hostile_text, body=hostile_text)
    def post(title, body):
        response = client.post(
            f"/boards/{board}/threads", data={"kind": "question", "title": title, "body": body}
        )
        assert response.status_code in (302, 303, 422), response.status_code
        if response.status_code == 422:
            assert "error-summary" in response.get_data(as_text=True)
            return
        page = parse(client.get(response.headers["Location"]).get_data(as_text=True))
        assert expected_plain(without_controls(title)) in page.text
        assert expected_markdown(without_controls(body).strip()) in page.text

    post()


def test_a_profile_is_stored_and_shown_as_typed(world_app, seed):
    member_id = seed(_new_member)
    client = _as(world_app, member_id)

    @PROPERTY_SETTINGS
    @given(name=hostile_text, bio=hostile_text, place=hostile_text)
    def post(name, bio, place):
        response = client.post(
            "/auth/profile/edit", data={"display_name": name, "bio": bio, "place": place}
        )
        assert response.status_code in (302, 303, 422), response.status_code
        if response.status_code == 422:
            assert "error-summary" in response.get_data(as_text=True)
            return
        page = parse(client.get(f"/community/members/{member_id}").get_data(as_text=True))
        for value in (name, bio, place):
            assert expected_plain(without_controls(value)) in page.text

    post()


def test_an_action_comment_is_stored_and_shown_as_typed(world_app, seed):
    member_id, action = seed(_new_action)
    client = _as(world_app, member_id)

    @PROPERTY_SETTINGS
    @given(comment=hostile_text)
    def post(comment):
        response = client.post(f"/actions/{action}/comments", data={"text": comment})
        assert response.status_code in (302, 303, 422), response.status_code
        if response.status_code == 422:
            assert "error-summary" in response.get_data(as_text=True)
            return
        page = parse(client.get(f"/actions/{action}").get_data(as_text=True))
        cleaned = without_controls(comment).replace("\r\n", "\n").strip()
        assert expected_markdown(cleaned) in page.text

    post()
