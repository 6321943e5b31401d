"""Keyboard only (issue 9, point 11; ACCESSIBILITY.md §9): post a question, vote, reply, report a
post, move an agenda item, register and move an action, reaching every control with Tab from the
skip link and typing into the field that has focus. No clicks, no fill(), no focus().

After each htmx swap, focus is where the person can carry on (the new post, the same control, the
result) and the result is announced: through #sr-status, or by focus landing on it.
"""

import re

import pytest
from playwright.sync_api import expect

from app.agenda import services as agenda
from app.extensions import db
from app.meetings import registration
from app.models import Role
from tests import factories
from tests.e2e import axe
from tests.e2e.helpers import log_in

# Every Tab stop on the way must be something a sighted keyboard user can see (recipe 5: no
# focus inside a closed <details>, on an idle indicator or on visually hidden content).
_STOP = """selector => {
  const el = document.activeElement;
  const box = el ? el.getBoundingClientRect() : null;
  return {
    matches: !!el && el.matches(selector),
    visible: !!el && el !== document.body && el.checkVisibility({visibilityProperty: true})
             && box.width > 1 && box.height > 1,
    what: el ? el.outerHTML.slice(0, 120) : "nothing",
  };
}"""


def tab_to(page, selector: str, *, back: bool = False, limit: int = 120) -> int:
    """Press Tab (Shift+Tab with back) until the focused element matches selector; each stop on
    the way must be visible. Returns the number of presses."""
    key = "Shift+Tab" if back else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        stop = page.evaluate(_STOP, selector)
        assert stop["visible"], f"{key} #{presses} focused something unseen: {stop['what']}"
        if stop["matches"]:
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of {key}")


def skip_to_main(page) -> None:
    """From a fresh page load: the skip link is the first stop and takes focus into <main>."""
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


@pytest.fixture(scope="module")
def world(module_live_app):
    """A member and a facilitator; an upcoming meeting's board with a question (with a reply)
    by someone else; an agenda of three items; an action the member owns."""
    with module_live_app.app_context():
        member = factories.user(name="Amara Okafor")
        facilitator = factories.user(name="Priya Shah", roles=Role.FACILITATOR | Role.MEMBER)
        rhys = factories.user(name="Rhys Evans", password=None)
        series = factories.series(themes=("Sharing power",))
        meeting = factories.meeting(series_=series, title="Sharing power")
        board = meeting.boards[0]
        question = factories.thread(board, rhys, title="Who holds the new mayor to account?")
        reply = factories.reply(question, rhys, body="Scrutiny panels, in theory.")
        agenda.add_free_item(meeting, *agenda.PRESETS["welcome"][:2], first=True)
        item, _ = agenda.add_question(meeting, question)
        agenda.add_free_item(meeting, *agenda.PRESETS["close"][:2])
        action = factories.action(member, title="Map the scrutiny panels")
        registration.register(meeting, facilitator)
        db.session.commit()
        return {
            "member": member.email,
            "facilitator": facilitator.email,
            "meeting": meeting.id,
            "board": board.id,
            "question": question.id,
            "reply": reply.id,
            "item": item.id,
            "action": action.id,
        }


@pytest.fixture(scope="module")
def as_member(browser, browser_context_args, module_live_server, world):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    log_in(page, module_live_server.url, world["member"])
    yield page
    context.close()


def _open(page, server, path: str) -> None:
    page.goto(server.url + path)
    axe.assert_accessible(page)
    skip_to_main(page)


def test_post_a_question_by_keyboard(as_member, world, module_live_server):
    page = as_member
    _open(page, module_live_server, f"/boards/{world['board']}")

    # Sent empty: the error summary takes focus, the title says so, its link leads to the field.
    tab_to(page, "#new-thread-submit")
    page.keyboard.press("Enter")
    summary = page.locator("#new-thread-form .error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    axe.assert_accessible(page, "#new-thread-form")
    tab_to(page, "#new-thread-form .error-summary a[href='#kind-0']")
    page.keyboard.press("Enter")
    expect(page.locator("#kind-0")).to_be_focused()

    # "Question" is the first radio; Space selects it.
    page.keyboard.press("Space")
    expect(page.locator("#kind-0")).to_be_checked()
    tab_to(page, "#title")
    page.keyboard.type("Can scrutiny work without money?")
    tab_to(page, "#body")
    page.keyboard.type("Our panels have no budget for research.")
    tab_to(page, "#new-thread-submit")
    page.keyboard.press("Enter")
    # Focus moves to the new question at the top of the list, which reads out its title.
    new_post = page.locator("article[id^=post-]", has_text="Can scrutiny work without money?")
    expect(new_post).to_be_focused()
    expect(new_post).to_have_accessible_name("Can scrutiny work without money?")
    expect(page).not_to_have_title(re.compile(r"^Error: "))
    axe.assert_accessible(page)


def test_vote_by_keyboard(as_member, world, module_live_server):
    page = as_member
    vote = f"#vote-{world['question']}"
    _open(page, module_live_server, f"/boards/{world['board']}")
    tab_to(page, vote)
    page.keyboard.press("Space")
    expect(page.locator(vote)).to_have_attribute("aria-pressed", "true")
    # The button keeps its id and its label; focus stays on it; the result is announced.
    expect(page.locator(vote)).to_be_focused()
    expect(page.locator("#sr-status")).to_have_text("Vote recorded. 1 vote.")
    axe.assert_accessible(page)
    page.keyboard.press("Enter")
    expect(page.locator(vote)).to_have_attribute("aria-pressed", "false")
    expect(page.locator(vote)).to_be_focused()
    expect(page.locator("#sr-status")).to_have_text("Vote removed.")


def test_reply_by_keyboard(as_member, world, module_live_server):
    page = as_member
    question, reply = world["question"], world["reply"]
    _open(page, module_live_server, f"/boards/threads/{question}")

    # A reply to a reply: its Reply link loads the form in place, focused on the text box.
    tab_to(page, f"#reply-link-{reply}")
    page.keyboard.press("Enter")
    expect(page.locator(f"#reply-form-{reply} textarea")).to_be_focused()
    axe.assert_accessible(page, f"#reply-form-{reply}")
    page.keyboard.type("Only if they can call the mayor in.")
    tab_to(page, f"#reply-submit-{reply}")
    page.keyboard.press("Enter")
    nested = page.locator("article[id^=post-]", has_text="Only if they can call the mayor in.")
    expect(nested).to_be_focused()
    expect(page.locator(f"#reply-form-{reply}")).to_have_count(0)
    axe.assert_accessible(page)

    # And to the question, from the form at the foot of the thread (Tab goes on from the reply).
    tab_to(page, f"#reply-form-{question} textarea")
    page.keyboard.type("A recall petition would help.")
    tab_to(page, f"#reply-submit-{question}")
    page.keyboard.press("Enter")
    answer = page.locator("article[id^=post-]", has_text="A recall petition would help.")
    expect(answer).to_be_focused()
    expect(page.locator(f"#reply-form-{question} textarea")).to_have_value("")
    axe.assert_accessible(page)


def test_report_a_post_by_keyboard(as_member, world, module_live_server):
    page = as_member
    question = world["question"]
    _open(page, module_live_server, f"/boards/threads/{question}")
    # "Report" is a link: htmx loads the form in its place, open, and focus moves to the
    # disclosure's summary (where the link was, now "expanded"); Tab goes on into the form.
    tab_to(page, f"a#flag-{question}")
    page.keyboard.press("Enter")
    expect(page.locator(f"details#flag-{question}")).to_have_attribute("open", "")
    expect(page.locator(f"#flag-{question} summary")).to_be_focused()
    axe.assert_accessible(page, f"#flag-{question}")
    page.keyboard.press("Tab")
    expect(page.locator(f"#flag-{question}-reason-0")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(f"#flag-{question}-reason-0")).to_be_checked()
    tab_to(page, f"#flag-send-{question}")
    page.keyboard.press("Enter")
    # The result replaces the form and keeps the button's id, so it has focus; and it is said.
    expect(page.locator(f"#flag-send-{question}")).to_be_focused()
    expect(page.locator(f"#flag-send-{question}")).to_have_text("You reported this post")
    expect(page.locator("#sr-status")).to_have_text(
        "Thank you. The moderators will look at this post."
    )
    axe.assert_accessible(page)


def test_register_by_keyboard(as_member, world, module_live_server):
    page = as_member
    button = f"#registration-{world['meeting']}-button"
    _open(page, module_live_server, f"/meetings/{world['meeting']}")
    tab_to(page, button)
    page.keyboard.press("Enter")
    expect(page.locator(button)).to_have_text("Cancel my registration")
    expect(page.locator(button)).to_be_focused()
    expect(page.locator("#sr-status")).not_to_be_empty()
    axe.assert_accessible(page)


def test_move_an_action_by_keyboard(as_member, world, module_live_server):
    page = as_member
    action = world["action"]
    _open(page, module_live_server, "/actions/mine")
    tab_to(page, f"#a{action}-status")
    # On a closed select, arrow keys change the choice without opening it.
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#a{action}-status")).to_have_value("in_progress")
    tab_to(page, f"#move-{action}")
    page.keyboard.press("Enter")
    expect(page.locator(f"#action-{action} .action-status")).to_have_text("In progress")
    expect(page.locator("#sr-status")).to_contain_text("In progress")
    axe.assert_accessible(page)


def test_move_an_agenda_item_by_keyboard(browser, browser_context_args, module_live_server, world):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    log_in(page, module_live_server.url, world["facilitator"])
    item = world["item"]
    _open(page, module_live_server, f"/agenda/{world['meeting']}")
    items = page.locator("#agenda-items li[id^=agenda-item-]")
    expect(items.nth(1)).to_have_id(f"agenda-item-{item}")

    tab_to(page, f"#move-down-{item}")
    page.keyboard.press("Enter")
    expect(items.nth(2)).to_have_id(f"agenda-item-{item}")
    # Focus stays on the button that was pressed, now in the item's new place.
    expect(page.locator(f"#move-down-{item}")).to_be_focused()
    expect(page.locator("#sr-status")).to_contain_text("to position 3 of 3")
    axe.assert_accessible(page, "#agenda-items")
    axe.assert_accessible(page)

    # Back up with Shift+Tab to its other button, and Space.
    tab_to(page, f"#move-up-{item}", back=True)
    page.keyboard.press("Space")
    expect(items.nth(1)).to_have_id(f"agenda-item-{item}")
    expect(page.locator(f"#move-up-{item}")).to_be_focused()
    expect(page.locator("#sr-status")).to_contain_text("to position 2 of 3")
    axe.assert_accessible(page)
    context.close()
