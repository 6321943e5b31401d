"""The actions board, kept for every member (app.actions.lists): each member still sees only
their own controls and CSRF token; every change shows on the next request, whichever process
kept the board before; the card's fresh status form reads as WTForms would write it."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import render_template_string

from app.actions import services
from app.actions.cards import card_from_action
from app.actions.views import status_form_for
from app.extensions import db
from app.models import Action, Meeting, Post, User
from app.timeutil import utcnow
from tests import factories
from tests.actions.conftest import csrf_token_from, text, today
from tests.conftest import app_on_test_database, log_in


@contextmanager
def step(app):
    """A change made in its own app context and committed, as another request would."""
    with app.app_context():
        yield
        db.session.commit()


def card(html: str, action_id: int) -> str:
    match = re.search(rf'<article id="action-{action_id}".*?</article>', html, re.S)
    assert match, f"no card for action {action_id}"
    return match.group(0)


def column(html: str, status: str) -> str:
    return html.split(f'id="column-{status}"', 1)[1].split('<section class="actions-column"')[0]


@pytest.fixture
def scene(world):
    """Alice owns "Alice owns this" and one from a thread; Bob is invited to own "Bob's
    invitation"; Carol owns nothing."""
    alice, bob = world.user(name="Alice Aye"), world.user(name="Bob Bee")
    carol = world.user(name="Carol Sea")
    meeting = world.meeting(title="Spring meeting")
    thread = world.thread(world.board_of(meeting.id), carol, title="How do we share power?")
    owned = world.action(alice, title="Alice owns this", source=("meeting", meeting.id))
    invited = world.action(carol, title="Bob is invited", own=False, invited=[bob])
    threaded = world.action(alice, title="From the thread", source=("post", thread))
    people = {"alice": alice, "bob": bob, "carol": carol}
    return people, {"owned": owned, "invited": invited, "threaded": threaded, "thread": thread}


def _pages(world, people, order, url="/actions/"):
    return {who: text(world.client(people[who]).get(url)) for who in order}


@pytest.mark.parametrize("first", ["alice", "bob", "carol"])
def test_each_member_sees_only_their_own_controls_and_token(world, scene, first):
    people, ids = scene
    order = [first] + [who for who in people if who != first]
    pages = _pages(world, people, order)
    owned, invited = ids["owned"], ids["invited"]
    assert f'id="status-form-{owned}"' in card(pages["alice"], owned)
    assert f'id="accept-{invited}"' in card(pages["bob"], invited)
    for who, html in pages.items():
        if who != "alice":
            assert "status-form-" not in html, who
        if who != "bob":
            assert "accept-" not in html and "decline-" not in html, who
        # Every form carries the reader's own token, and nothing is left unfilled.
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert tokens <= {csrf_token_from(html)}, who
        assert "\x00" not in html
    assert csrf_token_from(pages["alice"]) != csrf_token_from(pages["bob"])
    # htmx's columns alone follow the same rule.
    columns = text(world.client(people["bob"]).get("/actions/", headers={"HX-Request": "true"}))
    assert f'id="accept-{invited}"' in columns and "status-form-" not in columns


def test_changes_through_the_services_show_on_the_next_request(world, scene):
    people, ids = scene
    app, owned, invited = world.app, ids["owned"], ids["invited"]
    carol, bob = world.client(people["carol"]), world.client(people["bob"])
    assert "Alice owns this" in column(text(carol.get("/actions/")), "open")
    # Alice moves her action on.
    with step(app):
        action = db.session.get(Action, owned)
        alice = db.session.get(User, people["alice"].id)
        services.change_status(action, alice, "done", action.version)
    assert "Alice owns this" in column(text(carol.get("/actions/")), "done")
    # Bob accepts: his status form replaces his answer, and the action opens.
    with step(app):
        services.accept(db.session.get(Action, invited), db.session.get(User, people["bob"].id))
    html = text(bob.get("/actions/"))
    assert f'id="status-form-{invited}"' in card(html, invited)
    assert f'id="accept-{invited}"' not in html and "Bob is invited" in column(html, "open")
    # A new action, a new name, a renamed meeting (in the cards and in the filter's options).
    with step(app):
        factories.action(db.session.get(User, people["carol"].id), title="A brand new action")
        db.session.get(User, people["alice"].id).display_name = "Alice Renamed"
        meeting = db.session.scalar(db.select(Meeting).where(Meeting.title == "Spring meeting"))
        meeting.title = "Summer meeting"
    html = text(carol.get("/actions/"))
    assert "A brand new action" in html
    assert "Owned by Alice Renamed" in card(html, owned)
    assert "Meeting: Summer meeting" in card(html, owned)
    assert re.search(r"<option value=\"\d+\">Summer meeting \(", html)


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ({"removed_at": True}, "Thread: Removed post"),
        ({"hidden_at": True}, "Thread: Hidden post"),
        ({"title": "A better title"}, "Thread: A better title"),
    ],
)
def test_a_change_to_the_thread_shows_on_the_next_request(world, scene, change, label):
    """A change to a post moves no content generation (it is news to its board and thread),
    so the kept board checks the threads it names."""
    people, ids = scene
    client = world.client(people["carol"])
    assert "Thread: How do we share power?" in card(text(client.get("/actions/")), ids["threaded"])
    with step(world.app):
        post = db.session.get(Post, ids["thread"])
        for name, value in change.items():
            setattr(post, name, utcnow() if value is True else value)
    assert label in card(text(client.get("/actions/")), ids["threaded"])


def test_an_action_becomes_overdue_with_no_change_to_the_data(world, scene, monkeypatch):
    people, ids = scene
    client = world.client(people["carol"])
    assert "action-card--overdue" not in text(client.get("/actions/"))
    later = today() + timedelta(days=30)
    monkeypatch.setattr("app.actions.services.today", lambda: later)
    html = text(client.get("/actions/"))
    assert "action-card--overdue" in card(html, ids["owned"])
    assert f'id="action-{ids["owned"]}"' in text(client.get("/actions/?overdue=1"))


def test_another_process_sees_changes_made_by_one(world, scene, database_uri, tmp_path):
    """Two apps (two workers, each with its own kept board) on one database."""
    people, ids = scene
    with app_on_test_database(database_uri, tmp_path / "outbox-b") as second:
        clients = []
        for app in (world.app, second):
            client = app.test_client()
            with app.app_context():
                log_in(client, db.session.get(User, people["carol"].id))
            assert "Alice owns this" in text(client.get("/actions/"))
            clients.append(client)
        with step(second):  # a change made while serving the second
            db.session.get(Action, ids["owned"]).title = "Changed elsewhere"
        for client in clients:
            assert "Changed elsewhere" in card(text(client.get("/actions/")), ids["owned"])


@pytest.mark.parametrize("n", [3, 30])
def test_a_kept_board_costs_a_few_statements_however_many_actions(world, count_queries, n):
    me = world.user()
    with step(world.app):
        person = db.session.get(User, me.id)
        meeting = factories.meeting()
        thread = factories.thread(meeting.boards[0], person)
        for i in range(n):
            source = ("post", thread.id) if i % 2 else ("meeting", meeting.id)
            factories.action(person, source=source)
    client = world.client(me)
    client.get("/actions/")
    with count_queries() as kept:
        response = client.get("/actions/")
    assert response.status_code == 200
    # The person (with whether they have a moderation notice, and the content generation), and
    # the threads the cards name.
    assert kept.count == 2, kept.statements


def test_the_fresh_status_form_reads_as_wtforms_writes_it(world, scene):
    people, ids = scene
    source = (
        '{% import "actions/_macros.html" as m %}'
        "{{ m.status_form(action, '/actions/?page_open=2', form) }}"
    )
    for status in ("open", "done"):
        with step(world.app):
            action = db.session.get(Action, ids["owned"])
            if action.status != status:
                alice = db.session.get(User, people["alice"].id)
                services.change_status(action, alice, status, action.version)
        with world.app.test_request_context("/actions/"):
            action = services.load_action(ids["owned"])
            shown = card_from_action(action)
            written = render_template_string(source, action=shown, form=None)
            wtforms = render_template_string(source, action=shown, form=status_form_for(action))
        assert " ".join(written.split()) == " ".join(wtforms.split())
        assert f'<option selected value="{status}">' in written
