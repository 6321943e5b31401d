"""Which closed actions a meeting's review still lists: those done or dropped since the previous
meeting of the series started, until a meeting has reviewed them (app.actions.reviews
.review_condition), so that the next meeting acknowledges what was finished in between."""

from datetime import timedelta

import pytest

from app.actions import reviews, services
from app.extensions import db
from app.models import Action, Meeting, MeetingStatus, Role, User
from app.timeutil import utcnow
from tests import factories
from tests.actions.conftest import text


def ago(days: float):
    return utcnow() - timedelta(days=days)


@pytest.fixture
def series(world):
    """Meetings of one series 30 and 10 days ago, in 7 days and in 21 days."""
    _, (old, last, next_, later) = world.series_with_meetings(-30, -10, 7, 21)
    return {"old": old, "last": last, "next": next_, "later": later}


def titles(world, meeting_id) -> list[str]:
    with world.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return [entry.action.title for entry in reviews.actions_for_review(meeting)]


def eligible(world, meeting_id) -> bool:
    with world.app.app_context():
        return reviews.has_actions_for_review(db.session.get(Meeting, meeting_id))


def move(world, action_id, who: User, status: str, when):
    with world.app.app_context():
        action = db.session.get(Action, action_id)
        services.change_status(
            action, db.session.get(User, who.id), status, action.version, "Not needed", now=when
        )
        db.session.commit()


def review(world, action_id, meeting_id, when=None):
    with world.app.app_context():
        facilitator = factories.user(roles=Role.FACILITATOR, password=None)
        reviews.record_review(
            db.session.get(Action, action_id),
            db.session.get(Meeting, meeting_id),
            facilitator,
            "Seen",
            now=when,
        )
        db.session.commit()


def test_done_and_dropped_since_the_previous_meeting_are_listed_at_the_next(world, series):
    me = world.user()
    done = world.action(me, title="Done since", source=("meeting", series["old"]), now=ago(29))
    dropped = world.action(
        me, title="Dropped since", source=("meeting", series["last"]), now=ago(9)
    )
    move(world, done, me, "done", ago(5))
    move(world, dropped, me, "dropped", ago(2))
    assert titles(world, series["next"]) == ["Done since", "Dropped since"]
    # The meeting before "next" only saw "Done since" while it was still open.
    assert titles(world, series["last"]) == ["Done since"]


def test_closed_before_the_previous_meeting_started_is_not_listed_again(world, series):
    me = world.user()
    action = world.action(me, title="Done early", source=("meeting", series["old"]), now=ago(29))
    move(world, action, me, "done", ago(20))
    # Closed between "old" and "last": "last" acknowledges it ...
    assert titles(world, series["last"]) == ["Done early"]
    # ... and "next" does not, whether or not "last" reviewed it.
    assert titles(world, series["next"]) == []
    assert not eligible(world, series["next"])


def test_closed_since_but_already_reviewed_at_an_earlier_meeting_is_not_listed(world, series):
    me = world.user()
    action = world.action(
        me, title="Closed at last", source=("meeting", series["old"]), now=ago(29)
    )
    # Reviewed at "last" while still open, then closed during that meeting.
    review(world, action, series["last"], when=ago(10))
    move(world, action, me, "done", ago(10) + timedelta(minutes=30))
    assert titles(world, series["last"]) == ["Closed at last"]  # stays listed where reviewed
    assert titles(world, series["next"]) == []


def test_a_closed_action_drops_off_after_the_meeting_that_acknowledged_it(world, series):
    me = world.user()
    action = world.action(
        me, title="Done this week", source=("meeting", series["last"]), now=ago(9)
    )
    move(world, action, me, "done", ago(1))
    assert titles(world, series["next"]) == ["Done this week"]
    assert titles(world, series["later"]) == []  # "next" is the previous meeting by then
    review(world, action, series["next"])
    assert titles(world, series["next"]) == ["Done this week"]
    assert titles(world, series["later"]) == []


def test_active_actions_stay_for_review_even_when_reviewed_before(world, series):
    me = world.user()
    action = world.action(me, title="Still open", source=("meeting", series["old"]), now=ago(29))
    review(world, action, series["last"], when=ago(10))
    assert titles(world, series["next"]) == ["Still open"]
    assert titles(world, series["later"]) == ["Still open"]


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.DRAFT])
def test_a_cancelled_or_draft_meeting_is_not_the_previous_meeting(world, status):
    me = world.user()
    with world.app.app_context():
        s = factories.series()
        first = factories.meeting(series_=s, starts_in=timedelta(days=-30))
        skipped = factories.meeting(series_=s, starts_in=timedelta(days=-10), status=status)
        upcoming = factories.meeting(series_=s, starts_in=timedelta(days=7))
        db.session.commit()
        ids = first.id, skipped.id, upcoming.id
    action = world.action(me, title="Done in between", source=("meeting", ids[0]), now=ago(29))
    move(world, action, me, "done", ago(20))
    # The meeting 10 days ago did not take place: the last one that did was 30 days ago.
    assert titles(world, ids[2]) == ["Done in between"]


def test_with_no_earlier_published_meeting_closed_actions_are_listed(world):
    facilitator = world.user(Role.FACILITATOR)
    with world.app.app_context():
        s = factories.series()
        draft = factories.meeting(
            series_=s, starts_in=timedelta(days=-10), status=MeetingStatus.DRAFT
        )
        upcoming = factories.meeting(series_=s, starts_in=timedelta(days=7))
        db.session.commit()
        draft_id, upcoming_id = draft.id, upcoming.id
    action = world.action(facilitator, title="From a draft", source=("meeting", draft_id))
    move(world, action, facilitator, "done", ago(1))
    assert titles(world, upcoming_id) == ["From a draft"]


def test_the_meeting_acknowledges_a_closed_action_through_the_review(world, series):
    me = world.user()
    action = world.action(me, title="Finished", source=("meeting", series["last"]), now=ago(9))
    move(world, action, me, "done", ago(1))
    client = world.client(world.user(Role.FACILITATOR))
    page = text(client.get(f"/actions/review/{series['next']}"))
    assert f'id="review-form-{action}"' in page and "Done on" in page
    response = client.post(
        f"/actions/review/{series['next']}/{action}",
        data={f"review-{action}-outcome": "Thanks: well done."},
    )
    assert response.status_code == 302
    assert titles(world, series["next"]) == ["Finished"]
    timeline = text(world.client(me).get(f"/actions/{action}"))
    assert "Thanks: well done." in timeline


def test_a_dropped_action_shows_its_reason_in_the_review(world, series):
    me = world.user()
    action = world.action(me, title="Let go", source=("meeting", series["last"]), now=ago(9))
    move(world, action, me, "dropped", ago(1))
    page = text(world.client(world.user(Role.FACILITATOR)).get(f"/actions/review/{series['next']}"))
    assert "Dropped: Not needed." in page


def test_has_actions_for_review(world, series):
    assert not eligible(world, series["next"])
    world.action(world.user(), source=("meeting", series["last"]))
    assert eligible(world, series["next"])
    assert not eligible(world, series["old"])


def test_reminders_still_go_only_to_owners_of_actions_being_worked_on(world, series, app):
    """Closed actions listed for acknowledgement get no "will be reviewed" reminder."""
    from app.actions import reminders

    me = world.user()
    action = world.action(me, title="Done, listed", source=("meeting", series["last"]), now=ago(9))
    move(world, action, me, "done", ago(1))
    world.action(me, title="Open, listed", source=("meeting", series["last"]), now=ago(9))
    with app.app_context():
        found = reminders.review_reminders(utcnow() + timedelta(days=6))
    assert [r.title for r in found] == ["Open, listed"]


def test_an_action_of_the_previous_meeting_is_acknowledged_however_early_it_closed(world):
    """Done before its own meeting even began (proposed from the board beforehand): no meeting
    could review it before the next one, which does; the one after does not."""
    me = world.user()
    _, (soon, next_, after) = world.series_with_meetings(2, 30, 60)
    action = world.action(me, title="Done early", source=("meeting", soon))
    move(world, action, me, "done", ago(0))
    assert titles(world, soon) == []  # a meeting does not review its own actions
    assert titles(world, next_) == ["Done early"]
    assert titles(world, after) == []
