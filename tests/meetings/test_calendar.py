"""Calendar files: one meeting's .ics and each member's private feed."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import MeetingStatus, User
from tests.conftest import log_in

HX = {"HX-Request": "true"}
LINK = "https://meet.example.org/secret-room"


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def only_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def summer_meeting(make, **fields):
    m = make.meeting(
        title="Using data well", online_url=LINK, description="Bring *data*.", **fields
    )
    m.starts_at = datetime(2027, 7, 1, 11, 0, tzinfo=UTC)  # 12:00 BST
    m.ends_at = datetime(2027, 7, 1, 12, 30, tzinfo=UTC)
    return m


@pytest.mark.parametrize("path", ["/meetings/{id}.ics", "/meetings/{id}/calendar.ics"])
def test_meeting_ics_for_a_visitor(client, make, path):
    m = summer_meeting(make)
    db.session.commit()
    response = client.get(path.format(id=m.id))
    raw = response.get_data(as_text=True)
    event = only_event(parse(response))
    assert str(event["UID"]) == f"meeting-{m.id}@localhost"
    assert "DTSTART;TZID=Europe/London:20270701T120000" in raw
    assert "DTEND;TZID=Europe/London:20270701T133000" in raw
    assert "BEGIN:VTIMEZONE" in raw and "TZID:Europe/London" in raw
    assert event.decoded("DTSTART") == datetime(2027, 7, 1, 11, 0, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Using data well"
    assert "Bring *data*." in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://localhost/meetings/{m.id}"
    assert str(event["LOCATION"]) == "Online"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "secret-room" not in raw
    assert "attachment" in response.headers["Content-Disposition"]
    assert "private" in response.headers["Cache-Control"]


def test_meeting_ics_includes_the_link_for_registered_members_only(app, member_client, make):
    m = summer_meeting(make, capacity=1)
    placed, waiting = make.user(password=None), make.user(password=None)
    make.registration(m, placed)
    make.registration(m, waiting, status="waitlisted")
    ids = placed.get_id(), waiting.get_id()
    db.session.commit()
    url = f"/meetings/{m.id}.ics"
    assert LINK in str(only_event(parse(log_in(app.test_client(), ids[0]).get(url)))["DESCRIPTION"])
    assert LINK not in parse(log_in(app.test_client(), ids[1]).get(url)).to_ical().decode()
    assert LINK not in parse(member_client.get(url)).to_ical().decode()


def test_meeting_ics_includes_the_link_for_facilitators(facilitator_client, make):
    m = summer_meeting(make)
    db.session.commit()
    assert LINK in str(
        only_event(parse(facilitator_client.get(f"/meetings/{m.id}.ics")))["DESCRIPTION"]
    )


def test_venue_is_the_location(client, make):
    m = make.meeting(venue="Northtown Library", online_url="")
    db.session.commit()
    assert str(only_event(parse(client.get(f"/meetings/{m.id}.ics")))["LOCATION"]) == (
        "Northtown Library"
    )


def test_cancelled_meeting_ics_says_cancelled_with_a_higher_sequence(
    client, facilitator_client, make
):
    m = summer_meeting(make)
    db.session.commit()
    before = int(only_event(parse(client.get(f"/meetings/{m.id}.ics")))["SEQUENCE"])
    facilitator_client.post(f"/meetings/{m.id}/cancel", data={"reason": "Snow."})
    event = only_event(parse(client.get(f"/meetings/{m.id}.ics")))
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == before + 1
    assert str(event["UID"]) == f"meeting-{m.id}@localhost"


def test_editing_bumps_the_sequence(client, facilitator_client, make):
    from tests.meetings.test_routes import meeting_data

    m = summer_meeting(make)
    db.session.commit()
    before = int(only_event(parse(client.get(f"/meetings/{m.id}.ics")))["SEQUENCE"])
    facilitator_client.post(f"/meetings/{m.id}/edit", data=meeting_data(end_time="14:00"))
    assert int(only_event(parse(client.get(f"/meetings/{m.id}.ics")))["SEQUENCE"]) == before + 1


# The private feed ------------------------------------------------------------------------------
def _token(user_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user_id).calendar_token


def test_viewing_pages_never_creates_a_feed_token(member_client, ctx):
    body = member_client.get("/meetings/").get_data(as_text=True)
    assert "Create my calendar link" in body
    assert _token(member_client.user_id) is None


def test_feed_lists_the_members_meetings_with_links(app, member_client, make):
    mine = summer_meeting(make)
    other = make.meeting(title="Not mine", online_url="https://meet.example.org/other")
    waiting = make.meeting(title="Waiting for this", capacity=0)
    member = db.session.get(User, member_client.user_id)
    make.registration(mine, member)
    make.registration(waiting, member, status="waitlisted")
    db.session.commit()

    response = member_client.post("/meetings/feed/reset")
    assert response.status_code == 302
    token = _token(member_client.user_id)
    assert len(token) >= 32
    assert f"/meetings/feed/{token}.ics" in member_client.get("/meetings/").get_data(as_text=True)

    calendar = parse(app.test_client().get(f"/meetings/feed/{token}.ics"))  # no login needed
    event = only_event(calendar)
    assert str(event["SUMMARY"]) == "Using data well"
    assert LINK in str(event["DESCRIPTION"])
    assert "Not mine" not in calendar.to_ical().decode() and other.id != mine.id


def test_reset_replaces_the_token_and_the_old_url_stops_working(client, member_client, ctx):
    member_client.post("/meetings/feed/reset")
    old = _token(member_client.user_id)
    assert client.get(f"/meetings/feed/{old}.ics").status_code == 200
    response = member_client.post("/meetings/feed/reset", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="calendar-feed"' in body
    assert "The old link no longer works" in body and 'hx-swap-oob="innerHTML:#sr-status"' in body
    new = _token(member_client.user_id)
    assert new != old and f"/meetings/feed/{new}.ics" in body
    assert client.get(f"/meetings/feed/{old}.ics").status_code == 404
    assert client.get(f"/meetings/feed/{new}.ics").status_code == 200


def test_unknown_feed_token_is_404(client, make):
    make.user(password=None)  # calendar_token is None: "None" must not match it
    db.session.commit()
    for token in ("nope", "None", ""):
        assert client.get(f"/meetings/feed/{token}.ics").status_code == 404


def test_feed_of_a_closed_account_is_404(client, member_client, ctx):
    member_client.post("/meetings/feed/reset")
    token = _token(member_client.user_id)
    db.session.get(User, member_client.user_id).active = False
    db.session.commit()
    assert client.get(f"/meetings/feed/{token}.ics").status_code == 404


def test_feed_includes_cancelled_meetings_as_cancelled(client, member_client, make):
    m = make.meeting(status=MeetingStatus.CANCELLED, cancel_reason="Snow.")
    make.registration(m, db.session.get(User, member_client.user_id))
    db.session.commit()
    member_client.post("/meetings/feed/reset")
    event = only_event(parse(client.get(f"/meetings/feed/{_token(member_client.user_id)}.ics")))
    assert str(event["STATUS"]) == "CANCELLED"


def test_reset_feed_needs_a_member(client, ctx):
    response = client.post("/meetings/feed/reset")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.scalar(select(User.id).where(User.calendar_token.is_not(None))) is None


def test_csrf_is_checked_on_reset(app, member_client, ctx):
    app.config["WTF_CSRF_ENABLED"] = True
    assert member_client.post("/meetings/feed/reset").status_code == 400
    assert _token(member_client.user_id) is None
