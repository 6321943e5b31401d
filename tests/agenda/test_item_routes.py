"""Agenda items over HTTP: free items, edit, move, remove, fill; full page and htmx answers,
validation, unknown ids and items of another meeting."""

import re
from datetime import timedelta

import pytest

from app.models import AgendaItem
from tests.agenda.conftest import HX, text


def item_ids(world, meeting_id):
    return [i for i, _, _ in world.items(meeting_id)]


# Free items ----------------------------------------------------------------------------------


def test_quick_choices_add_free_items_welcome_first(world, facilitator):
    m = world.meeting()
    for preset in ("break", "welcome", "actions", "close"):
        response = facilitator.post(f"/agenda/{m.id}/items", data={"preset": preset})
        assert response.status_code == 302
    assert [t for _, _, t in world.items(m.id)] == [
        "Welcome and introductions",
        "Break",
        "Review of actions from the last meeting",
        "Close and next steps",
    ]
    assert facilitator.post(f"/agenda/{m.id}/items", data={"preset": "party"}).status_code == 400


def test_custom_item_and_its_htmx_answer(world, facilitator):
    m = world.meeting()
    response = facilitator.post(
        f"/agenda/{m.id}/items",
        data={"new-item-title": "  Small   groups ", "new-item-minutes": "25"},
        headers=HX,
    )
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="add-item"')
    assert 'hx-swap-oob="true"' in body and "Small groups" in body
    assert (
        '<div hx-swap-oob="innerHTML:#sr-status">Added Small groups to the agenda (25 minutes).'
        in body
    )
    [(item, _, title)] = world.items(m.id)
    assert title == "Small groups" and world.get(AgendaItem, item).minutes == 25


@pytest.mark.parametrize(
    ("title", "minutes", "message"),
    [
        ("", "10", "Enter a title for the item"),
        ("x" * 161, "10", "Title must be 160 characters or fewer"),
        ("Talk", "", "Enter how many minutes the item takes"),
        ("Talk", "ten", "Minutes must be a whole number, like 10"),
        ("Talk", "10.5", "Minutes must be a whole number, like 10"),
        ("Talk", "-5", "Minutes must be a whole number, like 10"),
        ("Talk", "0", "Minutes must be between 1 and 240"),
        ("Talk", "241", "Minutes must be between 1 and 240"),
    ],
)
def test_custom_item_validation(world, facilitator, title, minutes, message):
    m = world.meeting()
    data = {"new-item-title": title, "new-item-minutes": minutes}
    page = facilitator.post(f"/agenda/{m.id}/items", data=data)
    assert page.status_code == 422
    body = text(page)
    assert "<title>Error: " in body and 'class="error-summary"' in body and message in body
    if title:
        assert f'value="{title}"' in body  # what was typed is kept
    fragment = facilitator.post(f"/agenda/{m.id}/items", data=data, headers=HX)
    assert fragment.status_code == 422 and "<html" not in text(fragment)
    assert message in text(fragment) and 'id="add-item"' in text(fragment)
    assert world.items(m.id) == []


def test_a_160_character_title_and_240_minutes_are_accepted(world, facilitator):
    m = world.meeting()
    data = {"new-item-title": "x" * 160, "new-item-minutes": "240"}
    assert facilitator.post(f"/agenda/{m.id}/items", data=data).status_code == 302


# Edit ----------------------------------------------------------------------------------------


def test_edit_item_page_fragment_and_save(world, facilitator):
    m = world.meeting()
    item = world.add_item(m.id, "Break", 10)
    page = facilitator.get(f"/agenda/{m.id}/items/{item}/edit")
    assert page.status_code == 200 and 'value="Break"' in text(page)
    fragment = facilitator.get(f"/agenda/{m.id}/items/{item}/edit", headers=HX)
    body = text(fragment)
    assert "<html" not in body and body.lstrip().startswith(f'<li id="agenda-item-{item}"')
    assert "autofocus" in body
    saved = facilitator.post(
        f"/agenda/{m.id}/items/{item}/edit",
        data={"edit-item-title": "Coffee break", "edit-item-minutes": "15"},
    )
    assert saved.headers["Location"].endswith(f"#agenda-item-{item}")
    assert world.items(m.id) == [(item, 1, "Coffee break")]
    htmx = facilitator.post(
        f"/agenda/{m.id}/items/{item}/edit",
        data={"edit-item-title": "Tea", "edit-item-minutes": "5"},
        headers=HX,
    )
    body = text(htmx)
    assert htmx.status_code == 200 and body.lstrip().startswith('<section id="agenda-items"')
    assert f'id="agenda-item-{item}-h" tabindex="-1" autofocus' in body


@pytest.mark.parametrize(
    ("title", "minutes", "message"),
    [
        ("", "10", "Enter a title for the item"),
        ("y" * 161, "10", "Title must be 160 characters or fewer"),
        ("Tea", "lots", "Minutes must be a whole number, like 10"),
        ("Tea", "300", "Minutes must be between 1 and 240"),
    ],
)
def test_edit_item_validation(world, facilitator, title, minutes, message):
    m = world.meeting()
    item = world.add_item(m.id, "Break", 10)
    data = {"edit-item-title": title, "edit-item-minutes": minutes}
    page = facilitator.post(f"/agenda/{m.id}/items/{item}/edit", data=data)
    assert page.status_code == 422 and message in text(page) and "<title>Error: " in text(page)
    htmx = facilitator.post(f"/agenda/{m.id}/items/{item}/edit", data=data, headers=HX)
    assert htmx.status_code == 422 and message in text(htmx) and "<html" not in text(htmx)
    assert htmx.headers["HX-Retarget"] == f"#agenda-item-{item}"
    assert world.items(m.id) == [(item, 1, "Break")]


# Move and remove -------------------------------------------------------------------------------


def test_move_with_htmx_keeps_ids_and_announces_the_new_position(world, facilitator):
    m = world.meeting()
    a, b, c = (world.add_item(m.id, t) for t in ("Welcome", "Budgets", "Close"))
    response = facilitator.post(
        f"/agenda/{m.id}/items/{c}/move", data={"direction": "up"}, headers=HX
    )
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="agenda-items"')
    assert f'id="move-up-{c}"' in body and f'id="move-down-{c}"' in body
    assert '<div hx-swap-oob="innerHTML:#sr-status">Moved Close to position 2 of 3</div>' in body
    assert item_ids(world, m.id) == [a, c, b]
    # The first item's "Move up" stays, marked disabled, so focus has somewhere to stay.
    assert re.search(rf'id="move-up-{a}"[^>]*aria-disabled="true"', body)


def test_move_without_js_and_at_the_edges(world, facilitator):
    m = world.meeting()
    a, b = (world.add_item(m.id, t) for t in ("One", "Two"))
    response = facilitator.post(f"/agenda/{m.id}/items/{a}/move", data={"direction": "down"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"#agenda-item-{a}"
    )
    assert item_ids(world, m.id) == [b, a]
    edge = facilitator.post(
        f"/agenda/{m.id}/items/{a}/move", data={"direction": "down"}, follow_redirects=True
    )
    assert "One is already last" in text(edge)
    assert (
        facilitator.post(f"/agenda/{m.id}/items/{a}/move", data={"direction": "left"}).status_code
        == 400
    )


def test_item_ids_that_are_unknown_or_of_another_meeting_are_404(world, facilitator):
    m = world.meeting()
    other = world.meeting()
    theirs = world.add_item(other.id, "Theirs")
    for item in (99999, theirs):
        assert (
            facilitator.post(
                f"/agenda/{m.id}/items/{item}/move", data={"direction": "up"}
            ).status_code
            == 404
        )
        assert facilitator.post(f"/agenda/{m.id}/items/{item}/remove").status_code == 404
        assert facilitator.get(f"/agenda/{m.id}/items/{item}/edit").status_code == 404
        assert facilitator.post(f"/agenda/{m.id}/items/{item}/start").status_code == 404
        assert (
            facilitator.post(
                f"/agenda/{m.id}/items/{item}/status", data={"status": "discussed"}
            ).status_code
            == 404
        )
        assert facilitator.post(f"/agenda/{m.id}/items/{item}/outcome", data={}).status_code == 404
    assert world.items(other.id) == [(theirs, 1, "Theirs")]


def test_remove_page_and_htmx(world, facilitator):
    m = world.meeting()
    a, b, c = (world.add_item(m.id, t) for t in ("One", "Two", "Three"))
    response = facilitator.post(f"/agenda/{m.id}/items/{a}/remove")
    assert response.status_code == 302
    assert world.items(m.id) == [(b, 1, "Two"), (c, 2, "Three")]
    htmx = facilitator.post(f"/agenda/{m.id}/items/{c}/remove", headers=HX)
    body = text(htmx)
    assert htmx.status_code == 200 and body.lstrip().startswith('<section id="agenda-items"')
    assert 'id="agenda-message" tabindex="-1" autofocus>Removed Three from the agenda.' in body
    assert world.items(m.id) == [(b, 1, "Two")]


# Fill ----------------------------------------------------------------------------------------


def test_fill_adds_top_questions_and_publishes_nothing(world, facilitator, member):
    m = world.meeting(themes=("Holistic", "Data"), length=timedelta(minutes=30))
    world.question(m.boards[0], title="H1", votes=5)
    world.question(m.boards[0], title="H2", votes=4)
    world.question(m.boards[1], title="D1", votes=1)
    world.question(m.boards[1], title="D2", votes=0)
    response = facilitator.post(f"/agenda/{m.id}/fill", follow_redirects=True)
    assert "Added 3 questions from the top of the boards" in text(response)
    assert [t for _, _, t in world.items(m.id)] == ["H1", "D1", "H2"]
    assert 'id="agenda-not-published"' in text(member.get(f"/agenda/{m.id}"))
    again = facilitator.post(f"/agenda/{m.id}/fill", follow_redirects=True)
    assert "No questions were added" in text(again)
