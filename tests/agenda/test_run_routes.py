"""Running the meeting: the present view, starting and advancing items, status, outcomes, and
the live region members' pages poll (ETag, 304 without rendering)."""

import re
from datetime import timedelta

import pytest

from app.models import Agenda, AgendaItem, MeetingStatus, Role
from app.timeutil import utcnow
from tests.agenda.conftest import HX, ROLES, templates_rendered, text


def running(world, **kw):
    """A meeting under way with a published agenda of three items."""
    m = world.meeting(starts_in=-timedelta(minutes=20), **kw)
    q = world.question(m.boards[0], title="Who pools budgets?", votes=2)
    ids = [
        world.add_item(m.id, "Welcome", 5),
        world.add_question(m.id, q),
        world.add_item(m.id, "Close", 5),
    ]
    world.publish(m.id)
    return m, ids


# Present view ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("facilitator", 200), ("admin", 200)])
def test_present_view_is_for_facilitators(world, who, status):
    m, _ = running(world)
    assert world.client(ROLES[who]).get(f"/agenda/{m.id}/present").status_code == status
    visitor = world.client().get(f"/agenda/{m.id}/present")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]


def test_present_view_shows_the_current_item_and_its_time_left(world, facilitator):
    m, (welcome, question, close) = running(world)
    page = text(facilitator.get(f"/agenda/{m.id}/present"))
    assert "Not started" in page and 'id="next-item"' in page and "Start the first item" in page
    world.update(AgendaItem, question, started_at=utcnow() - timedelta(minutes=3, seconds=20))
    world.update(Agenda, world.agenda(m.id).id, current_item_id=question)
    page = text(facilitator.get(f"/agenda/{m.id}/present"))
    assert re.search(r'id="time-left"[^>]*>7 minutes left</p>', page)
    assert "Item 2 of 3" in page and "Previous: Welcome." in page and "Next: Close." in page
    assert "From the question" in page and "2 votes" in page
    # Its URL carries the file's content hash (long cache lifetime, new URL on change).
    assert re.search(r'src="/static/js/agenda-timer\.js\?v=[0-9a-f]{12}"', page)
    assert "<script>" not in page
    world.update(AgendaItem, question, started_at=utcnow() - timedelta(minutes=13))
    assert "3 minutes over" in text(facilitator.get(f"/agenda/{m.id}/present"))


def test_advance_next_and_previous_page_and_htmx(world, facilitator):
    m, (welcome, question, close) = running(world)
    response = facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/agenda/{m.id}/present"
    )
    assert world.agenda(m.id).current_item_id == welcome
    htmx = facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"}, headers=HX)
    body = text(htmx)
    assert htmx.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<div id="present-{m.id}"')
    assert (
        '<div hx-swap-oob="innerHTML:#sr-status">Now on item 2: Who pools budgets?.</div>' in body
    )
    assert 'id="next-item"' in body and 'id="previous-item"' in body
    assert world.get(AgendaItem, question).started_at is not None
    facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"})
    last = facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"}, headers=HX)
    assert "This is the last item on the agenda." in text(last)
    assert world.agenda(m.id).current_item_id == close
    back = facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "previous"})
    assert back.status_code == 302 and world.agenda(m.id).current_item_id == question
    bad = facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "sideways"})
    assert bad.status_code == 400


def test_advance_needs_an_agenda(world, facilitator):
    m = world.meeting()
    assert (
        facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"}).status_code == 404
    )


def test_start_any_item(world, facilitator):
    m, (welcome, question, close) = running(world)
    response = facilitator.post(f"/agenda/{m.id}/items/{close}/start", headers=HX)
    assert response.status_code == 200 and "Now on Close." in text(response)
    assert world.agenda(m.id).current_item_id == close
    assert facilitator.post(f"/agenda/{m.id}/items/{welcome}/start").status_code == 302


def test_mark_discussed_or_skipped(world, facilitator):
    m, (welcome, question, close) = running(world)
    facilitator.post(f"/agenda/{m.id}/items/{question}/start")
    htmx = facilitator.post(
        f"/agenda/{m.id}/items/{question}/status", data={"status": "discussed"}, headers=HX
    )
    body = text(htmx)
    assert "Marked Who pools budgets? as discussed." in body
    assert 'id="mark-discussed" class="button button--secondary" aria-pressed="true"' in body
    assert world.get(AgendaItem, question).status == "discussed"
    page = facilitator.post(f"/agenda/{m.id}/items/{welcome}/status", data={"status": "skipped"})
    assert page.status_code == 302 and world.get(AgendaItem, welcome).status == "skipped"
    bad = facilitator.post(f"/agenda/{m.id}/items/{welcome}/status", data={"status": "done"})
    assert bad.status_code == 400


def test_outcome_notes_saved_as_markdown_with_an_action_link(world, facilitator):
    m, (welcome, question, close) = running(world)
    facilitator.post(f"/agenda/{m.id}/items/{question}/start")
    field = f"outcome-{question}-notes"
    htmx = facilitator.post(
        f"/agenda/{m.id}/items/{question}/outcome",
        data={field: "We agreed **three shared measures**."},
        headers=HX,
    )
    body = text(htmx)
    assert htmx.status_code == 200 and "<strong>three shared measures</strong>" in body
    assert "Outcome saved for Who pools budgets?." in body
    assert f'href="/actions/new?agenda_item={question}"' in body
    assert "Create an action from this outcome" in body
    item = world.get(AgendaItem, question)
    assert item.notes == "We agreed **three shared measures**."
    page = facilitator.post(f"/agenda/{m.id}/items/{question}/outcome", data={field: "Short."})
    assert page.status_code == 302


def test_outcome_notes_too_long(world, facilitator):
    m, (welcome, question, close) = running(world)
    facilitator.post(f"/agenda/{m.id}/items/{question}/start")
    field = f"outcome-{question}-notes"
    data = {field: "a" * 10_001}
    page = facilitator.post(f"/agenda/{m.id}/items/{question}/outcome", data=data)
    body = text(page)
    assert page.status_code == 422 and "Outcome notes must be 10,000 characters or fewer" in body
    assert "<title>Error: " in body
    htmx = facilitator.post(f"/agenda/{m.id}/items/{question}/outcome", data=data, headers=HX)
    assert htmx.status_code == 422 and "<html" not in text(htmx)
    assert htmx.headers["HX-Retarget"] == f"#present-{m.id}"
    assert world.get(AgendaItem, question).notes == ""


def test_running_changes_need_a_facilitator(world):
    m, (welcome, question, close) = running(world)
    visitor, member = world.client(), world.client(Role.MEMBER)
    requests = [
        (f"/agenda/{m.id}/advance", {"direction": "next"}),
        (f"/agenda/{m.id}/items/{welcome}/start", {}),
        (f"/agenda/{m.id}/items/{welcome}/status", {"status": "discussed"}),
        (f"/agenda/{m.id}/items/{welcome}/outcome", {f"outcome-{welcome}-notes": "x"}),
    ]
    for url, data in requests:
        assert visitor.post(url, data=data).status_code == 302, url
        assert member.post(url, data=data).status_code == 403, url
    assert world.agenda(m.id).current_item_id is None


# The live region -----------------------------------------------------------------------------


def live_url(page: str) -> str:
    match = re.search(
        r'<div id="agenda-live-\d+" class="agenda-live" data-live '
        r'hx-get="([^"]+)" hx-trigger="every 15s"',
        page,
    )
    assert match, "no polling live region"
    return match.group(1)


def test_meeting_page_polls_the_current_item_while_the_meeting_runs(world, facilitator, member):
    m, (welcome, question, close) = running(world)
    facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"})
    page = text(member.get(f"/meetings/{m.id}"))
    assert live_url(page) == f"/agenda/{m.id}/live"
    assert "<strong>Now:</strong> item 1 of 3, Welcome" in page
    assert 'id="meeting-agenda-check"' in page
    live = member.get(f"/agenda/{m.id}/live", headers=HX)
    assert live.status_code == 200 and "<html" not in text(live)
    assert text(live).lstrip().startswith(f'<div id="agenda-live-{m.id}"')
    assert "Welcome" in text(live) and "private" in live.headers["Cache-Control"]


def test_live_region_answers_304_without_rendering_until_the_agenda_changes(
    app, world, facilitator, count_queries
):
    m, (welcome, question, close) = running(world)
    visitor = world.client()
    first = visitor.get(f"/agenda/{m.id}/live", headers=HX)
    etag = first.headers["ETag"]
    with templates_rendered(app) as rendered, count_queries() as queries:
        again = visitor.get(f"/agenda/{m.id}/live", headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert rendered == [] and queries.count == 1, queries.statements
    facilitator.post(f"/agenda/{m.id}/advance", data={"direction": "next"})
    changed = visitor.get(f"/agenda/{m.id}/live", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Welcome" in text(changed)


def test_live_region_stops_polling_outside_the_meeting_and_for_drafts(world, facilitator):
    later = world.meeting(starts_in=timedelta(days=2))
    world.add_item(later.id, "Welcome")
    world.publish(later.id)
    body = text(world.client().get(f"/agenda/{later.id}/live"))
    assert "hx-trigger" not in body
    m = world.meeting(starts_in=-timedelta(minutes=5))
    world.add_item(m.id, "Welcome")
    body = text(facilitator.get(f"/agenda/{m.id}/live"))
    assert "hx-trigger" not in body  # an unpublished agenda is nobody's live news
    assert world.client().get("/agenda/99999/live").status_code == 404


def test_live_region_of_a_draft_meeting_is_hidden(world, facilitator):
    m = world.meeting(status=MeetingStatus.DRAFT, starts_in=-timedelta(minutes=5))
    assert world.client().get(f"/agenda/{m.id}/live").status_code == 404
    assert facilitator.get(f"/agenda/{m.id}/live").status_code == 200
