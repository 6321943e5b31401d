"""Notifications pages: the list, opening, marking read, the bell, settings, unsubscribing,
following; permissions, htmx variants, CSRF and query counts."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Role, User
from app.models.notifications import Kind
from app.notifications import services as notify
from tests import factories
from tests.conftest import client_as, log_in

HX = {"HX-Request": "true"}


def page(response) -> str:
    return response.get_data(as_text=True)


def member(make, **fields):
    return make.user(password=None, **fields)


def signed_in(app, make, user):
    db.session.commit()
    return log_in(app.test_client(), user)


# The list ------------------------------------------------------------------------------------


def test_visitors_are_sent_to_log_in_everywhere(client):
    for url in ("/notifications/", "/notifications/settings", "/notifications/bell"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location
    for url in ("/notifications/read", "/notifications/1/open", "/notifications/follow/thread/1"):
        response = client.post(url)
        assert response.status_code == 302 and "/auth/login" in response.location


def test_the_list_shows_my_notifications_newest_first_and_nobody_elses(app, make):
    me, other = member(make), member(make)
    make.notification(me, text="The older one")
    newest = make.notification(me, text="The newer one")
    make.notification(other, text="Someone else's")
    client = signed_in(app, make, me)

    body = page(client.get("/notifications/"))
    assert body.index("The newer one") < body.index("The older one")
    assert "Someone else" not in body
    assert f'id="notification-{newest.id}"' in body
    assert f'id="notification-{newest.id}-open"' in body
    assert 'id="mark-all-read"' in body and "2 unread" in body
    assert "<title>Notifications – Roundtable</title>" in body


def test_the_list_for_htmx_is_the_fragment_alone(app, make):
    me = member(make)
    make.notification(me, text="Hello")
    body = page(signed_in(app, make, me).get("/notifications/", headers=HX))
    assert body.lstrip().startswith('<div id="notifications"') and "<html" not in body


def test_the_list_is_paginated_25_a_page(app, make):
    me = member(make)
    for i in range(27):
        make.notification(me, text=f"Note number {i:02d}")
    client = signed_in(app, make, me)
    first = page(client.get("/notifications/"))
    assert "Note number 26" in first and "Note number 01" not in first
    assert "(page 1 of 2)" in first
    second = page(client.get("/notifications/?page=2"))
    assert "Note number 01" in second and "Note number 00" in second
    assert "Note number 26" not in second
    assert "There is nothing on this page" in page(client.get("/notifications/?page=9"))


def test_an_empty_list_says_so(member_client):
    assert "You have no notifications yet" in page(member_client.get("/notifications/"))


def test_notifications_about_posts_others_cannot_read_are_not_listed(app, make):
    me = member(make)
    thread = make.thread(make.meeting().boards[0], me, title="Ours")
    reply = make.reply(thread, member(make, name="Rhys Evans"))
    notify.reply_posted(reply)
    reply.hidden_at = factories.utcnow()
    body = page(signed_in(app, make, me).get("/notifications/"))
    assert "Rhys Evans" not in body


def _seed_list(app, how_many: int) -> int:
    with app.app_context():
        me = factories.user(password=None)
        board = factories.meeting().boards[0]
        thread = factories.thread(board, me)
        for _ in range(how_many):
            reply = factories.reply(thread)
            notify.reply_posted(reply)
            factories.notification(me, kind=Kind.MEETING)
        db.session.commit()
        return me.get_id()


def test_the_list_costs_the_same_queries_for_3_or_30(app, count_queries):
    counts = []
    for how_many in (3, 30):
        client = log_in(app.test_client(), _seed_list(app, how_many))
        client.get("/notifications/")  # warm up (first-request work)
        with count_queries() as q:
            response = client.get("/notifications/")
        assert response.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4


def test_the_bell_adds_no_query_to_a_page(app, count_queries):
    counts = []
    for how_many in (0, 12):
        client = log_in(app.test_client(), _seed_list(app, how_many))
        client.get("/")
        with count_queries() as q:
            body = page(client.get("/"))
        counts.append(q.count)
        assert 'id="notifications-bell"' in body
        assert f'<span id="notifications-count" class="bell__count">{how_many * 2}</span>' in body
    assert counts[0] == counts[1], counts


# Opening and marking read --------------------------------------------------------------------


def test_opening_marks_read_and_goes_to_what_it_is_about(app, make):
    me = member(make)
    thread = make.thread(make.meeting().boards[0], me)
    reply = make.reply(thread, member(make))  # the boards tell the author (notify.reply_posted)
    n = db.session.scalar(select(Notification).where(Notification.user_id == me.id))
    client = signed_in(app, make, me)

    response = client.post(f"/notifications/{n.id}/open")
    assert response.status_code == 303
    assert response.location == f"/boards/threads/{reply.id}#post-{reply.id}"
    db.session.expire_all()
    assert db.session.get(Notification, n.id).read_at is not None
    assert db.session.get(User, me.id).unread_notifications == 0
    # Opening again is harmless.
    assert client.post(f"/notifications/{n.id}/open").status_code == 303
    assert db.session.get(User, me.id).unread_notifications == 0


def test_opening_with_htmx_redirects_the_page(app, make):
    me = member(make)
    meeting = make.meeting()
    make.registration(meeting, me)
    (n,) = notify.meeting_changed(meeting, None)
    response = signed_in(app, make, me).post(f"/notifications/{n.id}/open", headers=HX)
    assert response.headers["HX-Redirect"] == f"/meetings/{meeting.id}"


def test_someone_elses_notification_is_404_and_stays_unread(app, make):
    me, other = member(make), member(make)
    theirs = make.notification(other)
    client = signed_in(app, make, me)
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.post("/notifications/999999/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_opening_is_never_a_get(app, make):
    me = member(make)
    n = make.notification(me)
    assert signed_in(app, make, me).get(f"/notifications/{n.id}/open").status_code == 405


def test_mark_all_read_without_javascript(app, make):
    me = member(make)
    make.notification(me)
    make.notification(me)
    client = signed_in(app, make, me)
    response = client.post("/notifications/read", follow_redirects=True)
    body = page(response)
    assert "All your notifications are marked as read." in body
    assert 'id="mark-all-read"' not in body
    assert db.session.get(User, me.id).unread_notifications == 0


def test_mark_all_read_with_htmx_returns_the_list_focused_and_the_count(app, make):
    me = member(make)
    make.notification(me)
    body = page(signed_in(app, make, me).post("/notifications/read", headers=HX))
    assert body.lstrip().startswith('<div id="notifications"') and "<html" not in body
    assert 'tabindex="-1" autofocus>All your notifications are marked as read.' in body
    assert 'id="notifications-unread" class="bell__unread" hx-swap-oob="outerHTML" hidden' in body


def test_posts_need_a_csrf_token(app, make):
    me = member(make)
    n = make.notification(me)
    client = signed_in(app, make, me)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/notifications/read").status_code == 400
    assert client.post(f"/notifications/{n.id}/open").status_code == 400
    assert client.post("/notifications/settings", data={}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, me.id).unread_notifications == 1


# The bell ------------------------------------------------------------------------------------


def test_the_bell_answers_304_while_the_count_is_unchanged(app, make, count_queries):
    me = member(make)
    make.notification(me)
    client = signed_in(app, make, me)
    first = client.get("/notifications/bell", headers=HX)
    assert first.status_code == 200
    assert '<span id="notifications-count" class="bell__count">1</span>' in page(first)
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]

    with count_queries() as q:
        again = client.get("/notifications/bell", headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert q.count <= 1

    make.notification(me)
    db.session.commit()
    changed = client.get("/notifications/bell", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and ">2</span>" in page(changed)


def test_a_poll_after_the_session_ended_stops_polling(client):
    response = client.get("/notifications/bell", headers=HX)
    assert response.status_code == 286 and "HX-Redirect" not in response.headers


def test_the_header_bell_polls_and_links_to_the_list(app, make):
    me = member(make)
    body = page(signed_in(app, make, me).get("/notifications/"))
    bell = re.search(r'<a id="notifications-bell"[^>]*>', body).group(0)
    assert 'href="/notifications/"' in bell and 'hx-get="/notifications/bell"' in bell
    assert 'hx-trigger="every 45s"' in bell and 'aria-current="page"' in bell
    assert 'id="notifications-unread" class="bell__unread" hidden' in body  # none unread


def test_visitors_see_no_bell(client):
    assert "notifications-bell" not in page(client.get("/"))


# The whole story -----------------------------------------------------------------------------


def test_a_reply_lights_the_authors_bell_and_opening_it_lands_on_the_reply(app):
    """What the browser test does, in requests: a member replies through the boards' form, the
    author's bell shows 1, the author opens the notification and lands on the reply."""
    with app.app_context():
        author = factories.user(password=None, name="Amara Okafor")
        thread = factories.thread(factories.meeting().boards[0], author, title="Data gaps")
        db.session.commit()
        thread_id, author_identity = thread.id, author.get_id()
    replier = client_as(app, Role.MEMBER, name="Rhys Evans")
    response = replier.post(
        f"/boards/posts/{thread_id}/replies", data={f"reply-{thread_id}-body": "Try the census."}
    )
    assert response.status_code == 302

    author_client = log_in(app.test_client(), author_identity)
    bell = page(author_client.get("/notifications/bell", headers=HX))
    assert '<span id="notifications-count" class="bell__count">1</span>' in bell
    listing = page(author_client.get("/notifications/"))
    n_id = int(re.search(r'id="notification-(\d+)"', listing).group(1))
    assert "Rhys Evans replied to your question" in listing
    opened = author_client.post(f"/notifications/{n_id}/open")
    reply_id = int(re.search(r"#post-(\d+)", opened.location).group(1))
    landed = author_client.get(opened.location)
    assert landed.status_code == 302  # the boards send a reply's id on to its thread page
    assert landed.location.endswith(f"#post-{reply_id}")
    assert f'id="post-{reply_id}"' in page(author_client.get(landed.location))
    assert ">0</span>" in page(author_client.get("/notifications/bell", headers=HX))


def test_thread_and_board_pages_show_the_follow_buttons(app, make):
    me = member(make)
    board = make.meeting().boards[0]
    thread = make.thread(board, me, title="Power")  # authors follow their own threads
    client = signed_in(app, make, me)
    body = page(client.get(f"/boards/threads/{thread.id}"))
    button = re.search(rf'<button[^>]*id="follow-thread-{thread.id}"[^>]*>', body).group(0)
    assert 'aria-pressed="true"' in button
    body = page(client.get(f"/boards/{board.id}"))
    button = re.search(rf'<button[^>]*id="follow-board-{board.id}"[^>]*>', body).group(0)
    assert 'aria-pressed="false"' in button
    assert f'name="next" value="/boards/{board.id}"' in body


def test_visitors_see_no_follow_buttons(client, make):
    board = make.meeting().boards[0]
    thread = make.thread(board, member(make))
    db.session.commit()
    assert "follow-thread-" not in page(client.get(f"/boards/threads/{thread.id}"))
    assert "follow-board-" not in page(client.get(f"/boards/{board.id}"))
