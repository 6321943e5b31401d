"""Actions in a real browser (issue 5, point 15): a member proposes an action from a thread with a
second owner, the second accepts in place, an owner moves it to done in place, and the next
meeting of the series shows it in its agenda's actions review; and the same status move
without JavaScript."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from app.actions import services as actions
from app.extensions import db
from app.models import Action, Board, MeetingStatus, Role, User
from app.timeutil import utcnow
from tests import factories
from tests.e2e.axe import assert_accessible, assert_accessible_as_served
from tests.e2e.helpers import add_board, add_person, add_question, log_in

TITLE = "Follow up: Who holds the new mayor to account?"
REVIEW_ITEM = "Review of actions from the last meeting"


def _next_meeting(app, board_id: int) -> int:
    """A published meeting of the board's series, a month after the board's meeting."""
    with app.app_context():
        board = db.session.get(Board, board_id)
        later = factories.meeting(
            series_=board.meeting.series,
            title="Improved use of data",
            starts_in=board.meeting.starts_at - utcnow() + timedelta(days=28),
            status=MeetingStatus.PUBLISHED,
        )
        db.session.commit()
        return later.id


def _action_id(page) -> int:
    return int(re.search(r"/actions/(\d+)", page.url).group(1))


def test_an_action_from_a_thread_is_reviewed_at_the_next_meeting(browser, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    question_id = add_question(live_app, board_id, title="Who holds the new mayor to account?")
    amara_email, _ = add_person(live_app, name="Amara Okafor")
    rhys_email, _ = add_person(live_app, name="Rhys Evans")
    facilitator_email, _ = add_person(live_app, Role.FACILITATOR, name="Priya Shah")

    # Amara proposes an action from the thread, owning it with Rhys.
    amara = browser.new_context().new_page()
    log_in(amara, base, amara_email)
    amara.goto(f"{base}/boards/threads/{question_id}")
    assert_accessible(amara)
    amara.locator(f"#propose-action-post-{question_id}").click()
    expect(amara).to_have_url(re.compile(rf"/actions/new\?post={question_id}$"))
    expect(amara.get_by_label("Title")).to_have_value(TITLE)
    assert_accessible(amara)
    due = actions.today() + timedelta(days=21)
    amara.get_by_label("Day").fill(str(due.day))
    amara.get_by_label("Month").fill(str(due.month))
    amara.get_by_label("Year").fill(str(due.year))
    amara.get_by_label("I will own this").check()
    amara.get_by_label("Other owners (optional)").fill("Rhys Evans")
    amara.get_by_role("button", name="Propose action").click()
    expect(amara.locator("main")).to_contain_text("We have asked Rhys Evans to accept it.")
    action_id = _action_id(amara)
    expect(amara.locator("#action-source")).to_contain_text("Thread: Who holds")
    assert_accessible(amara)

    # Rhys accepts in place on "My actions", then moves it to done in place.
    rhys = browser.new_context().new_page()
    log_in(rhys, base, rhys_email)
    rhys.goto(f"{base}/actions/mine")
    card = rhys.locator(f"#action-{action_id}")
    expect(card).to_contain_text(TITLE)
    assert_accessible(rhys)
    rhys.locator(f"#accept-{action_id}").click()
    notice = rhys.locator(f"#action-{action_id}-notice")
    expect(notice).to_contain_text("You own")
    expect(notice).to_be_focused()
    assert rhys.url.endswith("/actions/mine")  # in place: no page load
    assert_accessible(rhys, f"#action-{action_id}")
    assert_accessible(rhys)
    rhys.locator(f"#a{action_id}-status").select_option("done")
    rhys.locator(f"#move-{action_id}").click()
    expect(rhys.locator("#sr-status")).to_contain_text("moved to Done")
    expect(card.locator(".action-status")).to_have_text("Done")
    expect(rhys.locator(f"#move-{action_id}")).to_be_focused()
    assert_accessible(rhys, f"#action-{action_id}")
    assert_accessible(rhys)
    with live_app.app_context():
        action = db.session.get(Action, action_id)
        assert action.status == "done"
        assert {o.user.display_name for o in action.accepted_owners} == {
            "Amara Okafor",
            "Rhys Evans",
        }

    # The next meeting of the series: the facilitator adds the actions review to its agenda.
    next_id = _next_meeting(live_app, board_id)
    priya = browser.new_context().new_page()
    log_in(priya, base, facilitator_email)
    priya.goto(f"{base}/agenda/{next_id}")
    assert_accessible(priya)
    priya.locator("#preset-actions").click()
    expect(priya.locator("#sr-status")).to_contain_text(f"Added {REVIEW_ITEM} to the agenda")
    review = priya.locator(f"#actions-review-{next_id}")
    expect(review).to_contain_text(TITLE)
    expect(review.locator(f"#review-{action_id}")).to_contain_text("Done")
    expect(review.locator(f"#review-{action_id}")).to_contain_text("Amara Okafor, Rhys Evans")
    assert_accessible(priya, "#agenda-items")
    assert_accessible(priya)

    # During the meeting the facilitator marks it reviewed, in place.
    priya.get_by_label("Outcome of the review").fill("Thank you both: done in good time.")
    priya.locator(f"#review-{action_id}").get_by_role(
        "button", name=re.compile(r"^Mark reviewed")
    ).click()
    outcome = priya.locator(f"#review-{action_id}-outcome")
    expect(outcome).to_contain_text("Thank you both")
    expect(outcome).to_be_focused()
    expect(priya.locator(f"#actions-review-{next_id}-progress")).to_have_text("1 of 1 reviewed.")
    assert_accessible(priya, f"#review-{action_id}")
    assert_accessible(priya)

    priya.locator("#publish-agenda").click()
    expect(priya.locator("#agenda-state")).to_contain_text("Published")
    assert_accessible(priya)

    # Members see the review, read-only, on the meeting page.
    amara.goto(f"{base}/meetings/{next_id}")
    panel = amara.locator("#meeting-agenda")
    expect(panel).to_contain_text(REVIEW_ITEM)
    expect(panel.locator(f"#review-{action_id}")).to_contain_text(TITLE)
    expect(panel.locator(f"#review-{action_id}")).to_contain_text("Done")
    expect(panel.locator(f"#review-{action_id}")).to_contain_text("Thank you both")
    expect(panel.locator("form[id^=review-form-]")).to_have_count(0)
    assert_accessible(amara)
    # ... and the outcome is on the action's timeline.
    amara.goto(f"{base}/actions/{action_id}")
    expect(amara.locator("main")).to_contain_text("Thank you both: done in good time.")
    assert_accessible(amara)


def _owned_action(app, email: str) -> int:
    """An open action from a published meeting, owned by the person with email."""
    with app.app_context():
        owner = db.session.scalar(db.select(User).where(User.email == email))
        meeting = factories.meeting(title="Sharing power, accountability and leadership")
        action = factories.action(
            owner, title="Collect two examples of shared leadership", source=("meeting", meeting.id)
        )
        db.session.commit()
        return action.id


def test_moving_an_action_to_done_without_javascript(browser, live_server, live_app):
    base = live_server.url
    email, _ = add_person(live_app, name="Amara Okafor")
    action_id = _owned_action(live_app, email)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, base, email)
    page.goto(f"{base}/actions/mine")
    assert_accessible_as_served(browser, context, page.url)
    page.locator(f"#a{action_id}-status").select_option("done")
    page.locator(f"#move-{action_id}").click()
    # Post/redirect/get: back on "My actions", with a message.
    expect(page).to_have_url(f"{base}/actions/mine")
    expect(page.locator("main")).to_contain_text(
        "“Collect two examples of shared leadership” moved to Done."
    )
    expect(page.locator(f"#action-{action_id} .action-status")).to_have_text("Done")
    assert_accessible_as_served(browser, context, page.url)
    with live_app.app_context():
        assert db.session.get(Action, action_id).status == "done"
    context.close()
