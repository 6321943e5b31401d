"""The accountability review: which actions a meeting reviews, recording outcomes, the review
page and fragment, and the meeting pack's actions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.actions import reviews, services
from app.extensions import db
from app.models import Action, ActionEvent, Meeting, Role, User
from app.timeutil import utcnow
from tests.actions.conftest import HX, text


@pytest.fixture
def series(world):
    """A series with meetings 30 and 10 days ago and one in 7 days; another series' meeting."""
    _, (old, last, next_) = world.series_with_meetings(-30, -10, 7)
    _, (elsewhere,) = world.series_with_meetings(-20)
    return {"old": old, "last": last, "next": next_, "elsewhere": elsewhere}


def _entries(world, meeting_id):
    with world.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return [(e.action.title, e.reviewed) for e in reviews.actions_for_review(meeting)]


def test_review_lists_open_actions_of_earlier_meetings_of_the_series(world, series):
    """Open actions of earlier meetings, and those closed since the previous meeting started
    (here: closed now, after "last" began), which the meeting acknowledges."""
    me, rhys = world.user(), world.user()
    world.action(me, title="Old and open", source=("meeting", series["old"]))
    world.action(
        me, title="Last in progress", source=("meeting", series["last"]), status="in_progress"
    )
    world.action(
        me, title="Last proposed", own=False, invited=[rhys], source=("meeting", series["last"])
    )
    world.action(me, title="Last done", source=("meeting", series["last"]), status="done")
    world.action(me, title="Last dropped", source=("meeting", series["last"]), status="dropped")
    world.action(me, title="From the next meeting itself", source=("meeting", series["next"]))
    world.action(me, title="Other series", source=("meeting", series["elsewhere"]))
    world.action(me, title="No meeting")
    assert _entries(world, series["next"]) == [
        ("Old and open", False),
        ("Last in progress", False),
        ("Last proposed", False),
        ("Last done", False),
        ("Last dropped", False),
    ]
    # The meeting in between reviews only what came before it.
    assert _entries(world, series["last"]) == [("Old and open", False)]
    assert _entries(world, series["old"]) == []


def test_review_carries_the_latest_update(world, series):
    me = world.user()
    action = world.action(me, title="With updates", source=("meeting", series["last"]))
    with world.app.app_context():
        a, u = db.session.get(Action, action), db.session.get(User, me.id)
        services.post_update(a, u, "First")
        services.post_update(a, u, "Second, the latest")
        db.session.commit()
    page = text(world.client(world.user(Role.FACILITATOR)).get(f"/actions/review/{series['next']}"))
    assert "Second, the latest" in page and "First" not in page


def test_review_runs_a_constant_number_of_queries(world, series, count_queries):
    me, rhys = world.user(), world.user()
    counts = []
    for n in (2, 12):
        for _ in range(n):
            world.action(me, owners=[rhys], source=("meeting", series["last"]))
        with world.app.app_context():
            meeting = db.session.get(Meeting, series["next"])
            with count_queries() as q:
                entries = reviews.actions_for_review(meeting)
                for entry in entries:
                    names = [o.user.display_name for o in entry.action.owners]
                    assert names and entry.action.meeting.title
            counts.append(q.count)
    assert counts[0] == counts[1] <= 3, counts


def test_facilitator_records_a_review_without_js(world, series):
    me = world.user(name="Amara Okafor")
    action = world.action(me, title="Open one", source=("meeting", series["last"]))
    facilitator = world.user(Role.FACILITATOR, name="Priya Shah")
    client = world.client(facilitator)
    page = text(client.get(f"/actions/review/{series['next']}"))
    assert "<h1>Actions review</h1>" in page
    assert f'id="actions-review-{series["next"]}"' in page and f'id="review-{action}"' in page
    assert f'id="review-form-{action}"' in page and "0 of 1 reviewed." in page
    response = client.post(
        f"/actions/review/{series['next']}/{action}",
        data={f"review-{action}-outcome": "Carry on; report next time."},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/actions/review/{series['next']}#review-{action}"
    [entry] = _reviews(world, action)
    assert (entry.meeting_id, entry.actor_id, entry.text) == (
        series["next"],
        facilitator.id,
        "Carry on; report next time.",
    )
    page = text(client.get(f"/actions/review/{series['next']}"))
    assert "1 of 1 reviewed." in page and f'id="review-form-{action}"' not in page
    assert "Carry on; report next time." in page
    # The outcome is on the action's timeline.
    timeline = text(world.client(me).get(f"/actions/{action}"))
    assert "reviewed it at" in timeline and "Carry on; report next time." in timeline


def test_review_with_htmx_returns_the_item_focused(world, series):
    action = world.action(world.user(), title="Open one", source=("meeting", series["last"]))
    client = world.client(world.user(Role.FACILITATOR))
    response = client.post(
        f"/actions/review/{series['next']}/{action}",
        data={f"review-{action}-outcome": "Done enough"},
        headers=HX,
    )
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<li id="review-{action}"')
    assert f'id="review-{action}-outcome" tabindex="-1" autofocus' in body
    # Reviewing twice at one meeting is refused, and nothing is added.
    again = client.post(
        f"/actions/review/{series['next']}/{action}",
        data={f"review-{action}-outcome": "Again"},
        headers=HX,
    )
    assert again.status_code == 409 and again.headers["HX-Retarget"] == f"#review-{action}"
    assert "already reviewed" in text(again)
    plain = client.post(
        f"/actions/review/{series['next']}/{action}", data={f"review-{action}-outcome": "Again"}
    )
    assert plain.status_code == 302
    assert len(_reviews(world, action)) == 1


def test_a_reviewed_action_stays_listed_after_it_is_closed(world, series):
    me = world.user()
    action = world.action(me, title="Closed in the meeting", source=("meeting", series["last"]))
    world.client(world.user(Role.FACILITATOR)).post(
        f"/actions/review/{series['next']}/{action}", data={f"review-{action}-outcome": "Close it"}
    )
    with world.app.app_context():
        a = db.session.get(Action, action)
        services.change_status(a, db.session.get(User, me.id), "done", a.version)
        db.session.commit()
    assert _entries(world, series["next"]) == [("Closed in the meeting", True)]


def test_review_outcome_is_required(world, series):
    action = world.action(world.user(), source=("meeting", series["last"]))
    client = world.client(world.user(Role.FACILITATOR))
    response = client.post(
        f"/actions/review/{series['next']}/{action}", data={f"review-{action}-outcome": " "}
    )
    page = text(response)
    assert response.status_code == 422 and "<title>Error: " in page
    assert f'href="#review-{action}-outcome">Enter the outcome of the review' in page
    htmx = client.post(f"/actions/review/{series['next']}/{action}", data={}, headers=HX)
    assert htmx.status_code == 422 and htmx.headers["HX-Retarget"] == f"#review-{action}"
    assert "Enter the outcome of the review" in text(htmx)
    assert not _reviews(world, action)


def test_review_unknown_and_ineligible(world, series):
    # Done before the previous meeting ("last", 10 days ago) started: acknowledged there.
    done = world.action(
        world.user(), source=("meeting", series["old"]), status="done", now=_days_ago(20)
    )
    elsewhere = world.action(world.user(), source=("meeting", series["elsewhere"]))
    client = world.client(world.user(Role.FACILITATOR))
    assert client.get("/actions/review/999").status_code == 404
    data = {"review-1-outcome": "x"}
    assert client.post(f"/actions/review/999/{done}", data=data).status_code == 404
    assert client.post(f"/actions/review/{series['next']}/999", data=data).status_code == 404
    for action in (done, elsewhere):
        response = client.post(
            f"/actions/review/{series['next']}/{action}", data={f"review-{action}-outcome": "x"}
        )
        assert response.status_code == 404
    assert not _reviews(world, done) and not _reviews(world, elsewhere)


def test_review_is_for_facilitators(world, series):
    action = world.action(world.user(), source=("meeting", series["last"]))
    member = world.client(world.user())
    assert member.get(f"/actions/review/{series['next']}").status_code == 403
    data = {f"review-{action}-outcome": "x"}
    assert member.post(f"/actions/review/{series['next']}/{action}", data=data).status_code == 403
    visitor = world.client().get(f"/actions/review/{series['next']}")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    assert (
        world.client().post(f"/actions/review/{series['next']}/{action}", data=data).status_code
        == 302
    )
    assert not _reviews(world, action)


def test_record_review_service_refuses_ineligible_actions(world, series):
    me = world.user()
    action = world.action(me, source=("meeting", series["next"]))
    with world.app.app_context(), pytest.raises(services.ActionProblem):
        reviews.record_review(
            db.session.get(Action, action),
            db.session.get(Meeting, series["next"]),
            db.session.get(User, me.id),
            "x",
        )


def test_review_list_fragment_renders_with_meeting_and_review_actions(world, series, app):
    action = world.action(world.user(), title="In the fragment", source=("meeting", series["last"]))
    from flask import render_template

    with app.test_request_context():
        meeting = db.session.get(Meeting, series["next"])
        html = render_template(
            "actions/_review_list.html",
            meeting=meeting,
            review_actions=reviews.actions_for_review(meeting),
        )
    assert f'<section id="actions-review-{series["next"]}"' in html
    assert "In the fragment" in html and f'id="review-{action}"' in html
    # Visitors (no role) see no forms in it.
    assert f'id="review-form-{action}"' not in html


def test_pack_actions(world, series):
    me = world.user()
    world.action(me, title="To review", source=("meeting", series["last"]))
    world.action(me, title="Made at the meeting", source=("meeting", series["next"]))
    board = world.board_of(series["next"])
    world.action(me, title="Made on its board", source=("board", board))
    world.action(
        me, title="Done before", source=("meeting", series["old"]), status="done", now=_days_ago(20)
    )
    with world.app.app_context():
        pack = reviews.pack_actions(db.session.get(Meeting, series["next"]))
        assert [e.action.title for e in pack.review] == ["To review"]
        assert sorted(a.title for a in pack.created) == ["Made at the meeting", "Made on its board"]


def _days_ago(days: int):
    return utcnow() - timedelta(days=days)


def _reviews(world, action_id):
    with world.app.app_context():
        rows = list(
            db.session.scalars(
                select(ActionEvent).where(
                    ActionEvent.action_id == action_id, ActionEvent.kind == "review"
                )
            )
        )
        for row in rows:
            db.session.expunge(row)
        return rows
