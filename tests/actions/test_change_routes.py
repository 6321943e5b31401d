"""Changing an action: status (with htmx, stale forms and two owners at once), answering an
invitation, progress updates, comments, following, inviting owners, edits and drops."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Action,
    ActionEvent,
    ActionFollower,
    ActionOwner,
    ActionStatus,
    Role,
)
from tests.actions.conftest import HX, due_fields, text, today


def status_data(action_id, status, version=1, reason="", next_url="/actions/"):
    return {
        f"a{action_id}-status": status,
        f"a{action_id}-version": str(version),
        f"a{action_id}-reason": reason,
        f"a{action_id}-next": next_url,
    }


def events(world, action_id, kind=None):
    with world.app.app_context():
        query = select(ActionEvent).where(ActionEvent.action_id == action_id)
        if kind:
            query = query.where(ActionEvent.kind == kind)
        rows = list(db.session.scalars(query.order_by(ActionEvent.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


# Status -------------------------------------------------------------------------------------------


def test_owner_moves_status_without_js(world):
    me = world.user()
    action = world.action(me)
    client = world.client(me)
    response = client.post(f"/actions/{action}/status", data=status_data(action, "in_progress"))
    assert response.status_code == 302 and response.headers["Location"] == "/actions/"
    saved = world.get(Action, action)
    assert saved.status == ActionStatus.IN_PROGRESS and saved.version == 2
    [entry] = events(world, action, "status")
    assert (entry.actor_id, entry.from_status, entry.to_status) == (me.id, "open", "in_progress")
    assert "moved to In progress" in text(client.get("/actions/"))


def test_owner_moves_status_with_htmx(world):
    me = world.user()
    action = world.action(me, title="Map it")
    response = world.client(me).post(
        f"/actions/{action}/status", data=status_data(action, "done"), headers=HX
    )
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<article id="action-{action}"')
    assert "Done</strong>" in body
    # The select keeps its id (focus stays); the result is announced.
    assert f'id="a{action}-status"' in body
    assert 'hx-swap-oob="innerHTML:#sr-status">“Map it” moved to Done.' in body
    assert f'name="a{action}-version" type="hidden" value="2"' in body
    saved = world.get(Action, action)
    assert saved.status == "done" and saved.done_on == today()


def test_unsafe_next_is_ignored(world):
    me = world.user()
    action = world.action(me)
    response = world.client(me).post(
        f"/actions/{action}/status",
        data=status_data(action, "in_progress", next_url="https://evil.example/"),
    )
    assert response.headers["Location"] == f"/actions/{action}"


def test_same_status_changes_nothing(world):
    me = world.user()
    action = world.action(me)
    response = world.client(me).post(
        f"/actions/{action}/status", data=status_data(action, "open"), headers=HX
    )
    assert response.status_code == 200 and "is already Open" in text(response)
    assert world.get(Action, action).version == 1 and not events(world, action, "status")


def test_dropping_needs_a_reason(world):
    me = world.user()
    action = world.action(me)
    client = world.client(me)
    # htmx: the card comes back with the reason field and its message, focused.
    response = client.post(
        f"/actions/{action}/status", data=status_data(action, "dropped"), headers=HX
    )
    body = text(response)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#action-{action}"
    assert "Enter why the action is dropped" in body and "autofocus" in body
    # Without JavaScript: the action page, with the error summary.
    response = client.post(f"/actions/{action}/status", data=status_data(action, "dropped"))
    page = text(response)
    assert response.status_code == 422 and "<title>Error: " in page
    assert f'href="#a{action}-reason">Enter why the action is dropped' in page
    assert world.status(action) == "open"
    # With a reason it is dropped, and the reason is on the timeline.
    response = client.post(
        f"/actions/{action}/status", data=status_data(action, "dropped", reason="Funding ended")
    )
    assert response.status_code == 302
    saved = world.get(Action, action)
    assert saved.status == "dropped" and saved.dropped_reason == "Funding ended"
    assert events(world, action, "status")[-1].text == "Funding ended"


@pytest.mark.parametrize(
    ("status", "version", "message"),
    [
        ("proposed", 1, "Select a status from the list"),
        ("finished", 1, "Select a status from the list"),
        ("done", "", "Reload the page and try again"),
    ],
)
def test_bad_status_form(world, status, version, message):
    me = world.user()
    action = world.action(me)
    response = world.client(me).post(
        f"/actions/{action}/status", data=status_data(action, status, version=version), headers=HX
    )
    assert response.status_code == 422 and message in text(response)
    assert world.get(Action, action).version == 1


def test_stale_form_gets_409_and_the_fresh_card(world):
    me, rhys = world.user(), world.user()
    action = world.action(me, owners=[rhys])
    assert (
        world.client(rhys)
        .post(f"/actions/{action}/status", data=status_data(action, "done"))
        .status_code
        == 302
    )
    # I was still looking at version 1.
    response = world.client(me).post(
        f"/actions/{action}/status", data=status_data(action, "in_progress"), headers=HX
    )
    body = text(response)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == f"#action-{action}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "changed by someone else" in body and "It is now “Done”" in body
    assert 'hx-swap-oob="innerHTML:#sr-status">' in body
    assert f'name="a{action}-version" type="hidden" value="2"' in body
    saved = world.get(Action, action)
    assert saved.status == "done" and saved.version == 2
    assert len(events(world, action, "status")) == 1
    # Without JavaScript: the action page says so, with its new state.
    page = world.client(me).post(f"/actions/{action}/status", data=status_data(action, "open"))
    assert page.status_code == 409 and 'id="action-notice"' in text(page)
    assert "It is now “Done”" in text(page)


def test_two_owners_at_once_one_wins_the_other_is_told(world, monkeypatch):
    me, rhys = world.user(), world.user()
    action = world.action(me, owners=[rhys])
    from app.actions import change_routes, services

    real = services.change_status
    both_read = threading.Barrier(2, timeout=10)

    def change_status_after_both_have_read(*args, **kwargs):
        # Both requests have loaded version 1 before either writes: the database decides.
        both_read.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(change_routes.services, "change_status", change_status_after_both_have_read)
    results = {}

    def move(user, status):
        response = world.client(user).post(
            f"/actions/{action}/status", data=status_data(action, status), headers=HX
        )
        results[status] = response.status_code

    threads = [
        threading.Thread(target=move, args=(me, "done")),
        threading.Thread(target=move, args=(rhys, "in_progress")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == [200, 409], results
    winner = next(s for s, code in results.items() if code == 200)
    saved = world.get(Action, action)
    assert saved.status == winner and saved.version == 2
    assert [e.to_status for e in events(world, action, "status")] == [winner]


def test_status_permissions(world):
    owner, member, invited = world.user(), world.user(), world.user()
    facilitator = world.user(Role.FACILITATOR)
    action = world.action(owner, invited=[invited])
    for person in (member, invited, facilitator):
        response = world.client(person).post(
            f"/actions/{action}/status", data=status_data(action, "done")
        )
        assert response.status_code == 403
    visitor = world.client().post(f"/actions/{action}/status", data=status_data(action, "done"))
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert (
        world.client(owner).post("/actions/999/status", data=status_data(999, "done")).status_code
        == 404
    )
    assert world.status(action) == "open"


def test_owner_can_reopen_a_done_action(world):
    me = world.user()
    action = world.action(me, status="done")
    world.client(me).post(f"/actions/{action}/status", data=status_data(action, "open", version=2))
    saved = world.get(Action, action)
    assert saved.status == "open" and saved.done_on is None


# Accepting and declining --------------------------------------------------------------------------


def test_accept_opens_a_proposed_action(world):
    me, rhys = world.user(), world.user()
    action = world.action(me, own=False, invited=[rhys])
    client = world.client(rhys)
    response = client.post(f"/actions/{action}/accept", data={"next": "/actions/mine"})
    assert response.status_code == 302 and response.headers["Location"] == "/actions/mine"
    saved = world.get(Action, action)
    assert saved.status == "open" and saved.version == 2
    assert world.count(ActionOwner, action_id=action, user_id=rhys.id, state="accepted") == 1
    kinds = [e.kind for e in events(world, action)]
    assert kinds[-2:] == ["accepted", "status"]
    # Answering again changes nothing and says so.
    again = client.post(f"/actions/{action}/accept", data={"next": "/actions/mine"})
    assert again.status_code == 302
    assert "already answered" in text(client.get("/actions/mine"))
    assert len(events(world, action, "accepted")) == 1


def test_accept_with_htmx_returns_the_card_with_its_owner_tools(world):
    me, rhys = world.user(), world.user()
    action = world.action(me, own=False, invited=[rhys], title="Map it")
    response = world.client(rhys).post(f"/actions/{action}/accept", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="status-form-{action}"' in body and f'id="accept-{action}"' not in body
    # The button is gone, so the notice takes focus (and nothing is announced as well).
    assert 'tabindex="-1" autofocus>You own “Map it”.' in body
    assert "sr-status" not in body
    again = world.client(rhys).post(f"/actions/{action}/accept", headers=HX)
    assert again.status_code == 409 and again.headers["HX-Retarget"] == f"#action-{action}"


def test_second_acceptance_keeps_it_open(world):
    me, rhys, sam = world.user(), world.user(), world.user()
    action = world.action(me, own=False, invited=[rhys, sam])
    world.client(rhys).post(f"/actions/{action}/accept")
    world.client(sam).post(f"/actions/{action}/accept")
    assert world.get(Action, action).version == 2
    assert len(events(world, action, "status")) == 1


def test_decline_keeps_it_proposed_with_the_reason(world):
    me, rhys = world.user(), world.user()
    action = world.action(me, own=False, invited=[rhys])
    response = world.client(rhys).post(
        f"/actions/{action}/decline", data={"reason": "No time this spring"}
    )
    assert response.status_code == 302
    assert world.status(action) == "proposed"
    assert world.count(ActionOwner, action_id=action, user_id=rhys.id, state="declined") == 1
    assert events(world, action, "declined")[0].text == "No time this spring"


def test_decline_with_htmx_and_a_too_long_reason(world):
    me, rhys = world.user(), world.user()
    action = world.action(me, own=False, invited=[rhys])
    client = world.client(rhys)
    bad = client.post(f"/actions/{action}/decline", data={"reason": "x" * 1001})
    assert bad.status_code == 422 and "Reason must be 1000 characters or fewer" in text(bad)
    assert world.count(ActionOwner, action_id=action, state="invited") == 1
    response = client.post(f"/actions/{action}/decline", headers=HX)
    assert response.status_code == 200 and "You declined" in text(response)
    assert f'id="accept-{action}"' not in text(response)


def test_only_the_invited_answer(world):
    me, stranger = world.user(), world.user()
    action = world.action(me)
    for verb in ("accept", "decline"):
        assert world.client(stranger).post(f"/actions/{action}/{verb}").status_code == 403
        assert world.client(me).post(f"/actions/999/{verb}").status_code == 404
        assert world.client().post(f"/actions/{action}/{verb}").status_code == 302


# Updates and comments -----------------------------------------------------------------------------


def test_owner_posts_an_update(world):
    me = world.user()
    action = world.action(me)
    response = world.client(me).post(
        f"/actions/{action}/updates", data={"update-text": "Half **done**."}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#timeline")
    saved = world.get(Action, action)
    assert (
        saved.last_update == "Half **done**."
        and saved.last_update_html == "<p>Half <strong>done</strong>.</p>"
    )
    assert saved.version == 1  # an update does not make other owners' status forms stale
    assert events(world, action, "update")[0].text_html == "<p>Half <strong>done</strong>.</p>"


def test_update_validation_and_permissions(world):
    me, member = world.user(), world.user()
    action = world.action(me)
    empty = world.client(me).post(f"/actions/{action}/updates", data={"update-text": "  "})
    assert empty.status_code == 422 and 'href="#update-text">Enter your progress update' in text(
        empty
    )
    long = world.client(me).post(f"/actions/{action}/updates", data={"update-text": "x" * 5001})
    assert long.status_code == 422 and "Update must be 5000 characters or fewer" in text(long)
    assert (
        world.client(member)
        .post(f"/actions/{action}/updates", data={"update-text": "Hi"})
        .status_code
        == 403
    )
    assert (
        world.client(me).post("/actions/999/updates", data={"update-text": "Hi"}).status_code == 404
    )
    assert (
        world.client().post(f"/actions/{action}/updates", data={"update-text": "Hi"}).status_code
        == 302
    )
    assert not events(world, action, "update")


def test_any_member_comments(world):
    me, member = world.user(), world.user(name="Sam Lee")
    action = world.action(me)
    client = world.client(member)
    assert (
        client.post(f"/actions/{action}/comments", data={"comment-text": "Can I help?"}).status_code
        == 302
    )
    page = text(client.get(f"/actions/{action}"))
    assert "<strong>Sam Lee</strong>\n    commented" in page and "Can I help?" in page
    empty = client.post(f"/actions/{action}/comments", data={"comment-text": ""})
    assert empty.status_code == 422 and "Enter your comment" in text(empty)
    assert client.post("/actions/999/comments", data={"comment-text": "x"}).status_code == 404
    assert (
        world.client().post(f"/actions/{action}/comments", data={"comment-text": "x"}).status_code
        == 302
    )
    assert len(events(world, action, "comment")) == 1


# Following ----------------------------------------------------------------------------------------


def test_follow_and_unfollow(world):
    me, member = world.user(), world.user()
    action = world.action(me)
    client = world.client(member)
    response = client.post(f"/actions/{action}/follow", data={"follow": "1"}, headers=HX)
    body = text(response)
    assert response.status_code == 200 and body.lstrip().startswith(
        f'<form id="follow-form-{action}"'
    )
    assert f'id="follow-{action}" class="button button--secondary" aria-pressed="true"' in body
    assert 'hx-swap-oob="innerHTML:#sr-status">You are following' in body
    client.post(f"/actions/{action}/follow", data={"follow": "1"})  # a double click is harmless
    assert world.count(ActionFollower, action_id=action, user_id=member.id) == 1
    plain = client.post(f"/actions/{action}/follow", data={"follow": "0"})
    assert plain.status_code == 302
    assert world.count(ActionFollower, action_id=action, user_id=member.id) == 0
    assert client.post(f"/actions/{action}/follow", data={"follow": "maybe"}).status_code == 400
    assert client.post("/actions/999/follow", data={"follow": "1"}).status_code == 404
    assert world.client().post(f"/actions/{action}/follow", data={"follow": "1"}).status_code == 302


# Inviting more owners -----------------------------------------------------------------------------


def test_owner_invites_more(world, outbox):
    me, rhys = world.user(), world.user(name="Rhys Evans", email="rhys@example.org")
    action = world.action(me)
    response = world.client(me).post(f"/actions/{action}/owners", data={"owners": "Rhys Evans"})
    assert response.status_code == 302
    assert world.count(ActionOwner, action_id=action, user_id=rhys.id, state="invited") == 1
    assert [m["To"] for m in outbox()] == ["rhys@example.org"]


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        ("", "Enter the name or email address of a member to invite"),
        ("ghost@example.org", "ghost@example.org is not a member of Roundtable"),
        ("Rhys Evans, Rhys Evans", "Rhys Evans is entered more than once"),
        ("Rhys Evans", "Rhys Evans is already invited"),
        ("Amara Okafor", "Amara Okafor already owns this action"),
    ],
)
def test_invite_problems_change_nothing(world, owners, message):
    me = world.user(name="Amara Okafor")
    rhys = world.user(name="Rhys Evans")
    action = world.action(me, invited=[rhys] if "already invited" in message else [])
    before = world.count(ActionOwner)
    response = world.client(me).post(f"/actions/{action}/owners", data={"owners": owners})
    assert response.status_code == 422 and message in text(response)
    assert world.count(ActionOwner) == before


def test_declined_member_can_be_invited_again(world):
    me, rhys = world.user(), world.user(name="Rhys Evans")
    action = world.action(me, invited=[rhys])
    world.client(rhys).post(f"/actions/{action}/decline")
    assert (
        world.client(me)
        .post(f"/actions/{action}/owners", data={"owners": "Rhys Evans"})
        .status_code
        == 302
    )
    assert world.count(ActionOwner, action_id=action, user_id=rhys.id, state="invited") == 1


def test_invite_permissions(world):
    owner, member = world.user(), world.user(name="Sam Lee")
    facilitator = world.user(Role.FACILITATOR)
    action = world.action(owner)
    assert (
        world.client(member)
        .post(f"/actions/{action}/owners", data={"owners": "Sam Lee"})
        .status_code
        == 403
    )
    assert (
        world.client(facilitator)
        .post(f"/actions/{action}/owners", data={"owners": "Sam Lee"})
        .status_code
        == 302
    )
    assert (
        world.client(owner).post("/actions/999/owners", data={"owners": "Sam Lee"}).status_code
        == 404
    )


# Facilitators: edit and drop ----------------------------------------------------------------------


def edit_data(**overrides):
    data = {
        "title": "A better title",
        "detail": "New detail",
        **due_fields(today() + timedelta(days=30)),
        "reason": "The owners asked for more time",
        "version": "1",
    }
    data.update(overrides)
    return data


def test_facilitator_edits_with_a_reason(world):
    action = world.action(world.user(), title="Old title")
    client = world.client(world.user(Role.FACILITATOR))
    page = text(client.get(f"/actions/{action}/edit"))
    assert 'value="Old title"' in page and 'name="version" type="hidden" value="1"' in page
    response = client.post(f"/actions/{action}/edit", data=edit_data())
    assert response.status_code == 302
    saved = world.get(Action, action)
    assert (saved.title, saved.detail_html, saved.version) == (
        "A better title",
        "<p>New detail</p>",
        2,
    )
    assert saved.due_on == today() + timedelta(days=30)
    [entry] = events(world, action, "edited")
    assert entry.text == "The owners asked for more time"
    assert entry.detail == "Changed the title, detail, due date"


def test_edit_keeps_a_past_due_date_but_refuses_a_new_past_one(world):
    action = world.action(world.user(), due_on=today() - timedelta(days=5))
    client = world.client(world.user(Role.FACILITATOR))
    keep = client.post(
        f"/actions/{action}/edit", data=edit_data(**due_fields(today() - timedelta(days=5)))
    )
    assert keep.status_code == 302
    moved = client.post(
        f"/actions/{action}/edit",
        data=edit_data(version="2", **due_fields(today() - timedelta(days=1))),
    )
    assert moved.status_code == 422 and "Due date must be today or in the future" in text(moved)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "", "Enter the reason for the change"),
        ("title", "", "Enter a title"),
        ("title", "t" * 161, "Title must be 160 characters or fewer"),
        ("due_month", "13", "Due date must be a real date"),
    ],
)
def test_edit_validation(world, field, value, message):
    action = world.action(world.user(), title="Old title")
    response = world.client(world.user(Role.FACILITATOR)).post(
        f"/actions/{action}/edit", data=edit_data(**{field: value})
    )
    assert response.status_code == 422 and message in text(response)
    assert world.get(Action, action).title == "Old title"


def test_stale_edit_is_409(world):
    me = world.user()
    action = world.action(me)
    world.client(me).post(f"/actions/{action}/status", data=status_data(action, "in_progress"))
    response = world.client(world.user(Role.FACILITATOR)).post(
        f"/actions/{action}/edit", data=edit_data()
    )
    assert response.status_code == 409 and "changed by someone else" in text(response)
    assert world.get(Action, action).title != "A better title"


def test_edit_permissions(world):
    owner = world.user()
    action = world.action(owner)
    for person in (owner, world.user()):
        assert world.client(person).get(f"/actions/{action}/edit").status_code == 403
        assert (
            world.client(person).post(f"/actions/{action}/edit", data=edit_data()).status_code
            == 403
        )
    assert world.client(world.user(Role.FACILITATOR)).get("/actions/999/edit").status_code == 404
    assert world.client().get(f"/actions/{action}/edit").status_code == 302


def test_facilitator_drops_any_action_with_a_reason(world):
    owner = world.user()
    action = world.action(owner)
    client = world.client(world.user(Role.FACILITATOR))
    assert 'id="drop-action-form"' in text(client.get(f"/actions/{action}/drop"))
    empty = client.post(f"/actions/{action}/drop", data={"reason": "", "version": "1"})
    assert empty.status_code == 422 and 'href="#reason">Enter why the action is dropped' in text(
        empty
    )
    assert world.status(action) == "open"
    response = client.post(
        f"/actions/{action}/drop", data={"reason": "Duplicate of another", "version": "1"}
    )
    assert response.status_code == 302
    saved = world.get(Action, action)
    assert saved.status == "dropped" and saved.dropped_reason == "Duplicate of another"
    # Dropped already: nothing more to drop.
    assert client.get(f"/actions/{action}/drop").status_code == 403


def test_drop_permissions_and_stale(world):
    owner, member = world.user(), world.user()
    action = world.action(owner)
    assert (
        world.client(member)
        .post(f"/actions/{action}/drop", data={"reason": "x", "version": "1"})
        .status_code
        == 403
    )
    world.client(owner).post(f"/actions/{action}/status", data=status_data(action, "in_progress"))
    stale = world.client(owner).post(
        f"/actions/{action}/drop", data={"reason": "x", "version": "1"}
    )
    assert stale.status_code == 409 and world.status(action) == "in_progress"
    assert (
        world.client(owner)
        .post(f"/actions/{action}/drop", data={"reason": "x", "version": "2"})
        .status_code
        == 302
    )
    assert world.client(owner).get("/actions/999/drop").status_code == 404
