"""Hostile meetings (series, themes, titles, descriptions, venues, cancellation reasons, the
insights narrative) and agendas (item titles, outcome notes, reasons a question was not taken),
on every page that shows them, and in the calendar and Markdown files made from them."""

import pytest
from icalendar import Calendar

from app.models import Role
from tests.conftest import client_as
from tests.hostile.checks import Shown, assert_text_shown
from tests.hostile.corpus import PAYLOADS
from tests.hostile.seeding import agenda_world, meetings_world, reached

MARKDOWN = ("series description", "description", "narrative")


@pytest.fixture(scope="module")
def world(seed):
    return seed(meetings_world)


@pytest.fixture(scope="module")
def meetings(world):
    return world.meetings


@pytest.fixture(scope="module")
def agenda(seed):
    return seed(agenda_world)


def _shown(meeting, *names) -> list[Shown]:
    shown = []
    for name in names:
        payload, text = meeting.texts[name]
        shown.append((Shown.markdown if name in MARKDOWN else Shown.plain)(payload, name, text))
    return shown


def test_the_meeting_page(world_app, world, read):
    """Every meeting, and the cancelled copies of those still on (seeding.MeetingsWorld): every
    payload is the reason on one cancelled meeting's page."""
    reader = read(client_as(world_app, Role.MEMBER))
    names = ["series title", "theme title", "title", "description", "venue"]
    cancelled = [m for m in world.meetings if m.cancelled] + world.called_off
    for meeting in world.meetings + world.called_off:
        shown = [name for name in names if name in meeting.texts]
        reader.shows(
            f"/meetings/{meeting.id}",
            _shown(meeting, *shown, *(["cancel reason"] * meeting.cancelled)),
        )
    assert reached(m.texts["cancel reason"] for m in cancelled) == set(PAYLOADS)
    assert reached(m.texts["title"] for m in world.meetings) == set(PAYLOADS)


def test_the_meetings_list(world_app, meetings, read):
    text = read(client_as(world_app, Role.MEMBER)).pages("/meetings/")
    expected = [s for m in meetings for s in _shown(m, "series title", "title")]
    assert_text_shown(text, expected, "meetings list")


def test_series_theme_board_and_edit_pages(world_app, world, read):
    """The edit form holds the title, venue and description as typed: a cancelled meeting has
    none, so its draft copy's (seeding.MeetingsWorld)."""
    facilitator = read(client_as(world_app, Role.FACILITATOR))
    for m in world.meetings:
        facilitator.shows(
            f"/meetings/series/{m.series_id}",
            _shown(m, "series title", "series description", "title", "theme description"),
        )
        facilitator.shows(
            f"/boards/{m.board_id}", _shown(m, "theme title", "theme description", "title")
        )
        facilitator.shows(
            f"/boards/themes/{m.theme_id}", _shown(m, "theme title", "theme description", "title")
        )
    editable = [m for m in world.meetings if not m.cancelled] + world.drafts
    for m in editable:
        payload, description = m.texts["description"]
        page = facilitator.shows(
            f"/meetings/{m.id}/edit", [Shown.plain(payload, "description as typed", description)]
        )
        values = {dict(e.attrs).get("value") for e in page.elements if e.tag == "input"}
        assert {m.texts["title"][1], m.texts["venue"][1]} <= values, payload.id
    assert {m.texts["description"][0] for m in editable} == set(PAYLOADS)


def test_the_insights_narrative(world_app, meetings, read):
    facilitator = read(client_as(world_app, Role.FACILITATOR))
    for m in meetings:
        facilitator.shows(f"/insights/meetings/{m.id}", _shown(m, "title", "narrative"))
        facilitator.shows(f"/insights/series/{m.series_id}", _shown(m, "series title", "title"))


def test_calendar_files_hold_one_event_each(world_app, meetings):
    """The iCalendar writer escapes line breaks and separators: a description cannot add an
    event or a property."""
    client = client_as(world_app, Role.MEMBER)
    for m in meetings:
        response = client.get(f"/meetings/{m.id}.ics")
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        calendar = Calendar.from_ical(response.get_data())
        events = calendar.walk("VEVENT")
        assert len(events) == 1, m.texts["description"][0].id
        assert str(events[0]["SUMMARY"]) == m.texts["title"][1]


def test_the_agenda_and_its_records(world_app, agenda, read):
    items = [Shown.plain(p, "item title", title) for _, title, _, p, _ in agenda.items]
    notes = [Shown.markdown(n, "outcome notes", text) for _, _, text, _, n in agenda.items]
    reasons = [Shown.plain(p, "not taken reason", reason) for _, reason, p in agenda.not_taken]
    facilitator = read(client_as(world_app, Role.FACILITATOR))
    member = read(client_as(world_app, Role.MEMBER))
    url = f"/agenda/{agenda.meeting_id}"
    assert_text_shown(facilitator.pages(url), items + notes + reasons, "agenda (facilitator)")
    assert_text_shown(member.page(url).text, items + notes, "agenda (member)")
    assert_text_shown(facilitator.page(f"{url}/pack").text, items, "pack")
    assert_text_shown(member.page(f"/meetings/{agenda.meeting_id}").text, items + notes, "meeting")
    facilitator.page(f"{url}/present")
    for item_id, title, _, payload, _ in agenda.items:
        page = facilitator.page(f"{url}/items/{item_id}/edit")
        assert title in {dict(e.attrs).get("value") for e in page.elements}, payload.id
    for thread_id, reason, payload in agenda.not_taken:
        member.shows(f"/boards/threads/{thread_id}", [Shown.plain(payload, "reason", reason)])


@pytest.mark.parametrize("name", ["minutes.md", "pack.md"])
def test_markdown_files_are_downloads_never_pages(world_app, agenda, name):
    """They are written without HTML escaping (they are Markdown), so they must never be
    rendered by a browser: an attachment, text/markdown, and no type sniffing."""
    response = client_as(world_app, Role.FACILITATOR).get(f"/agenda/{agenda.meeting_id}/{name}")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text = response.get_data(as_text=True)
    assert all(title in text for _, title, _, _, _ in agenda.items)
