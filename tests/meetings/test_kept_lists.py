"""The meetings page's lists, kept for everyone (app.fragments): each member still sees only
their own registration tags, and every change, or the clock passing a meeting's end, shows on
the next request, whichever process kept the lists before."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest

from app.extensions import db
from app.meetings import registration, services
from app.models import Meeting, MeetingStatus, Role, Series, User
from app.timeutil import utcnow
from tests import factories
from tests.conftest import app_on_test_database, log_in

REGISTERED = "You are registered"
WAITING = "You are on the waiting list"
FULL = ">Full</strong>"


@contextmanager
def step(app):
    """A change made in its own app context and committed, as another request would."""
    with app.app_context():
        yield
        db.session.commit()


def card(html: str, meeting_id: int) -> str:
    match = re.search(
        rf'<li class="card meeting-card" id="meeting-{meeting_id}">.*?</li>', html, re.S
    )
    assert match, f"no card for meeting {meeting_id}"
    return match.group(0)


def section(html: str, heading_id: str) -> str:
    """The text from one list's heading to the next h2."""
    return html.split(f'<h2 id="{heading_id}">', 1)[1].split("<h2", 1)[0]


@pytest.fixture
def scene(app):
    """A full meeting (one place): Alice has it, Bob waits; Carol has neither."""
    with step(app):
        alice, bob, carol = (
            factories.user(name=n, password=None) for n in ("Alice", "Bob", "Carol")
        )
        full = factories.meeting(title="Busy meeting", capacity=1)
        other = factories.meeting(title="Open meeting", starts_in=timedelta(days=9))
        factories.registration(full, alice)
        factories.registration(full, bob, status="waitlisted")
        ids = {"alice": alice.id, "bob": bob.id, "carol": carol.id}
        return ids, full.id, other.id


def _client(app, user_id):
    client = app.test_client()
    if user_id is not None:
        with app.app_context():
            log_in(client, db.session.get(User, user_id))
    return client


@pytest.mark.parametrize("first", ["alice", "bob", "carol", None])
def test_each_member_sees_only_their_own_tags(app, scene, first):
    people, full, _ = scene
    order = [first] + [who for who in ("alice", "bob", "carol", None) if who != first]
    pages = {
        who: _client(app, people.get(who)).get("/meetings/").get_data(as_text=True) for who in order
    }
    assert REGISTERED in card(pages["alice"], full) and WAITING not in card(pages["alice"], full)
    assert WAITING in card(pages["bob"], full) and REGISTERED not in card(pages["bob"], full)
    for who in ("carol", None):
        assert REGISTERED not in pages[who] and WAITING not in pages[who]
        assert FULL in card(pages[who], full)
    # Holders of a place are not told it is full.
    assert FULL not in card(pages["alice"], full) + card(pages["bob"], full)
    assert all("\x00" not in html for html in pages.values())


def test_changes_show_on_the_next_request(app, scene):
    people, full, other = scene
    carol = _client(app, people["carol"])
    assert "Open meeting" in carol.get("/meetings/").get_data(as_text=True)
    # Carol registers: her tag, and the meeting's place count, change.
    with step(app):
        registration.register(db.session.get(Meeting, other), db.session.get(User, people["carol"]))
    assert REGISTERED in card(carol.get("/meetings/").get_data(as_text=True), other)
    # Alice gives up her place: Bob gets it, and the meeting is full again for Carol.
    with step(app):
        meeting = db.session.get(Meeting, full)
        registration.unregister(meeting, db.session.get(User, people["alice"]))
    assert REGISTERED in card(
        _client(app, people["bob"]).get("/meetings/").get_data(as_text=True), full
    )
    # A new title, a renamed series, a cancellation.
    with step(app):
        meeting = db.session.get(Meeting, other)
        meeting.title = "Open meeting, renamed"
        db.session.get(Series, meeting.series_id).title = "Series renamed"
    html = carol.get("/meetings/").get_data(as_text=True)
    assert "Open meeting, renamed" in html and "Series renamed" in html
    with step(app):
        actor = factories.user(password=None)
        services.cancel(db.session.get(Meeting, other), actor, "Storm")
    assert "Cancelled" in card(carol.get("/meetings/").get_data(as_text=True), other)


def test_a_meeting_that_ends_moves_to_the_past_with_no_change_to_the_data(app, scene, monkeypatch):
    people, full, other = scene
    client = _client(app, people["carol"])
    html = client.get("/meetings/").get_data(as_text=True)
    assert f'id="meeting-{full}"' in section(html, "upcoming")
    with app.app_context():
        ends = db.session.get(Meeting, full).ends_at
    # Between the two meetings' ends: the first is over, the second still to come.
    monkeypatch.setattr("app.meetings.views.utcnow", lambda: ends + timedelta(days=1))
    html = client.get("/meetings/").get_data(as_text=True)
    assert f'id="meeting-{full}"' in section(html, "past")
    assert f'id="meeting-{other}"' in section(html, "upcoming")
    assert utcnow() < ends  # the data and the real clock are as they were


def test_another_process_sees_changes_made_by_one(app, scene, database_uri, tmp_path):
    """Two apps (two workers, each with its own kept lists) on one database."""
    people, _, other = scene
    with app_on_test_database(database_uri, tmp_path / "outbox-b") as second:
        first_client, second_client = (
            _client(app, people["carol"]),
            _client(second, people["carol"]),
        )
        for client in (first_client, second_client):
            assert "Open meeting" in client.get("/meetings/").get_data(as_text=True)
        with step(second):  # a change made while serving the second
            db.session.get(Meeting, other).title = "Changed elsewhere"
        assert "Changed elsewhere" in first_client.get("/meetings/").get_data(as_text=True)
        assert "Changed elsewhere" in second_client.get("/meetings/").get_data(as_text=True)


def test_drafts_kept_for_facilitators_stay_theirs(app, scene):
    people, _, _ = scene
    with step(app):
        facilitator = factories.user(roles=Role.FACILITATOR, password=None)
        factories.meeting(title="Draft being planned", status=MeetingStatus.DRAFT)
        facilitator = facilitator.id
    assert "Draft being planned" in _client(app, facilitator).get("/meetings/").get_data(
        as_text=True
    )
    for who in ("carol", None):
        html = _client(app, people.get(who)).get("/meetings/").get_data(as_text=True)
        assert "Draft being planned" not in html
