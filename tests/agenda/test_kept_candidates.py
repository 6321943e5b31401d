"""The agenda builder's candidates, kept for every facilitator (app.fragments): each still gets
their own CSRF token, members never see the section, and every change made through the
services shows on the next request, whichever process kept the section before."""

import re

import pytest

from app.agenda import services
from app.boards import services as boards
from app.extensions import db
from app.models import Board, Meeting, Post, Role, Theme, User
from app.models.moderation import Outcome
from app.moderation import decisions
from app.timeutil import utcnow
from tests.agenda.conftest import HX, World, text
from tests.conftest import app_on_test_database


def candidate(html: str, post_id: int) -> str:
    match = re.search(rf'<li id="candidate-{post_id}" class="candidate">.*?\n</li>', html, re.S)
    assert match, f"no candidate {post_id}"
    return match.group(0)


def tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


@pytest.fixture
def scene(world):
    m = world.meeting(themes=("Holistic", "Data"))
    author = world.user(name="Dana Author")
    top = world.question(m.boards[0], title="Top question", votes=3, author=author)
    low = world.question(m.boards[1], title="Low question", votes=1, author=author)
    return m, author, top, low


def secrets(html: str) -> set[str]:
    return {token.split(".")[0] for token in tokens(html)}


def test_each_facilitator_gets_their_own_token_and_members_no_candidates(world, scene):
    m, _, top, _ = scene
    url = f"/agenda/{m.id}"
    first, second = world.client(Role.FACILITATOR), world.client(Role.FACILITATOR)
    pages = [text(client.get(url)) for client in (first, second, first)]
    filtered = text(
        second.get(f"{url}?theme={m.theme_ids[0]}", headers={**HX, "HX-Target": "candidates"})
    )
    for html in pages + [filtered]:
        assert 'id="add-' in candidate(html, top)
        assert len(tokens(html)) == 1 and "\x00" not in html
    # A token is the session's secret, signed with the time: compare the secrets (two requests
    # a second apart sign it differently).
    assert secrets(pages[0]) == secrets(pages[2]) != secrets(pages[1])
    assert secrets(filtered) == secrets(pages[1])
    for role in (Role.MEMBER, None):
        html = text(world.client(role).get(url))
        assert 'id="candidates"' not in html and "Top question" not in html


def test_changes_made_through_the_services_show_on_the_next_request(world, scene):
    m, author, top, low = scene
    client = world.client(Role.FACILITATOR)
    url = f"/agenda/{m.id}"

    # Made first: a new person alone would move the content generation.
    voters = [world.user() for _ in range(3)]
    moderator = world.user(Role.MODERATOR)

    def page() -> str:
        return text(client.get(url))

    html = page()
    assert "3 votes" in candidate(html, top) and "Dana Author" in candidate(html, top)
    assert html.index("Top question") < html.index("Low question")
    # Votes move the order.
    with world.ctx():
        for voter in voters:
            boards.set_vote(db.session.get(Post, low), db.session.get(User, voter), True)
    html = page()
    assert "4 votes" in candidate(html, low)
    assert html.index("Low question") < html.index("Top question")
    # A new question.
    new = world.question(m.boards[0], title="A new question", author=voters[0])
    assert "A new question" in page() and "3 questions" in page()
    # The agenda: added, then not taken, then taken back.
    world.add_question(m.id, top)
    assert "On the agenda</strong> as item 1" in candidate(page(), top)
    world.not_taken(m.id, new, "Covered in May")
    assert "Not taken this time</strong>: Covered in May" in candidate(page(), new)
    with world.ctx():
        services.reconsider(db.session.get(Meeting, m.id), db.session.get(Post, new))
    assert "Not on the agenda" in candidate(page(), new)
    # Names, themes and boards shown with a question.
    world.update(User, author, display_name="Dana Renamed")
    world.update(Theme, m.theme_ids[1], title="Data, renamed")
    world.update(Board, m.boards[1], closed_at=utcnow())
    html = candidate(page(), low)
    assert "Dana Renamed" in html and "Data, renamed" in html and "Board closed" in html
    # A moderator hides a question: it is no longer a candidate.
    with world.ctx():
        moderator = db.session.get(User, moderator)
        decisions.decide(db.session.get(Post, low), moderator, Outcome.HIDDEN, "Off topic")
    assert "Low question" not in page()


def test_a_not_taken_form_sent_back_with_a_mistake_is_not_kept(world, scene):
    m, _, top, _ = scene
    client = world.client(Role.FACILITATOR)
    url = f"/agenda/{m.id}"
    text(client.get(url))
    answer = client.post(f"{url}/candidates/{top}/not-taken", data={f"not-taken-{top}-reason": ""})
    assert answer.status_code == 422
    assert "Enter why this question is not taken this time" in text(answer)
    html = text(client.get(url))
    assert "Enter why" not in html and " open>" not in candidate(html, top)


def test_another_process_sees_changes_made_by_one(world, scene, database_uri, tmp_path):
    """Two apps (two workers, each keeping its own sections) on one database."""
    m, _, top, _ = scene
    url = f"/agenda/{m.id}"
    with app_on_test_database(database_uri, tmp_path / "outbox-b") as second_app:
        second = World(second_app)
        facilitator = world.user(Role.FACILITATOR)
        here, there = world.client(user_id=facilitator), second.client(user_id=facilitator)
        for client in (here, there):
            assert "Not on the agenda" in candidate(text(client.get(url)), top)
        assert there.post(f"{url}/candidates/{top}/add").status_code == 302
        assert "On the agenda</strong> as item 1" in candidate(text(here.get(url)), top)
