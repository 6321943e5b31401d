"""Proposing an action (/actions/new): sources, owners, the due date, and every bad input."""

from datetime import timedelta

import pytest

from app.models import (
    Action,
    ActionEvent,
    ActionFollower,
    ActionOwner,
    ActionStatus,
    MeetingStatus,
    Role,
)
from tests.actions.conftest import due_fields, text, today


def form(**overrides) -> dict:
    data = {
        "title": "Share the skills map with the council",
        "detail": "Send it to the *lead officer*.",
        **due_fields(today() + timedelta(days=10)),
        "own": "y",
        "owners": "",
    }
    data.update(overrides)
    return data


def test_form_page_for_a_member(world):
    page = text(world.client(world.user()).get("/actions/new"))
    assert 'id="new-action-form"' in page and "novalidate" in page
    assert "<h1>Propose an action</h1>" in page
    # GOV.UK date input, as the meetings area has it.
    assert "For example, 27 3 2027" in page
    for name in ("due_day", "due_month", "due_year"):
        assert f'id="{name}"' in page
    assert 'id="own"' in page and 'id="owners"' in page


def test_propose_and_own_it(world):
    me = world.user(name="Amara Okafor")
    client = world.client(me)
    response = client.post("/actions/new", data=form())
    assert response.status_code == 302
    action_id = int(response.headers["Location"].rsplit("/", 1)[1])
    action = world.get(Action, action_id)
    assert action.title == "Share the skills map with the council"
    assert action.detail_html == "<p>Send it to the <em>lead officer</em>.</p>"
    assert action.status == ActionStatus.OPEN
    assert action.due_on == today() + timedelta(days=10)
    assert action.proposer_id == me.id and action.source_type == ""
    assert world.count(ActionOwner, action_id=action_id, user_id=me.id, state="accepted") == 1
    kinds = {e.kind for e in _events(world, action_id)}
    assert kinds == {"proposed", "accepted"}
    page = text(client.get(response.headers["Location"]))
    assert "Action added. You own it." in page


def test_invited_owners_must_accept_and_are_emailed(world, outbox):
    me = world.user(name="Amara Okafor")
    rhys = world.user(name="Rhys Evans", email="rhys@example.org")
    priya = world.user(name="Priya Shah")
    response = world.client(me).post(
        "/actions/new", data=form(own="", owners="rhys@EXAMPLE.org,  priya shah")
    )
    assert response.status_code == 302
    action = world.get(Action, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert action.status == ActionStatus.PROPOSED  # nobody has accepted yet
    states = {o.user_id: o.state for o in _owners(world, action.id)}
    assert states == {rhys.id: "invited", priya.id: "invited"}
    # The proposer follows what they proposed but do not own.
    assert world.count(ActionFollower, action_id=action.id, user_id=me.id) == 1
    sent = {m["To"]: m for m in outbox()}
    assert set(sent) == {"rhys@example.org", priya.email}
    assert "invited to own an action" in sent["rhys@example.org"]["Subject"]
    assert f"http://localhost/actions/{action.id}" in sent["rhys@example.org"].get_content()


def test_proposer_can_own_and_invite_others(world):
    me, rhys = world.user(), world.user(name="Rhys Evans")
    response = world.client(me).post("/actions/new", data=form(owners="Rhys Evans"))
    action_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert world.status(action_id) == ActionStatus.OPEN
    states = {o.user_id: o.state for o in _owners(world, action_id)}
    assert states == {me.id: "accepted", rhys.id: "invited"}


@pytest.mark.parametrize(
    ("kind", "expected_title"),
    [("meeting", ""), ("board", ""), ("post", "Follow up: How do we pool budgets?")],
)
def test_new_from_a_source_prefills_and_links_it(world, kind, expected_title):
    me = world.user()
    meeting = world.meeting(title="Using data well")
    board = world.board_of(meeting.id)
    thread = world.thread(board, me, title="How do we pool budgets?")
    ident = {"meeting": meeting.id, "board": board, "post": thread}[kind]
    client = world.client(me)
    page = text(client.get(f"/actions/new?{kind}={ident}"))
    assert f'action="/actions/new?{kind}={ident}"' in page
    assert 'id="action-source"' in page
    assert (
        f'value="{expected_title}"' in page
        if expected_title
        else 'name="title" type="text" value=""' in page
    )
    response = client.post(f"/actions/new?{kind}={ident}", data=form())
    action = world.get(Action, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (action.source_type, action.source_id) == (kind, ident)
    assert action.meeting_id == meeting.id
    assert action.board_id == (None if kind == "meeting" else board)
    assert action.post_id == (thread if kind == "post" else None)


def test_a_reply_source_becomes_its_thread(world):
    me = world.user()
    board = world.board_of(world.meeting().id)
    thread = world.thread(board, me, title="A thread")
    reply = world.reply(thread, me)
    response = world.client(me).post(f"/actions/new?post={reply}", data=form())
    action = world.get(Action, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (action.source_type, action.source_id, action.post_id) == ("post", thread, thread)


def test_new_from_an_agenda_item_prefills_title_and_outcome(world, app):
    from app.extensions import db

    me = world.user()
    meeting = world.meeting(title="Sharing power")
    table = db.metadata.tables.get("agenda_item")
    if table is None:
        pytest.skip("the agenda area is not installed")
    with app.app_context():
        agenda = db.metadata.tables["agenda"]
        agenda_id = db.session.execute(
            agenda.insert().values(meeting_id=meeting.id)
        ).inserted_primary_key[0]
        item_id = db.session.execute(
            table.insert().values(
                agenda_id=agenda_id,
                meeting_id=meeting.id,
                position=1,
                title="Neighbourhood budgets",
                minutes=20,
                notes="Agreed to write to the mayor.",
                status="discussed",
            )
        ).inserted_primary_key[0]
        db.session.commit()
    client = world.client(me)
    page = text(client.get(f"/actions/new?agenda_item={item_id}"))
    assert 'value="Neighbourhood budgets"' in page
    assert "Agreed to write to the mayor." in page
    response = client.post(f"/actions/new?agenda_item={item_id}", data=form())
    action = world.get(Action, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (action.source_type, action.source_id) == ("agenda_item", item_id)
    assert action.meeting_id == meeting.id and action.source_label == "Neighbourhood budgets"


@pytest.mark.parametrize(
    "query", ["meeting=999", "board=999", "post=999", "agenda_item=999", "meeting=x"]
)
def test_unknown_source_is_404(world, query):
    client = world.client(world.user())
    assert client.get(f"/actions/new?{query}").status_code == 404
    assert client.post(f"/actions/new?{query}", data=form()).status_code == 404
    assert world.count(Action) == 0


def test_draft_meeting_is_no_source_for_members_but_is_for_facilitators(world):
    draft = world.meeting(status=MeetingStatus.DRAFT)
    assert world.client(world.user()).get(f"/actions/new?meeting={draft.id}").status_code == 404
    facilitator = world.user(Role.FACILITATOR)
    assert world.client(facilitator).get(f"/actions/new?meeting={draft.id}").status_code == 200


# Bad input: a clear message next to the field, 422, what was typed kept, nothing saved ------


def _rejected(world, client, data, field_id, message):
    response = client.post("/actions/new", data=data)
    page = text(response)
    assert response.status_code == 422
    assert "<title>Error: Propose an action" in page
    assert f'<li><a href="#{field_id}">{message}</a></li>' in page  # the error summary
    assert f'<span class="visually-hidden">Error:</span> {message}</p>' in page  # by the field
    assert world.count(Action) == 0 and world.count(ActionEvent) == 0
    return page


def test_empty_title(world):
    client = world.client(world.user())
    _rejected(world, client, form(title="   "), "title", "Enter a title")


def test_title_too_long_keeps_the_text(world):
    client = world.client(world.user())
    page = _rejected(
        world, client, form(title="x" * 161), "title", "Title must be 160 characters or fewer"
    )
    assert 'value="' + "x" * 161 + '"' in page


def test_detail_too_long(world):
    client = world.client(world.user())
    _rejected(
        world, client, form(detail="y" * 5001), "detail", "Detail must be 5000 characters or fewer"
    )


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"due_day": "", "due_month": "", "due_year": ""}, "due_day", "Enter the due date"),
        ({"due_month": ""}, "due_month", "Due date must include a month"),
        ({"due_day": "", "due_year": ""}, "due_day", "Due date must include a day and year"),
        ({"due_day": "31", "due_month": "2"}, "due_day", "Due date must be a real date"),
        ({"due_month": "Smarch"}, "due_month", "Due date must be a real date"),
        ({"due_year": "27"}, "due_year", "Year must include 4 numbers"),
    ],
)
def test_due_date_problems(world, fields, field_id, message):
    client = world.client(world.user())
    _rejected(world, client, form(**fields), field_id, message)


def test_due_date_in_the_past(world):
    client = world.client(world.user())
    yesterday = today() - timedelta(days=1)
    _rejected(
        world,
        client,
        form(**due_fields(yesterday)),
        "due_day",
        "Due date must be today or in the future",
    )


def test_due_today_and_month_names_are_accepted(world):
    client = world.client(world.user())
    day = today()
    data = form(due_day=str(day.day), due_month=f"{day:%B}".lower(), due_year=str(day.year))
    assert client.post("/actions/new", data=data).status_code == 302
    assert world.get(Action, 1).due_on == day


def test_no_owner_at_all(world):
    client = world.client(world.user())
    _rejected(
        world,
        client,
        form(own=""),
        "owners",
        "Enter at least one owner, or select “I will own this”",
    )


def test_unknown_owner(world):
    client = world.client(world.user())
    page = _rejected(
        world,
        client,
        form(owners="nobody@example.org"),
        "owners",
        "nobody@example.org is not a member of Roundtable: check the name or email address",
    )
    assert "nobody@example.org</textarea>" in page  # what was typed is kept


def test_owner_who_is_not_a_member_gets_the_same_message(world):
    outsider = world.visitor_account(email="outsider@example.org")
    closed = world.user(email="closed@example.org", active=False)
    client = world.client(world.user())
    for person in (outsider, closed):
        _rejected(
            world,
            client,
            form(owners=person.email),
            "owners",
            f"{person.email} is not a member of Roundtable: check the name or email address",
        )


def test_same_member_invited_twice(world):
    rhys = world.user(name="Rhys Evans", email="rhys@example.org")
    client = world.client(world.user())
    _rejected(
        world,
        client,
        form(owners="Rhys Evans, RHYS@example.org"),
        "owners",
        "Rhys Evans is entered more than once",
    )
    assert rhys


def test_ambiguous_name(world):
    world.user(name="Sam Lee")
    world.user(name="Sam Lee")
    client = world.client(world.user())
    _rejected(
        world,
        client,
        form(owners="sam lee"),
        "owners",
        "More than one member is called sam lee: enter their email address",
    )


def test_visitor_is_sent_to_log_in(world):
    response = world.client().get("/actions/new?meeting=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=/actions/new")
    assert world.client().post("/actions/new", data=form()).status_code == 302
    htmx = world.client().post("/actions/new", data=form(), headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/auth/login")
    assert world.count(Action) == 0


def test_account_without_member_role_is_refused(world):
    client = world.client(world.visitor_account())
    assert client.get("/actions/new").status_code == 403
    assert client.post("/actions/new", data=form()).status_code == 403


def test_csrf_is_checked(world, app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = world.client(world.user())
    assert client.post("/actions/new", data=form()).status_code == 400
    token_page = text(client.get("/actions/new"))
    from tests.actions.conftest import csrf_token_from

    ok = client.post("/actions/new", data=form(csrf_token=csrf_token_from(token_page)))
    assert ok.status_code == 302


def _events(world, action_id):
    from sqlalchemy import select

    from app.extensions import db

    with world.app.app_context():
        return list(
            db.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action_id))
        )


def _owners(world, action_id):
    from sqlalchemy import select

    from app.extensions import db

    with world.app.app_context():
        return list(
            db.session.scalars(select(ActionOwner).where(ActionOwner.action_id == action_id))
        )
