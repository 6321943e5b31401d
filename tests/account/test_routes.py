"""A member's own data: the JSON download and closing the account, end to end."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.boards import services as boards
from app.extensions import db
from app.models import (
    ActionFollower,
    ActionOwner,
    AuditEvent,
    Flag,
    Follow,
    Notification,
    Post,
    Registration,
    Role,
    User,
)
from app.timeutil import utcnow
from tests.conftest import log_in
from tests.factories import PASSWORD

HX = {"HX-Request": "true"}


@pytest.fixture
def priya(make):
    """A member with something of every kind: posts (one edited, with a revision), a vote, a
    report, a registration, an action she owns and one she follows, a notification, a follow
    and the application she joined with."""
    person = make.user(name="Priya Shah", email="priya@example.org", organisation="Northtown")
    person.bio, person.pronouns, person.place = "I work on health.", "she/her", "Northtown"
    person.calendar_token = "secret-feed-token"
    meeting = make.meeting(title="Taking a holistic approach")
    board = meeting.boards[0]
    asked = make.thread(board, person, title="How do we measure wellbeing?", body="First text")
    other = make.thread(board, title="Someone else's question", body="Not hers")
    make.reply(other, person, body="A reply of hers")
    make.vote(other, person)
    db.session.add(Flag(post_id=other.id, user_id=person.id, reason="off_topic", note="Why"))
    make.registration(meeting, person)
    make.action(person, title="Survey wellbeing")
    followed = make.action(title="Someone else's action")
    db.session.add(ActionFollower(action_id=followed.id, user_id=person.id))
    db.session.add(Follow(user_id=person.id, thread_id=other.id))
    make.application(email="priya@example.org", name="Priya Shah", user_id=person.id)
    make.notification(person, text="Sam replied to your question")
    db.session.commit()
    boards.edit_post(
        asked, person, title=asked.title, body="Second text", now=utcnow() + timedelta(hours=1)
    )
    db.session.commit()
    return person


def as_json(response) -> dict:
    return json.loads(response.get_data(as_text=True))


# Export ------------------------------------------------------------------------------------


def test_export_is_a_json_attachment_of_everything_about_the_member(client, priya):
    log_in(client, priya)
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data = as_json(response)
    assert data["profile"]["email"] == "priya@example.org"
    assert data["profile"]["bio"] == "I work on health."
    assert data["profile"]["has_calendar_feed"] is True
    assert "secret-feed-token" not in response.get_data(as_text=True)
    assert "password_hash" not in data["profile"]
    assert data["roles"] == ["Member"]
    assert [r["meeting_title"] for r in data["registrations"]] == ["Taking a holistic approach"]
    posts = {p["title"] or p["body"]: p for p in data["posts"]}
    assert set(posts) == {"How do we measure wellbeing?", "A reply of hers"}
    edited = posts["How do we measure wellbeing?"]
    assert edited["body"] == "Second text"
    assert [r["body"] for r in edited["revisions"]] == ["First text"]
    assert [v["question"] for v in data["votes"]] == ["Someone else's question"]
    assert [f["note"] for f in data["reports"]] == ["Why"]
    assert [a["title"] for a in data["actions"]["proposed"]] == ["Survey wellbeing"]
    assert [a["title"] for a in data["actions"]["owned"]] == ["Survey wellbeing"]
    assert [a["title"] for a in data["actions"]["followed"]] == ["Someone else's action"]
    assert {e["kind"] for e in data["actions"]["events"]} >= {"proposed", "accepted"}
    assert [n["text"] for n in data["notifications"]] == ["Sam replied to your question"]
    assert data["follows"] and all(f["thread_id"] for f in data["follows"])
    assert [a["email"] for a in data["applications"]] == ["priya@example.org"]
    assert data["moderation"] == {"warnings": [], "suspensions": [], "appeals": []}


def test_export_holds_nobody_elses_data(client, make, priya):
    other = make.user(name="Sam Okafor", email="sam@example.org")
    meeting = make.meeting()
    make.thread(meeting.boards[0], other, title="Sam's own question")
    make.application(email="sam@example.org", name="Sam Okafor")
    db.session.commit()
    log_in(client, priya)
    # No id in the URL: asking for someone else's data is not even expressible.
    response = client.get(f"/account/export?user_id={other.id}&id={other.id}")
    text = response.get_data(as_text=True)
    assert as_json(response)["profile"]["id"] == priya.id
    assert "sam@example.org" not in text and "Sam's own question" not in text
    assert client.get(f"/account/export/{other.id}").status_code == 404


def test_export_needs_a_member(client, auth, make):
    response = client.get("/account/export")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    response = client.get("/account/export", headers=HX)
    assert response.status_code == 401 and "/auth/login" in response.headers["HX-Redirect"]
    no_roles = make.user(roles=Role(0))
    db.session.commit()
    log_in(client, no_roles)
    assert client.get("/account/export").status_code == 403
    assert client.get("/account/close").status_code == 403
    assert client.post("/account/close", data={"password": PASSWORD}).status_code == 403


def test_export_runs_a_constant_number_of_queries(app, make, count_queries):
    def member_with(posts: int):
        person = make.user(password=None)
        meeting = make.meeting()
        for i in range(posts):
            post = make.thread(meeting.boards[0], person, title=f"Q{i}")
            make.vote(make.thread(meeting.boards[0], title=f"Other {i}"), person)
            make.action(person)
            make.notification(person, post=post)
        db.session.commit()
        return log_in(app.test_client(), person)

    few, many = member_with(1), member_with(8)
    few.get("/account/export")
    with count_queries() as small:
        few.get("/account/export")
    with count_queries() as large:
        many.get("/account/export")
    assert small.count == large.count, (small.statements, large.statements)


def test_profile_offers_the_download_and_closing(client, priya):
    log_in(client, priya)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert re.search(r'<a href="/account/export" id="export-data" download>', page)
    assert 'href="/account/close"' in page


# Closing -----------------------------------------------------------------------------------


def test_close_page_explains_and_asks_for_the_password(client, priya):
    log_in(client, priya)
    response = client.get("/account/close")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "cannot be undone" in page and 'id="close-consequences"' in page
    assert '<form method="post" action="/account/close" id="close-account" novalidate>' in page
    assert 'type="password"' in page and "Former member" in page
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("password", "message"),
    [("", "Enter your password to close your account"), ("wrong", "Your password is not correct")],
)
def test_closing_needs_the_right_password(client, priya, password, message):
    log_in(client, priya)
    response = client.post("/account/close", data={"password": password})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'class="error-summary"' in page and 'href="#password"' in page
    assert "<title>Error: Close your account – Roundtable</title>" in page
    db.session.expire_all()
    assert db.session.get(User, priya.id).active is True


def test_closing_checks_csrf(app, client, priya):
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, priya)
    assert client.post("/account/close", data={"password": PASSWORD}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, priya.id).active is True


def test_close_needs_a_member(client):
    for method in (client.get, client.post):
        response = method("/account/close")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_last_admin_cannot_close_their_account(client, make):
    admin = make.user(roles=Role.ADMIN | Role.MEMBER)
    db.session.commit()
    log_in(client, admin)
    page = client.get("/account/close").get_data(as_text=True)
    assert 'id="close-last-admin"' in page and 'id="close-account"' not in page
    assert client.post("/account/close", data={"password": PASSWORD}).status_code == 403
    make.user(roles=Role.ADMIN | Role.MEMBER, password=None)
    db.session.commit()
    assert client.post("/account/close", data={"password": PASSWORD}).status_code == 302


def test_closing_end_to_end(app, client, make, outbox, priya):
    # Priya's place at a full meeting goes to the first person waiting.
    full = make.meeting(title="A full meeting", capacity=1)
    make.registration(full, priya)
    waiting = make.user(email="waiting@example.org")
    make.registration(full, waiting, status="waitlisted")
    # An invitation she has not answered; a notification to Sam that names her.
    sam = make.user(name="Sam Okafor")
    make.action(sam, title="Shared task", invited=[priya])
    make.notification(sam, text="Priya Shah replied to your question", actor=priya)
    db.session.commit()
    other_device = log_in(app.test_client(), priya)
    assert other_device.get("/auth/profile").status_code == 200
    search_before = client.get("/search/", query_string={"q": "Priya"}).get_data(as_text=True)
    assert 'id="result-thread-' in search_before

    log_in(client, priya)
    response = client.post("/account/close", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Your account is closed" in home

    # Logged out here and everywhere else; the log-in form gives the usual answer.
    assert client.get("/auth/profile").status_code == 302
    assert other_device.get("/auth/profile").status_code == 302
    login = client.post("/auth/login", data={"email": "priya@example.org", "password": PASSWORD})
    assert "Enter a correct email address and password" in login.get_data(as_text=True)

    db.session.expire_all()
    closed = db.session.get(User, priya.id)
    assert closed.active is False
    assert closed.display_name == "Former member"
    assert closed.email == f"closed-{priya.id}@invalid"
    assert closed.password_hash is None and closed.calendar_token is None
    assert (closed.organisation, closed.place, closed.bio, closed.pronouns) == ("", "", "", "")

    # Registrations cancelled through the meetings service: the waiting list moved up.
    assert db.session.scalar(select(Registration).where(Registration.user_id == priya.id)) is None
    promoted = db.session.scalar(select(Registration).where(Registration.user_id == waiting.id))
    assert promoted.status == "registered"
    assert "waiting@example.org" in [m["To"] for m in outbox()]
    # Invitations declined, follows and her notifications gone, Sam's reworded.
    states = db.session.scalars(select(ActionOwner.state).where(ActionOwner.user_id == priya.id))
    assert "invited" not in list(states)
    assert (
        db.session.scalar(select(ActionFollower).where(ActionFollower.user_id == priya.id)) is None
    )
    assert db.session.scalar(select(Follow).where(Follow.user_id == priya.id)) is None
    assert db.session.scalar(select(Notification).where(Notification.user_id == priya.id)) is None
    texts = list(
        db.session.scalars(select(Notification.text).where(Notification.user_id == sam.id))
    )
    assert "Former member replied to your question" in texts
    assert not any("Priya" in t for t in texts)

    # The audit event names nobody: the user id only.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.closed"))
    assert (event.actor_id, event.subject_user_id, event.subject_id) == (priya.id,) * 3
    assert event.detail == "" and event.reason == ""

    # What she wrote stays, as "Former member"; search no longer finds her name.
    post_id = db.session.scalar(select(Post.id).where(Post.title == "How do we measure wellbeing?"))
    thread = log_in(app.test_client(), sam).get(f"/boards/threads/{post_id}").get_data(as_text=True)
    assert "How do we measure wellbeing?" in thread
    assert "Former member" in thread and "Priya Shah" not in thread
    assert f'href="/community/members/{priya.id}"' not in thread  # no link to a closed profile
    search_after = client.get("/search/", query_string={"q": "Priya"}).get_data(as_text=True)
    assert 'id="result-' not in search_after
    wellbeing = client.get("/search/", query_string={"q": "wellbeing"}).get_data(as_text=True)
    assert f'id="result-thread-{post_id}"' in wellbeing and "By Former member" in wellbeing


def test_closing_with_htmx_redirects_the_whole_page(client, priya):
    log_in(client, priya)
    response = client.post("/account/close", data={"password": PASSWORD}, headers=HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"


def test_export_of_a_closed_account_is_impossible(client, priya):
    old_identity = priya.get_id()
    log_in(client, priya)
    client.post("/account/close", data={"password": PASSWORD})
    log_in(client, old_identity)  # the session cookie from before: its generation is gone
    response = client.get("/account/export")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
