"""The accountability review on the agenda: an item of its own kind (one per agenda), added by
the "actions" quick choice, by the agenda's first item and by "Fill from top questions" when
the series has actions for review, and shown on the agenda page, in the present view, on the
meeting page, in the minutes and in the pack."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.agenda import services
from app.extensions import db
from app.models import Agenda, AgendaItem, ItemKind, Meeting, Post, Role
from app.timeutil import utcnow
from tests.agenda.conftest import HX, text

REVIEW = services.PRESETS["actions"][0]


def with_actions(world, *, titles=("Map pooled budgets",), update="Eight places so far."):
    """An upcoming meeting whose series' earlier meeting left open actions (with an update)."""
    m = world.meeting()
    earlier = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=14))
    ids = [world.action(earlier.id, title=title, owners=2, update=update) for title in titles]
    return m, ids


def kinds(world, meeting_id) -> list[tuple[str, str]]:
    return [(t, world.get(AgendaItem, i).kind) for i, _, t in world.items(meeting_id)]


def review_item(world, meeting_id) -> int:
    [ident] = [i for i, _, t in world.items(meeting_id) if t == REVIEW]
    return ident


# Adding it -----------------------------------------------------------------------------------


def test_the_first_item_brings_the_review_after_the_welcome(world):
    m, _ = with_actions(world)
    world.add_item(m.id, "Welcome and introductions", 5, first=True)
    world.add_item(m.id, "Break", 10)
    assert kinds(world, m.id) == [
        ("Welcome and introductions", ItemKind.FREE),
        (REVIEW, ItemKind.ACTIONS_REVIEW),
        ("Break", ItemKind.FREE),
    ]


def test_a_first_question_comes_after_the_review(world):
    m, _ = with_actions(world)
    q = world.question(m.boards[0], title="Who holds the mayor to account?")
    world.add_question(m.id, q)
    assert kinds(world, m.id) == [
        (REVIEW, ItemKind.ACTIONS_REVIEW),
        ("Who holds the mayor to account?", ItemKind.QUESTION),
    ]
    assert [p for _, p, _ in world.items(m.id)] == [1, 2]


def test_no_review_without_actions_for_review(world):
    # The only action was done before the previous meeting: that meeting acknowledged it.
    m = world.meeting()
    first = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=30))
    world.meeting(series_id=m.series_id, starts_in=-timedelta(days=10))
    world.action(first.id, status="done", now=utcnow() - timedelta(days=20))
    world.add_item(m.id, "Welcome", 5, first=True)
    assert kinds(world, m.id) == [("Welcome", ItemKind.FREE)]
    # A series with no earlier meeting: neither the first item nor the fill adds it.
    alone = world.meeting()
    world.question(alone.boards[0], votes=2)
    world.add_item(alone.id, "Welcome", 5, first=True)
    with world.ctx():
        assert services.fill_from_top(db.session.get(Meeting, alone.id))
    assert REVIEW not in [t for _, _, t in world.items(alone.id)]


def test_the_review_is_not_added_back_by_later_items(world):
    m, _ = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    with world.ctx():
        services.remove_item(db.session.get(AgendaItem, review_item(world, m.id)))
    world.add_item(m.id, "Break", 10)
    assert [t for _, _, t in world.items(m.id)] == ["Welcome", "Break"]


def test_fill_adds_the_review_once_near_the_top_and_counts_its_minutes(world):
    m = world.meeting(length=timedelta(minutes=35))
    # Items first, actions after: the agenda's first item found nothing to review.
    world.add_item(m.id, "Welcome", 5, first=True)
    earlier = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=14))
    world.action(earlier.id, title="Open one")
    questions = [world.question(m.boards[0], title=f"Q{i}", votes=5 - i) for i in range(3)]
    with world.ctx():
        added = services.fill_from_top(db.session.get(Meeting, m.id))
        assert [(item.kind, item.title) for item in added] == [
            (ItemKind.ACTIONS_REVIEW, REVIEW),
            (ItemKind.QUESTION, "Q0"),
            (ItemKind.QUESTION, "Q1"),
        ]
    # 5 + 10 (review) + 10 + 10 = 35: the third question does not fit.
    assert [t for _, _, t in world.items(m.id)] == ["Welcome", REVIEW, "Q0", "Q1"]
    assert questions  # the third one stays a candidate
    with world.ctx():
        assert services.fill_from_top(db.session.get(Meeting, m.id)) == []
    assert [t for _, _, t in world.items(m.id)].count(REVIEW) == 1


def test_the_quick_choice_adds_one_review_per_agenda(world, facilitator):
    m = world.meeting()  # no actions for review: the facilitator may still add it
    world.add_item(m.id, "Welcome", 5, first=True)
    response = facilitator.post(f"/agenda/{m.id}/items", data={"preset": "actions"})
    item = review_item(world, m.id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agenda/{m.id}#agenda-item-{item}"
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert f"Added {REVIEW} to the agenda (10 minutes)." in page
    again = facilitator.post(f"/agenda/{m.id}/items", data={"preset": "actions"}, headers=HX)
    body = text(again)
    assert again.status_code == 200 and "<html" not in body
    assert f'<div hx-swap-oob="innerHTML:#sr-status">{REVIEW} is already on the agenda.' in body
    plain = facilitator.post(f"/agenda/{m.id}/items", data={"preset": "actions"})
    assert plain.headers["Location"] == f"/agenda/{m.id}#agenda-item-{item}"
    assert f"{REVIEW} is already on the agenda." in text(facilitator.get(f"/agenda/{m.id}"))
    assert kinds(world, m.id) == [("Welcome", ItemKind.FREE), (REVIEW, ItemKind.ACTIONS_REVIEW)]


def test_the_database_refuses_a_second_review_item(world, app):
    m = world.meeting()
    item = world.add_review(m.id)
    with app.app_context():
        first = db.session.get(AgendaItem, item)
        db.session.add(
            AgendaItem(
                agenda_id=first.agenda_id,
                meeting_id=m.id,
                position=2,
                title="Another review",
                minutes=5,
                kind=ItemKind.ACTIONS_REVIEW,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # Free items, on the other hand, may repeat.
        for n in (2, 3):
            db.session.add(
                AgendaItem(
                    agenda_id=first.agenda_id, meeting_id=m.id, position=n, title="Break", minutes=5
                )
            )
        db.session.commit()


def test_fill_route_says_the_review_was_added(world, facilitator):
    m, _ = with_actions(world)
    q = world.question(m.boards[0], title="Which data do you trust?", votes=2)
    response = facilitator.post(f"/agenda/{m.id}/fill")
    assert response.status_code == 302
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert "Added the actions review and 1 question from the top of the boards." in page
    assert [t for _, _, t in world.items(m.id)] == [REVIEW, "Which data do you trust?"]
    assert world.get(Post, q) is not None
    facilitator.post(f"/agenda/{m.id}/fill")
    assert "No questions were added" in text(facilitator.get(f"/agenda/{m.id}"))
    other, _ = with_actions(world)
    world.add_item(other.id, "Welcome", 5, first=True)  # brings the review ...
    with world.ctx():
        services.remove_item(db.session.get(AgendaItem, review_item(world, other.id)))
    facilitator.post(f"/agenda/{other.id}/fill")  # ... and fill puts it back, with no questions
    assert "Added the actions review. No questions were added" in text(
        facilitator.get(f"/agenda/{other.id}")
    )


# Showing it ----------------------------------------------------------------------------------


def test_agenda_page_shows_the_review_with_forms_for_facilitators(world, facilitator):
    m, (action,) = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    item = review_item(world, m.id)
    page = text(facilitator.get(f"/agenda/{m.id}"))
    row = page.split(f'<li id="agenda-item-{item}"')[1]
    row = row.split('<div class="agenda-item__controls">')[0]
    assert f'<h4 id="actions-review-{m.id}-title">Actions for review (1)</h4>' in row
    assert '<h5 class="review-item__title">' in row and "Map pooled budgets" in row
    assert "Eight places so far." in row and "Owned by" in row
    assert f'id="review-form-{action}"' in row
    assert '<input type="hidden" name="level" value="4">' in row
    assert f'<input type="hidden" name="next" value="/agenda/{m.id}">' in row


def test_agenda_page_review_is_read_only_for_members_and_hidden_from_visitors(world):
    m, (action,) = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    world.publish(m.id)
    member = text(world.client(Role.MEMBER).get(f"/agenda/{m.id}"))
    assert "Map pooled budgets" in member and "Eight places so far." in member
    assert f'id="review-form-{action}"' not in member
    visitor = text(world.client().get(f"/agenda/{m.id}"))
    assert "Map pooled budgets" not in visitor
    assert f'id="actions-review-{m.id}-members"' in visitor


def test_htmx_swaps_of_the_agenda_keep_the_review(world, facilitator):
    m, _ = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    item = review_item(world, m.id)
    response = facilitator.post(
        f"/agenda/{m.id}/items/{item}/move", data={"direction": "up"}, headers=HX
    )
    body = text(response)
    assert body.lstrip().startswith('<section id="agenda-items"')
    assert f'id="actions-review-{m.id}"' in body and "Map pooled budgets" in body


def test_review_from_the_agenda_page_comes_back_to_it(world, facilitator):
    m, (action,) = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    data = {f"review-{action}-outcome": "Carry on", "level": "4", "next": f"/agenda/{m.id}"}
    response = facilitator.post(f"/actions/review/{m.id}/{action}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agenda/{m.id}#review-{action}"
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert "1 of 1 reviewed." in page and "Carry on" in page


def test_review_with_htmx_keeps_the_heading_level_and_updates_the_progress(world, facilitator):
    m, (first, second) = with_actions(world, titles=("One", "Two"))
    data = {f"review-{first}-outcome": "Done enough", "level": "4", "next": f"/agenda/{m.id}"}
    response = facilitator.post(f"/actions/review/{m.id}/{first}", data=data, headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<li id="review-{first}"')
    assert '<h5 class="review-item__title">' in body
    assert (
        f'<p class="actions-review__progress" id="actions-review-{m.id}-progress" '
        'hx-swap-oob="true">1 of 2 reviewed.</p>' in body
    )
    # A failed form keeps where it came from.
    failed = facilitator.post(
        f"/actions/review/{m.id}/{second}",
        data={"level": "4", "next": f"/agenda/{m.id}"},
        headers=HX,
    )
    assert failed.status_code == 422 and '<h5 class="review-item__title">' in text(failed)
    assert f'<input type="hidden" name="next" value="/agenda/{m.id}">' in text(failed)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", ""])
def test_review_never_redirects_off_the_site(world, facilitator, target):
    m, (action,) = with_actions(world)
    data = {f"review-{action}-outcome": "Carry on", "next": target, "level": "99"}
    response = facilitator.post(f"/actions/review/{m.id}/{action}", data=data)
    assert response.headers["Location"] == f"/actions/review/{m.id}#review-{action}"


def test_present_view_shows_the_review_when_it_is_the_current_item(world, facilitator):
    m, (action,) = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    item = review_item(world, m.id)
    page = text(facilitator.get(f"/agenda/{m.id}/present"))
    assert f'id="actions-review-{m.id}"' not in page  # not started yet
    facilitator.post(f"/agenda/{m.id}/items/{item}/start")
    page = text(facilitator.get(f"/agenda/{m.id}/present"))
    assert f'<h3 id="actions-review-{m.id}-title">Actions for review (1)</h3>' in page
    assert f'id="review-form-{action}"' in page
    assert f'<input type="hidden" name="next" value="/agenda/{m.id}/present">' in page
    swapped = facilitator.post(
        f"/agenda/{m.id}/advance", data={"direction": "previous"}, headers=HX
    )
    assert f'id="actions-review-{m.id}"' not in text(swapped)  # on the welcome now
    back = facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"}, headers=HX)
    assert "Map pooled budgets" in text(back) and "<html" not in text(back)


def test_meeting_page_lists_the_review_read_only(world):
    m, (action,) = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    world.publish(m.id)
    for who in (Role.MEMBER, Role.FACILITATOR):
        page = text(world.client(who).get(f"/meetings/{m.id}"))
        panel = page.split('id="meeting-agenda"')[1].split('id="meeting-agenda-link"')[0]
        assert f'<h4 id="actions-review-{m.id}-title">Actions for review (1)</h4>' in panel
        assert "Map pooled budgets" in panel and "Eight places so far." in panel
        assert "review-form-" not in panel
    visitor = text(world.client().get(f"/meetings/{m.id}"))
    assert "Map pooled budgets" not in visitor


def test_minutes_list_the_review_with_its_outcomes(world):
    m = world.meeting(starts_in=-timedelta(days=2))
    earlier = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=20))
    action = world.action(earlier.id, title="Map pooled budgets", update="Eight so far.")
    world.add_item(m.id, "Welcome", 5, first=True)
    world.publish(m.id)
    world.review(m.id, action, "Carry on; report next time.")
    body = text(world.client(Role.MEMBER).get(f"/agenda/{m.id}/minutes.md"))
    section = body.split(f"## 2. {REVIEW}")[1]
    assert "- **Map pooled budgets**: Open, due " in section
    assert "Latest update (" in section and "Eight so far." in section
    assert "Reviewed by Person " in section and "Carry on; report next time." in section
    visitor = text(world.client().get(f"/agenda/{m.id}/minutes.md"))
    assert "Map pooled budgets" not in visitor
    assert "_The actions reviewed are shown to members._" in visitor


def test_pack_points_the_review_item_to_the_actions_for_review(world):
    m, _ = with_actions(world, titles=("One", "Two"))
    world.add_item(m.id, "Welcome", 5, first=True)
    world.publish(m.id)
    page = text(world.client(Role.MEMBER).get(f"/agenda/{m.id}/pack"))
    row = page.split(f'<tr id="pack-item-{review_item(world, m.id)}">')[1].split("</tr>")[0]
    assert f'<a href="#actions-review-{m.id}">2 actions for review</a>, listed below' in row
    md = text(world.client(Role.MEMBER).get(f"/agenda/{m.id}/pack.md"))
    assert f"2. **{REVIEW}** (10 minutes): 2 actions for review, listed below" in md


def test_the_review_is_loaded_only_when_the_agenda_has_the_item(world, count_queries):
    client = world.client(Role.FACILITATOR)

    def cost(meeting_id) -> int:
        client.get(f"/agenda/{meeting_id}")
        with count_queries() as queries:
            assert client.get(f"/agenda/{meeting_id}").status_code == 200
        return queries.count

    plain = world.meeting()
    world.add_item(plain.id, "Welcome", 5, first=True)
    # Actions for review, but the agenda was made before them: no review item.
    without = world.meeting()
    world.add_item(without.id, "Welcome", 5, first=True)
    earlier = world.meeting(series_id=without.series_id, starts_in=-timedelta(days=14))
    world.action(earlier.id)
    assert cost(without.id) == cost(plain.id)
    world.add_review(without.id)
    assert cost(without.id) > cost(plain.id)


def test_agenda_item_kind_survives_the_agenda(world, app):
    m, _ = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    with app.app_context():
        agenda = db.session.scalar(db.select(Agenda).where(Agenda.meeting_id == m.id))
        review = [item for item in agenda.items if item.is_actions_review]
        assert len(review) == 1 and not review[0].is_question


def test_an_announcement_of_the_agenda_stays_out_of_the_review_list(world, facilitator):
    m, _ = with_actions(world)
    world.add_item(m.id, "Welcome", 5, first=True)
    response = facilitator.post(f"/agenda/{m.id}/items", data={"preset": "break"}, headers=HX)
    body = text(response)
    review_list = body.split('<ol class="review-list">')[1].split("</ol>")[0]
    assert "Map pooled budgets" in review_list and "hx-swap-oob" not in review_list
    assert body.count('hx-swap-oob="innerHTML:#sr-status"') == 1
