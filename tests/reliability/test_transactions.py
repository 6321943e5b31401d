"""A crash between two writes never leaves half a change: a request is one transaction.

Each case runs a route that writes several tables, with one of the functions it calls replaced by
one that does its work and then raises, as a crash would, while more writes were still to come.
The request fails with the 500 page; every table is then exactly as before, and no email went.
"""

import importlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Role, User
from tests.actions.conftest import due_fields
from tests.conftest import client_as
from tests.reliability.conftest import differences, snapshot


class Crash(Exception):
    """What the injected failure raises."""


@dataclass
class Case:
    client: object
    url: str
    data: dict
    # (module path, function name): it runs, then the request crashes.
    crash_after: tuple[str, str]


def _approve_application(app, make) -> Case:
    # Claims the application (UPDATE), creates the account and audits it; then it would tell
    # the new member in the app, and queue their welcome email.
    application = make.application()
    db.session.commit()
    return Case(
        client_as(app, Role.FACILITATOR),
        f"/community/applications/{application.id}/approve",
        {"approve_note": "Welcome"},
        ("app.notifications.services", "application_approved"),
    )


def _cancel_meeting(app, make) -> Case:
    # Cancels the meeting (UPDATE), audits it and notifies the registrants; then it would queue
    # their emails.
    meeting = make.meeting(capacity=5)
    for _ in range(2):
        make.registration(meeting)
    db.session.commit()
    return Case(
        client_as(app, Role.FACILITATOR),
        f"/meetings/{meeting.id}/cancel",
        {"reason": "The venue flooded."},
        ("app.notifications.services", "meeting_cancelled"),
    )


def _reply(app, make) -> Case:
    # Stores the reply and notifies the thread's author; then it would move the thread's and the
    # board's counters.
    thread = make.thread(make.meeting().boards[0], title="Who holds the local data?")
    db.session.commit()
    return Case(
        client_as(app, Role.MEMBER),
        f"/boards/posts/{thread.id}/replies",
        {f"reply-{thread.id}-body": "The council, mostly."},
        ("app.notifications.services", "reply_posted"),
    )


def _propose_action(app, make) -> Case:
    # Stores the action and its "proposed" event; then it would add the owner and the rest.
    from app.actions.services import today

    return Case(
        client_as(app, Role.MEMBER),
        "/actions/new",
        {
            "title": "Share the skills map with the council",
            "detail": "",
            **due_fields(today() + timedelta(days=10)),
            "own": "y",
            "owners": "",
        },
        ("app.actions.services", "add_event"),
    )


def _take_back_vote(app, make) -> Case:
    # Deletes the vote row; then it would move the question's count down.
    thread = make.thread(make.meeting().boards[0], title="Should we map the data gaps?")
    db.session.commit()
    client = client_as(app, Role.MEMBER)
    make.vote(thread, db.session.get(User, client.user_id))
    db.session.commit()
    return Case(
        client,
        f"/boards/posts/{thread.id}/vote",
        {"want": "remove"},
        ("app.boards.services", "_delete_vote"),
    )


CASES = {
    "approve an application": _approve_application,
    "cancel a meeting": _cancel_meeting,
    "reply to a thread": _reply,
    "propose an action": _propose_action,
    "take back a vote": _take_back_vote,
}


@pytest.mark.parametrize("name", CASES)
def test_a_crash_between_two_writes_leaves_nothing_written(app, make, monkeypatch, outbox, name):
    case = CASES[name](app, make)
    db.session.remove()
    engine = db.engine
    before = snapshot(engine)

    module_path, function = case.crash_after
    module = importlib.import_module(module_path)
    original = getattr(module, function)

    def crashing(*args, **kwargs):
        original(*args, **kwargs)
        raise Crash(f"crashed after {function}")

    monkeypatch.setattr(module, function, crashing)
    writes = []

    def count_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    # Unhandled errors get the 500 page, as in production, instead of reaching the test.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    event.listen(engine, "before_cursor_execute", count_writes)
    try:
        response = case.client.post(case.url, data=case.data)
    finally:
        event.remove(engine, "before_cursor_execute", count_writes)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
    assert writes, "nothing was written before the crash: the case tests nothing"
    db.session.remove()
    assert differences(before, snapshot(engine)) == []
    assert outbox() == []
