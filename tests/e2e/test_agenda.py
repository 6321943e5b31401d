"""The agenda in a real browser: a facilitator adds the top question, moves it, publishes,
and a member sees it on the meeting page."""

import re

from playwright.sync_api import expect

from app.models import Role
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import add_board, add_person, add_question, log_in


def _meeting_of(app, board_id: int) -> int:
    from app.extensions import db
    from app.models import Board

    with app.app_context():
        return db.session.get(Board, board_id).meeting_id


def test_facilitator_builds_and_publishes_the_agenda(browser, live_server, live_app):
    base = live_server.url
    board_id = add_board(live_app)
    meeting_id = _meeting_of(live_app, board_id)
    question_id = add_question(live_app, board_id, title="Who holds the new mayor to account?")
    facilitator_email, _ = add_person(live_app, Role.FACILITATOR, name="Priya Shah")
    member_email, _ = add_person(live_app, name="Amara Okafor")

    facilitator = browser.new_context().new_page()
    log_in(facilitator, base, facilitator_email)
    facilitator.goto(f"{base}/agenda/{meeting_id}")
    assert_accessible(facilitator)

    # A free item first, then the top question below it.
    facilitator.locator("#preset-welcome").click()
    expect(facilitator.locator("#agenda-items li[id^=agenda-item-]")).to_have_count(1)
    facilitator.locator(f"#add-{question_id}").click()
    items = facilitator.locator("#agenda-items li[id^=agenda-item-]")
    expect(items).to_have_count(2)
    expect(items.nth(1)).to_contain_text("Who holds the new mayor to account?")
    assert_accessible(facilitator)

    # Move the question up, from the keyboard: focus stays on the moved item's button.
    item_id = re.search(r"\d+", items.nth(1).get_attribute("id")).group()
    facilitator.locator(f"#move-up-{item_id}").focus()
    facilitator.keyboard.press("Enter")
    expect(items.nth(0)).to_contain_text("Who holds the new mayor to account?")
    expect(facilitator.locator("#sr-status")).to_contain_text("position 1 of 2")
    assert_accessible(facilitator)

    facilitator.locator("#publish-agenda").click()
    expect(facilitator.locator("main")).to_contain_text("ublished")

    member = browser.new_context().new_page()
    log_in(member, base, member_email)
    member.goto(f"{base}/meetings/{meeting_id}")
    agenda = member.locator("#meeting-agenda-items li")
    expect(agenda.first).to_contain_text("Who holds the new mayor to account?")
    expect(member.locator("#meeting-agenda-draft")).to_have_count(0)
    assert_accessible(member)

    # The question says so on its board.
    member.goto(f"{base}/boards/{board_id}")
    expect(member.locator(f"#thread-{question_id}")).to_contain_text("On the agenda")
