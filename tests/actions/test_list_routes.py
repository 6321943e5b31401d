"""The actions board, "My actions", an action's page and the CSV export."""

import csv
import io
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Action, ActionStatus, Role, User
from tests import factories
from tests.actions.conftest import HX, text, today


def _column(page: str, status: str) -> str:
    """The HTML of one board column."""
    start = page.index(f'id="column-{status}"')
    end = page.find('<section class="actions-column"', start + 1)
    return page[start : end if end != -1 else len(page)]


def test_board_has_a_column_per_status(world):
    me, rhys = world.user(name="Amara Okafor"), world.user(name="Rhys Evans")
    titles = {}
    for status in ("open", "in_progress", "done", "dropped"):
        titles[status] = f"Action that is {status}"
        world.action(me, title=titles[status], owners=[rhys], status=status)
    titles["proposed"] = "Action nobody accepted"
    world.action(me, title=titles["proposed"], own=False, invited=[rhys])
    page = text(world.client(me).get("/actions/"))
    assert "<h1>Actions</h1>" in page and 'id="actions-board"' in page
    for status, title in titles.items():
        assert title in _column(page, status), status
    assert "Owned by Amara Okafor, Rhys Evans" in page
    assert "No owner yet; invited: Rhys Evans" in page
    assert "5 actions." in page


def test_board_card_has_status_form_for_owners_only(world):
    me, other = world.user(), world.user()
    mine = world.action(me, title="Mine")
    theirs = world.action(other, title="Theirs")
    page = text(world.client(me).get("/actions/"))
    assert f'id="action-{mine}"' in page and f'id="status-form-{mine}"' in page
    assert f'id="action-{theirs}"' in page and f'id="status-form-{theirs}"' not in page
    # The card's form works without JavaScript (a select and a button) and swaps with htmx.
    form = page[page.index(f'id="status-form-{mine}"') - 6 :]
    form = form[: form.index("</form>")]
    assert (
        f'action="/actions/{mine}/status"' in form and f'hx-post="/actions/{mine}/status"' in form
    )
    assert f'hx-target="#action-{mine}"' in form and 'hx-swap="outerHTML"' in form
    assert f'<select class="select" id="a{mine}-status"' in form
    assert f'name="a{mine}-version" type="hidden" value="1"' in form
    assert f'name="a{mine}-next" type="hidden" value="/actions/"' in form


def test_invited_member_sees_accept_on_the_card(world):
    me, rhys = world.user(), world.user()
    action = world.action(me, own=False, invited=[rhys])
    page = text(world.client(rhys).get("/actions/"))
    assert f'id="accept-{action}"' in page and f'id="decline-{action}"' in page


def test_board_overdue_first_and_tagged(world):
    me = world.user()
    world.action(me, title="Due later", due_in=timedelta(days=20))
    world.action(me, title="Long overdue", due_on=today() - timedelta(days=3))
    page = _column(text(world.client(me).get("/actions/")), "open")
    assert page.index("Long overdue") < page.index("Due later")
    assert page.count("Overdue</strong>") == 1


def test_board_filters(world):
    me, rhys = world.user(), world.user(name="Rhys Evans")
    series_a, (m1, m2) = world.series_with_meetings(-20, -10, title="Series A")
    series_b, (m3,) = world.series_with_meetings(-5, title="Series B")
    board = world.board_of(m1)
    world.action(me, title="From A1 board", source=("board", board))
    world.action(me, title="From A2", source=("meeting", m2), owners=[rhys])
    world.action(me, title="From B", source=("meeting", m3), due_on=today() - timedelta(days=1))
    with world.app.app_context():
        from app.models import Meeting

        theme_id = db.session.get(Meeting, m1).boards[0].theme_id
    client = world.client(me)

    def shown(query):
        page = text(client.get(f"/actions/?{query}"))
        return {t for t in ("From A1 board", "From A2", "From B") if t in page}

    assert shown("") == {"From A1 board", "From A2", "From B"}
    assert shown(f"series={series_a}") == {"From A1 board", "From A2"}
    assert shown(f"meeting={m2}") == {"From A2"}
    assert shown(f"theme={theme_id}") == {"From A1 board"}
    assert shown(f"owner={rhys.id}") == {"From A2"}
    assert shown("overdue=1") == {"From B"}
    assert shown(f"series={series_b}&overdue=1") == {"From B"}
    # Malformed values are ignored rather than failing.
    assert shown("series=abc&meeting=-3") == {"From A1 board", "From A2", "From B"}
    # The filter form keeps the choice and offers a way back.
    page = text(client.get(f"/actions/?owner={rhys.id}"))
    assert f'<option selected value="{rhys.id}">Rhys Evans</option>' in page
    assert "Clear the filter" in page


def test_board_htmx_returns_the_columns_and_announces(world):
    me = world.user()
    world.action(me, title="Only one")
    response = world.client(me).get("/actions/?overdue=1", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="actions-board"')
    assert 'hx-swap-oob="innerHTML:#sr-status">0 actions found.' in body
    assert "HX-Request" in response.headers["Vary"]


def test_board_columns_paginate_separately(world):
    me = world.user()
    with world.app.app_context():
        person = db.session.get(User, me.id)
        for n in range(27):
            factories.action(person, title=f"Open action {n:02d}", due_in=timedelta(days=n + 1))
        factories.action(person, title="The done one", status="done")
        db.session.commit()
    client = world.client(me)
    page = text(client.get("/actions/"))
    column = _column(page, "open")
    assert "Open action 00" in column and "Open action 24" in column
    assert "Open action 25" not in column
    assert "Page 1 of 2" in column and 'href="/actions/?page_open=2"' in column
    page2 = text(client.get("/actions/?page_open=2"))
    assert "Open action 25" in _column(page2, "open") and "Open action 00" not in page2
    assert "The done one" in _column(page2, "done")  # the other columns stay on page 1
    # A page past the end shows the last page.
    assert "Open action 26" in text(client.get("/actions/?page_open=9"))


def _many_actions(app, n: int, owners_each: int = 3) -> int:
    """n actions in every status, each shared by several owners; returns a member's id."""
    with app.app_context():
        people = [factories.user(password=None) for _ in range(owners_each)]
        series = factories.series()
        meetings = [
            factories.meeting(series_=series, starts_in=timedelta(days=-d)) for d in (30, 10)
        ]
        board = meetings[0].boards[0]
        thread = factories.thread(board, people[0])
        statuses = ["proposed", "open", "in_progress", "done", "dropped"]
        sources = [("meeting", meetings[1].id), ("board", board.id), ("post", thread.id), None]
        for i in range(n):
            status = statuses[i % 5]
            proposer = people[0]
            if status == "proposed":
                factories.action(proposer, own=False, invited=people[1:], source=sources[i % 4])
            else:
                factories.action(proposer, owners=people[1:], status=status, source=sources[i % 4])
        for i in range(n):
            from app.actions import services

            services.set_following(db.session.get(Action, i + 1), people[1], True)
        db.session.commit()
        return people[1].id


@pytest.mark.parametrize(
    ("url", "most"),
    [
        # The person and their standing; the content generation; counts, cards and owners; the
        # filter's four lists (a kept board costs less: test_kept_board).
        ("/actions/", 10),
        ("/actions/?overdue=1&series=1", 10),
        # The person and their standing; the three lists' counts, their cards, the owners.
        ("/actions/mine", 5),
        ("/actions/export.csv", 14),
    ],
)
def test_lists_run_a_constant_number_of_queries(app, world, count_queries, url, most):
    counts = []
    for n in (3, 30):
        with app.app_context():
            from tests.conftest import _empty_tables

            _empty_tables()
        member_id = _many_actions(app, n)
        with app.app_context():
            viewer = db.session.get(User, member_id)
            identity = viewer.get_id()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = identity
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= most, counts


# My actions --------------------------------------------------------------------------------------


def test_my_actions_lists_owned_invited_and_followed(world):
    me, other = world.user(), world.user()
    owned = world.action(me, title="I own this")
    invited = world.action(other, title="Asked to own this", invited=[me])
    followed = world.action(other, title="I follow this")
    world.action(other, title="Not mine at all")
    world.run(_follow, followed, me.id)
    world.run(_follow, owned, me.id)  # followed and owned: listed once, under owned
    page = text(world.client(me).get("/actions/mine"))
    assert "<h1>My actions</h1>" in page
    sections = {
        name: page[page.index(f'id="my-{name}"') :] for name in ("invited", "owned", "following")
    }
    assert "Asked to own this" in sections["invited"][: sections["invited"].index("</section>")]
    assert "I own this" in sections["owned"][: sections["owned"].index("</section>")]
    assert "I follow this" in sections["following"]
    assert "Not mine at all" not in page
    assert page.count(f'id="action-{owned}"') == 1
    assert f'id="accept-{invited}"' in page and f'id="status-form-{owned}"' in page


def test_my_actions_due_and_overdue_first(world):
    me = world.user()
    world.action(me, title="Finished", status="done", due_on=today() - timedelta(days=30))
    world.action(me, title="Due next month", due_in=timedelta(days=30))
    world.action(me, title="Overdue already", due_on=today() - timedelta(days=2))
    page = text(world.client(me).get("/actions/mine"))
    assert page.index("Overdue already") < page.index("Due next month") < page.index("Finished")


def test_my_actions_empty_and_paginated(world):
    me = world.user()
    page = text(world.client(me).get("/actions/mine"))
    assert 'id="my-owned-empty"' in page and 'id="my-invited-empty"' in page
    with world.app.app_context():
        person = db.session.get(User, me.id)
        for n in range(26):
            factories.action(person, title=f"Mine {n:02d}", due_in=timedelta(days=n + 1))
        db.session.commit()
    client = world.client(me)
    page = text(client.get("/actions/mine"))
    assert "Mine 24" in page and "Mine 25" not in page
    assert 'aria-label="Actions you own"' in page and 'href="/actions/mine?page_owned=2"' in page
    assert "Mine 25" in text(client.get("/actions/mine?page_owned=2"))


def _follow(action_id, user_id):
    from app.actions import services

    services.set_following(db.session.get(Action, action_id), db.session.get(User, user_id), True)


# An action's page --------------------------------------------------------------------------------


def test_action_page_shows_details_owners_and_timeline(world):
    me = world.user(name="Amara Okafor")
    rhys, sam = world.user(name="Rhys Evans"), world.user(name="Sam Lee")
    meeting = world.meeting(title="Using data well")
    action = world.action(
        me, title="Map the data", owners=[rhys], invited=[sam], source=("meeting", meeting.id)
    )
    page = text(world.client(me).get(f"/actions/{action}"))
    assert '<h1 id="action-title">Map the data</h1>' in page
    assert f'href="/meetings/{meeting.id}" id="action-source">Meeting: Using data well</a>' in page
    assert "Some <em>detail</em>." in page
    assert 'id="action-owners"' in page and "Sam Lee" in page and "Invited</strong>" in page
    timeline = page[page.index('id="timeline-') :]
    for words in (
        "proposed this action",
        "accepted ownership",
        "invited Sam Lee to own it",
        "invited Rhys Evans to own it",
    ):
        assert words in timeline
    # An owner gets the owner's tools; the page title names the action.
    assert f'id="status-form-{action}"' in page and f'id="update-form-{action}"' in page
    assert "<title>Map the data – Actions – Roundtable</title>" in page


def test_action_page_for_a_non_owner_member(world):
    me, other = world.user(), world.user()
    action = world.action(other)
    page = text(world.client(me).get(f"/actions/{action}"))
    assert f'id="status-form-{action}"' not in page and f'id="update-form-{action}"' not in page
    assert f'id="comment-form-{action}"' in page and f'id="follow-{action}"' in page
    assert f'id="edit-{action}"' not in page and f'id="drop-{action}"' not in page
    assert f'id="accept-{action}"' not in page


def test_action_page_for_a_facilitator_shows_edit_and_drop(world):
    action = world.action(world.user())
    page = text(world.client(world.user(Role.FACILITATOR)).get(f"/actions/{action}"))
    assert f'id="edit-{action}"' in page and f'id="drop-{action}"' in page


def test_action_page_names_the_meeting_where_it_will_be_reviewed(world):
    me = world.user()
    _, (past, upcoming) = world.series_with_meetings(-10, 7)
    action = world.action(me, source=("meeting", past))
    page = text(world.client(me).get(f"/actions/{action}"))
    assert "Reviewed next at" in page and f'href="/meetings/{upcoming}"' in page


def test_unknown_action_is_404(world):
    client = world.client(world.user())
    assert client.get("/actions/999").status_code == 404
    response = client.get("/actions/999", headers=HX)
    assert response.status_code == 404 and response.headers["HX-Retarget"] == "#htmx-errors"


# CSV export ----------------------------------------------------------------------------------


def _csv(response):
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_is_a_safe_csv(world):
    me = world.user(name='=HYPERLINK("http://evil")')
    rhys = world.user(name="Rhys Evans")
    meeting = world.meeting(title="+Using data")
    action = world.action(me, title="-2+3 budget", owners=[rhys], source=("meeting", meeting.id))
    world.run(_update, action, me.id, "@SUM(A1) is the total")
    world.action(me, title="\tTabbed title", status="done")
    response = world.client(me).get("/actions/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="actions.csv"' in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "title",
        "owners",
        "source",
        "proposed",
        "due",
        "status",
        "status changed",
        "done",
        "last update",
        "last update at",
    ]
    first = rows[1]
    assert first[0] == "'-2+3 budget"
    assert first[1] == '\'=HYPERLINK("http://evil"); Rhys Evans'
    assert first[2] == "Meeting: +Using data"
    assert first[4] == (today() + timedelta(days=14)).isoformat()
    assert first[5] == "Open" and first[8] == "'@SUM(A1) is the total"
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d (GMT|BST)", first[9])
    assert rows[2][0] == "'\tTabbed title" and rows[2][5] == "Done"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_honours_the_filter(world):
    me = world.user()
    world.action(me, title="Overdue one", due_on=today() - timedelta(days=1))
    world.action(me, title="Fine one")
    rows = _csv(world.client(me).get("/actions/export.csv?overdue=1"))
    assert [r[0] for r in rows[1:]] == ["Overdue one"]
    page = text(world.client(me).get("/actions/?overdue=1"))
    assert 'href="/actions/export.csv?overdue=1"' in page


def _update(action_id, user_id, words):
    from app.actions import services

    services.post_update(db.session.get(Action, action_id), db.session.get(User, user_id), words)


# Members only ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/actions/", "/actions/mine", "/actions/export.csv", "/actions/1", "/actions/new"]
)
def test_pages_are_for_members(world, url):
    world.action(world.user())
    visitor = world.client().get(url)
    assert visitor.status_code == 302 and "/auth/login?next=" in visitor.headers["Location"]
    htmx = world.client().get(url, headers=HX)
    assert htmx.status_code == 401 and "HX-Redirect" in htmx.headers
    assert world.client(world.visitor_account()).get(url).status_code == 403
    assert world.status(1) == ActionStatus.OPEN


def test_a_hidden_or_removed_thread_is_not_named(world):
    from app.models import Post
    from app.timeutil import utcnow

    me = world.user()
    board = world.board_of(world.meeting().id)
    thread = world.thread(board, me, title="Something moderators hid")
    action = world.action(me, source=("post", thread))
    client = world.client(me)
    assert "Thread: Something moderators hid" in text(client.get(f"/actions/{action}"))
    with world.app.app_context():
        db.session.get(Post, thread).hidden_at = utcnow()
        db.session.commit()
    for url in (
        f"/actions/{action}",
        "/actions/",
        "/actions/export.csv",
        f"/actions/new?post={thread}",
    ):
        body = text(client.get(url))
        assert "Something moderators hid" not in body, url
    assert "Thread: Hidden post" in text(client.get(f"/actions/{action}"))
