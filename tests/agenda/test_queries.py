"""The agenda's pages cost a fixed number of SQL statements, however long the lists."""

from datetime import timedelta

import pytest

from app.agenda.services import PRESETS
from app.models import Agenda, Role
from tests.agenda.conftest import text

REVIEW_TITLE = PRESETS["actions"][0]


def filled(world, n: int, starts_in=timedelta(days=7), **kw):
    """A meeting with n candidate questions (anonymous and not, over two themes), n agenda
    items (most of them from those questions, one the actions review, which is the current
    item) and some not-taken decisions, published. An earlier meeting of the series left n
    actions for review (shared, some with an invited owner, an update, a review here, some
    done since), and n actions came out of this meeting: the pack, the present view and the
    review item list them all."""
    m = world.meeting(
        themes=("Holistic", "Data"), length=timedelta(minutes=600), starts_in=starts_in, **kw
    )
    earlier = world.meeting(series_id=m.series_id, starts_in=starts_in - timedelta(days=14))
    people = [world.user(name=f"Owner {i}") for i in range(4)]
    for i in range(n):
        action = world.action(
            earlier.id,
            title=f"Review {i}",
            owners=2,
            invited=i % 2,
            status=("in_progress", "done", None)[i % 3],
            update=f"Update {i}" if i % 2 else None,
            people=people[i % 2 :],
        )
        if i % 2 == 0:
            world.review(m.id, action, f"Outcome {i}")
        world.action(m.id, title=f"Made {i}", owners=2, invited=1, people=people[(i + 1) % 2 :])
    authors = [world.user(name=f"Author {i}") for i in range(3)]
    for i in range(n):
        q = world.question(
            m.boards[i % 2], title=f"Q{i}", author=authors[i % 3], anonymous=i % 4 == 0
        )
        if i % 3 == 2:
            world.not_taken(m.id, q, f"Reason {i}")
        else:
            world.add_question(m.id, q)
    for i in range(n - len(world.items(m.id))):
        world.add_item(m.id, f"Free {i}", 5)
    world.publish(m.id)
    # The first item added brought the actions review with it.
    [review] = [ident for ident, _, title in world.items(m.id) if title == REVIEW_TITLE]
    world.update(Agenda, world.agenda(m.id).id, current_item_id=review)
    return m


@pytest.mark.parametrize("who", [Role.FACILITATOR, Role.MEMBER, None])
def test_agenda_page_costs_the_same_for_3_or_40_candidates_and_items(world, count_queries, who):
    small, large = filled(world, 3), filled(world, 40)
    client = world.client(who)
    counts = []
    # The first visit draws the candidates, the second finds them kept (app.fragments).
    for m in (small, large):
        for _visit in ("drawn", "kept"):
            with count_queries() as queries:
                response = client.get(f"/agenda/{m.id}")
            assert response.status_code == 200
            counts.append(queries.count)
    assert counts[0::2] == [counts[0]] * 2 and counts[1::2] == [counts[1]] * 2, counts
    if who == Role.FACILITATOR:  # kept: no count, no page of ids, no rows of candidates
        assert counts[1] == counts[0] - 3, counts
    assert len(world.items(large.id)) == 40
    if who == Role.FACILITATOR:
        assert "Q39" in text(response) or "Q38" in text(response)
    if who is not None:  # the review's 40 actions are on the page, for members
        assert "Review 39" in text(response) and "Update 39" in text(response)


def test_after_the_meeting_the_facilitator_page_costs_the_same(world, count_queries):
    small = filled(world, 3, starts_in=-timedelta(days=2))
    large = filled(world, 40, starts_in=-timedelta(days=2))
    client = world.client(Role.FACILITATOR)
    counts = []
    for m in (small, large):
        with count_queries() as queries:
            assert 'id="after-meeting"' in text(client.get(f"/agenda/{m.id}"))
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("path", ["present", "pack", "pack.md", "minutes.md"])
def test_present_pack_and_minutes_cost_the_same(world, count_queries, path):
    small, large = filled(world, 3), filled(world, 40)
    client = world.client(Role.FACILITATOR)
    counts = []
    for m in (small, large):
        with count_queries() as queries:
            response = client.get(f"/agenda/{m.id}/{path}")
            assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert "Review 39" in text(response)  # the review's actions are listed
    if path.startswith("pack"):
        assert "Made 39" in text(response)


def test_meeting_page_agenda_panel_costs_the_same(world, count_queries):
    small, large = filled(world, 3), filled(world, 40)
    client = world.client(Role.MEMBER)
    counts = []
    for m in (small, large):
        with count_queries() as queries:
            page = text(client.get(f"/meetings/{m.id}"))
            assert 'id="meeting-agenda-items"' in page
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert "Review 39" in page and "Update 39" in page
