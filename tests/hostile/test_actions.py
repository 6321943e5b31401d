"""Hostile actions: every text an action carries (title, detail, owners' names, where it came
from, and each entry of its timeline) on the actions board, the action's page, the forms that
edit it, the review and the next meeting's agenda and pack."""

import pytest

from app.extensions import db
from app.models import Action, Role
from tests.conftest import client_as, log_in
from tests.hostile.checks import Shown, assert_text_shown
from tests.hostile.corpus import PAYLOADS
from tests.hostile.seeding import actions_world, reached

MARKDOWN = ("detail", "decline reason", "update", "comment", "edit reason", "review outcome",
            "status reason")  # fmt: skip


@pytest.fixture(scope="module")
def world(seed):
    return seed(actions_world)


def _shown(action, *names) -> list[Shown]:
    shown = []
    for name in names:
        payload, text = action.texts.get(name, (None, ""))
        if not text:
            continue
        make = Shown.markdown if name in MARKDOWN else Shown.plain
        shown.append(make(payload, name, text))
    return shown


def test_the_action_page_shows_every_text(world_app, world, read):
    """Every action, and the copies dropped with the reason of one in progress (seeding.
    ActionsWorld): every payload is a decline reason, a comment, an edit reason and the reason
    for a drop, shown in the timeline and (the drop's) in the summary."""
    reader = read(client_as(world_app, Role.MEMBER))
    dropped = [a for a in world.actions + world.copies if a.status == "dropped"]
    for action in world.actions + world.copies:
        shown = _shown(action, "title", "proposer", "source", *MARKDOWN)
        if action.status == "dropped":
            payload, reason = action.texts["status reason"]
            shown.append(Shown.plain(payload, "dropped reason", reason))
        reader.shows(f"/actions/{action.id}", shown)
    for name in ("decline reason", "comment", "edit reason", "status reason"):
        assert reached(a.texts[name] for a in world.actions) == set(PAYLOADS), name
    assert reached(a.texts["status reason"] for a in dropped) == set(PAYLOADS)


def test_the_board_lists_titles_owners_and_sources(world_app, world, read):
    """Each column pages on its own; following the first "Next" link on each page walks the
    in-progress column to its end, then the dropped one."""
    reader = read(client_as(world_app, Role.MEMBER))
    text = reader.pages("/actions/")
    expected = [s for a in world.actions for s in _shown(a, "title", "proposer", "source")]
    assert len(expected) > 2 * len(world.actions)
    assert_text_shown(text, expected, "actions board")


def test_forms_that_change_an_action_hold_its_text(world_app, world, read):
    """The facilitator's edit form; the owner's drop form (a dropped action has none: its open
    copy's, seeding.ActionsWorld); "My actions", as a member following every action."""
    facilitator = read(client_as(world_app, Role.FACILITATOR))
    for action in world.actions:
        payload, detail = action.texts["detail"]
        edit = facilitator.page(f"/actions/{action.id}/edit")
        assert_text_shown(edit.text, [Shown.plain(payload, "detail as typed", detail)])
        title = action.texts["title"][1]
        assert title in {dict(e.attrs).get("value") for e in edit.elements}, payload.id
    with world_app.app_context():
        proposers = {a.id: db.session.get(Action, a.id).proposer_id for a in world.actions}
    client = world_app.test_client()
    owner = read(client)
    droppable = [a for a in world.actions if a.status != "dropped"]
    for action in droppable:
        log_in(client, f"{proposers[action.id]}:0")
        owner.shows(f"/actions/{action.id}/drop", _shown(action, "title"))
    log_in(client, f"{world.owner_id}:0")
    open_copies = [a for a in world.copies if a.status != "dropped"]
    for action in open_copies:
        owner.shows(f"/actions/{action.id}/drop", _shown(action, "title"))
    assert reached(a.texts["title"] for a in droppable + open_copies) == set(PAYLOADS)
    log_in(client, f"{world.follower_id}:0")
    text = owner.pages("/actions/mine")
    expected = [s for a in world.actions for s in _shown(a, "title", "source")]
    assert_text_shown(text, expected, "my actions")


def test_the_review_and_the_next_meeting_show_titles_updates_and_outcomes(world_app, world, read):
    reader = read(client_as(world_app, Role.FACILITATOR))
    expected = [s for a in world.actions for s in _shown(a, "title", "update", "review outcome")]
    for url in (
        f"/actions/review/{world.review_meeting_id}",
        f"/agenda/{world.review_meeting_id}",
        f"/agenda/{world.review_meeting_id}/pack",
    ):
        page = reader.page(url)
        assert_text_shown(page.text, expected, url)
