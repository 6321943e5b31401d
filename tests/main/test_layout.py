"""The page header, kept per page and kind of viewer (app.layout): each viewer still sees their
own name, unread count, queue count and log-out token, whoever loaded the page first."""

import re

import pytest
from flask import g

from app import fragments
from app.extensions import db
from app.models import Role, User
from app.moderation import services as moderation
from tests import factories
from tests.conftest import client_as


def _header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def _logout_token(page: str) -> str:
    return re.search(r'action="/auth/logout"[^>]*>\s*<input[^>]*value="([^"]+)"', page).group(1)


def _page_token(page: str) -> str:
    return re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)


def _unread(app, client, count: int) -> None:
    with app.app_context():
        db.session.get(User, client.user_id).unread_notifications = count
        db.session.commit()


def test_members_with_the_same_roles_share_one_header_and_see_their_own_parts(app):
    ann = client_as(app, Role.MEMBER, name="Ann <b>Lee</b>")
    ben = client_as(app, Role.MEMBER, name="Ben Hall")
    _unread(app, ann, 3)
    pages = {name: c.get("/meetings/").get_data(as_text=True) for name, c in
             (("ann", ann), ("ben", ben))}  # fmt: skip
    ann_header, ben_header = _header(pages["ann"]), _header(pages["ben"])
    assert "(Ann &lt;b&gt;Lee&lt;/b&gt;)" in ann_header and "Ben Hall" not in ann_header
    assert "(Ben Hall)" in ben_header and "Ann" not in ben_header
    assert '<span id="notifications-count" class="bell__count">3</span>' in ann_header
    assert re.search(r'id="notifications-unread" class="bell__unread" hidden>', ben_header)
    for page in pages.values():
        assert _logout_token(page) == _page_token(page)
        assert "\x00" not in page
    assert _logout_token(pages["ann"]) != _logout_token(pages["ben"])
    kept = [key for key in app.extensions["rt_fragments"] if key[0] == "site-header"]
    assert len(kept) == 1
    # The token works: log-out goes through with it.
    response = ann.post("/auth/logout", data={"csrf_token": _logout_token(pages["ann"])})
    assert response.status_code == 302


def test_the_header_marks_the_page_it_is_on(app):
    member = client_as(app, Role.MEMBER)
    meetings = _header(member.get("/meetings/").get_data(as_text=True))
    home = _header(member.get("/").get_data(as_text=True))
    assert 'href="/meetings/" aria-current="page"' in meetings
    assert 'href="/meetings/" aria-current="page"' not in home
    assert 'href="/" aria-current="page"' in home


def test_each_kind_of_viewer_gets_its_own_links(app):
    visitor = app.test_client()
    member = client_as(app, Role.MEMBER)
    moderator = client_as(app, Role.MODERATOR, name="Tom Byrne")
    pages = {name: _header(c.get("/").get_data(as_text=True)) for name, c in
             (("visitor", visitor), ("member", member), ("moderator", moderator))}  # fmt: skip
    assert "Log in" in pages["visitor"] and "Log out" not in pages["visitor"]
    assert "Log out" in pages["member"] and "Moderation" not in pages["member"]
    assert 'id="nav-moderation"' in pages["moderator"] and "Log in" not in pages["moderator"]


def test_the_moderators_queue_count_is_read_on_every_page(app):
    moderator = client_as(app, Role.MODERATOR, name="Tom Byrne")
    assert ">Moderation</a>" in _header(moderator.get("/").get_data(as_text=True))
    with app.app_context():
        meeting = factories.meeting()
        moderation.record_hold(factories.thread(meeting.boards[0]))
        db.session.commit()
    header = _header(moderator.get("/").get_data(as_text=True))
    assert 'Moderation (1<span class="visually-hidden"> waiting</span>)</a>' in header


def test_a_new_unread_count_shows_on_the_next_page(app):
    member = client_as(app, Role.MEMBER)
    member.get("/")
    _unread(app, member, 7)
    header = _header(member.get("/").get_data(as_text=True))
    assert '<span id="notifications-count" class="bell__count">7</span>' in header


def test_a_value_is_itself_outside_a_kept_fragment_and_a_hole_inside(app):
    with app.test_request_context("/"):
        fragments.value("test_word")(lambda: g.word)
        g.word = "first"
        assert fragments.value_hole("test_word") == "first"
        kept = fragments.render(lambda: (f"<p>{fragments.value_hole('test_word')}</p>", {}))
        assert "first" not in kept.html
        g.word = "second"
        assert fragments.use(kept) == "<p>second</p>"


def test_a_hole_name_is_either_a_value_or_a_resolver():
    with pytest.raises(ValueError):
        fragments.value("vote")(lambda: "")
    with pytest.raises(ValueError):
        fragments.resolver("csrf")(lambda keys: keys)
    with pytest.raises(ValueError):
        fragments.value("Not A Name")(lambda: "")
