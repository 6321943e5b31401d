"""Notifications settings and unsubscribing from an email, and following threads and boards:
permissions, validation errors, htmx variants and CSRF."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Follow, NotificationSettings, Role
from app.models.notifications import EmailMode, Kind
from app.notifications import services as notify
from app.notifications import settings
from tests.conftest import log_in

HX = {"HX-Request": "true"}


def page(response) -> str:
    return response.get_data(as_text=True)


def member(make, **fields):
    return make.user(password=None, **fields)


def signed_in(app, make, user):
    db.session.commit()
    return log_in(app.test_client(), user)


# Settings ------------------------------------------------------------------------------------


def valid_settings(**overrides) -> dict:
    data = {kind: EmailMode.DAILY for kind in Kind.EMAILED}
    data.update(meeting_digest="yes", digest_days="3")
    data.update(overrides)
    return data


def test_the_settings_page_shows_a_fieldset_per_kind_with_the_current_choice(member_client):
    body = page(member_client.get("/notifications/settings"))
    assert body.count("<fieldset") == len(Kind.EMAILED) + 1
    for kind in Kind.EMAILED:
        assert Kind.LABELS[kind] in body
    assert re.search(
        r'id="meeting-0"[^>]*value="immediate"[^>]*checked|checked[^>]*id="meeting-0"', body
    )
    assert 'name="digest_days"' in body and 'value="3"' in body


def test_saving_settings(app, member_client):
    response = member_client.post(
        "/notifications/settings",
        data=valid_settings(reply="immediate", mention="off", digest_days="5"),
        follow_redirects=True,
    )
    assert "Your email settings are saved." in page(response)
    with app.app_context():
        row = db.session.get(NotificationSettings, member_client.user_id)
        assert (row.reply, row.mention, row.follow) == ("immediate", "off", "daily")
        assert row.meeting_digest_days == 5


def test_saving_no_meeting_digest_ignores_the_days(app, member_client):
    data = valid_settings(meeting_digest="no", digest_days="")
    assert member_client.post("/notifications/settings", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(NotificationSettings, member_client.user_id).meeting_digest_days == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"digest_days": ""}, "Enter how many days before the meeting to send it"),
        ({"digest_days": "three"}, "Days before the meeting must be a whole number, like 3"),
        ({"digest_days": "30"}, "Days before the meeting must be between 1 and 14"),
        ({"digest_days": "0"}, "Days before the meeting must be between 1 and 14"),
        ({"reply": "sometimes"}, "Select how to email you about replies to your posts"),
        ({"reply": ""}, "Select how to email you about replies to your posts"),
        ({"meeting_digest": "maybe"}, "Select whether to email you before meetings"),
    ],
)
def test_settings_errors_come_back_next_to_the_field(app, member_client, overrides, message):
    response = member_client.post("/notifications/settings", data=valid_settings(**overrides))
    assert response.status_code == 422
    body = page(response)
    assert "<title>Error: Email settings" in body and "There is a problem" in body
    assert body.count(message) == 2  # in the summary and next to the field
    if "digest_days" in overrides:
        assert f'value="{overrides["digest_days"]}"' in body  # what was typed is kept
    with app.app_context():
        assert db.session.get(NotificationSettings, member_client.user_id) is None


# Unsubscribing -------------------------------------------------------------------------------


def test_unsubscribe_link_asks_then_unsubscribes_without_logging_in(app, client, make):
    me = member(make, email="amara@example.org")
    token = settings.unsubscribe_token(me.id, Kind.REPLY)
    db.session.commit()

    confirm = client.get(f"/notifications/unsubscribe/{token}")
    assert confirm.status_code == 200
    assert "Stop emails about replies to your posts?" in page(confirm)
    db.session.expire_all()
    assert db.session.get(NotificationSettings, me.id) is None  # a GET changes nothing

    done = client.post(f"/notifications/unsubscribe/{token}")
    assert done.status_code == 200
    assert "We will no longer email amara@example.org about replies to your posts." in page(done)
    db.session.expire_all()
    assert db.session.get(NotificationSettings, me.id).reply == EmailMode.OFF


def test_one_click_unsubscribe_works_without_a_csrf_token(app, client, make):
    me = member(make)
    token = settings.unsubscribe_token(me.id, "all")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        f"/notifications/unsubscribe/{token}",
        data={"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    saved = db.session.get(NotificationSettings, me.id)
    assert all(saved.mode(kind) == EmailMode.OFF for kind in Kind.EMAILED)
    assert saved.meeting_digest_days == 0


def test_a_forged_unsubscribe_link_is_404(client):
    assert client.get("/notifications/unsubscribe/not-a-token").status_code == 404
    assert client.post("/notifications/unsubscribe/not-a-token").status_code == 404


# Following -----------------------------------------------------------------------------------


def test_following_a_thread_without_javascript(app, make):
    me = member(make)
    thread = make.thread(make.meeting().boards[0], member(make), title="Data")
    client = signed_in(app, make, me)
    response = client.post(
        f"/notifications/follow/thread/{thread.id}",
        data={"follow": "1", "next": f"/boards/threads/{thread.id}"},
    )
    assert response.status_code == 302 and response.location == f"/boards/threads/{thread.id}"
    assert db.session.scalar(select(Follow.thread_id).where(Follow.user_id == me.id)) == thread.id
    response = client.post(f"/notifications/follow/thread/{thread.id}", data={"follow": "0"})
    assert response.location == f"/boards/threads/{thread.id}"
    assert db.session.scalar(select(Follow.id).where(Follow.user_id == me.id)) is None


def test_following_a_board_with_htmx_answers_the_button_in_place(app, make):
    me = member(make)
    board = make.meeting(title="Using data").boards[0]
    client = signed_in(app, make, me)
    body = page(
        client.post(f"/notifications/follow/board/{board.id}", data={"follow": "1"}, headers=HX)
    )
    assert body.lstrip().startswith(f'<form id="follow-form-board-{board.id}"')
    assert f'id="follow-board-{board.id}"' in body and 'aria-pressed="true"' in body
    assert 'hx-swap-oob="innerHTML:#sr-status">You are following' in body
    assert "<html" not in body
    body = page(
        client.post(f"/notifications/follow/board/{board.id}", data={"follow": "0"}, headers=HX)
    )
    assert 'aria-pressed="false"' in body and "You no longer follow" in body


def test_following_refuses_bad_requests(app, make):
    me = member(make)
    thread = make.thread(make.meeting().boards[0], member(make))
    reply = make.reply(thread, member(make))
    draft_board = make.meeting(status="draft").boards[0]
    client = signed_in(app, make, me)
    assert (
        client.post(f"/notifications/follow/thread/{thread.id}", data={"follow": "2"}).status_code
        == 400
    )
    assert (
        client.post(f"/notifications/follow/topic/{thread.id}", data={"follow": "1"}).status_code
        == 404
    )
    assert (
        client.post("/notifications/follow/thread/99999", data={"follow": "1"}).status_code == 404
    )
    assert (
        client.post(f"/notifications/follow/thread/{reply.id}", data={"follow": "1"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/notifications/follow/board/{draft_board.id}", data={"follow": "1"}
        ).status_code
        == 404
    )
    assert db.session.scalar(select(Follow.id).where(Follow.user_id == me.id)) is None


def test_facilitators_may_follow_a_draft_meetings_board(app, make):
    facilitator = member(make, roles=Role.FACILITATOR | Role.MEMBER)
    draft_board = make.meeting(status="draft").boards[0]
    client = signed_in(app, make, facilitator)
    response = client.post(f"/notifications/follow/board/{draft_board.id}", data={"follow": "1"})
    assert response.status_code == 302


def test_the_follow_button_renders_for_members_only(app, make):
    from app import fragments
    from app.notifications.routes import follow_button

    me = member(make)
    thread = make.thread(make.meeting().boards[0], me, title="Power")
    notify.thread_created(thread)
    db.session.commit()
    with app.test_request_context("/boards/threads/1"):
        assert str(follow_button("thread", thread)) == ""  # a visitor
        log_in_request(me)
        # Both states are drawn; the member's is chosen as the page is sent (app.fragments).
        html = fragments.fill(str(follow_button("thread", thread)))
    assert f'id="follow-thread-{thread.id}"' in html and 'aria-pressed="true"' in html
    assert 'name="next" value="/boards/threads/1"' in html


def log_in_request(user):
    from flask_login import login_user

    login_user(user)
