"""Meetings pages and planning: the list, a meeting, create, edit, publish, cancel, permissions."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Board, Meeting, MeetingStatus, Registration, Theme
from tests.conftest import log_in

HX = {"HX-Request": "true"}


def meeting_data(**overrides) -> dict:
    """A valid meeting form: Thursday 2 July 2026, 12:00-13:30 UK time, online."""
    data = {
        "title": "Using data well",
        "description": "Local data is **patchy**.",
        "start_day": "2",
        "start_month": "7",
        "start_year": "2026",
        "start_time": "12:00",
        "end_time": "13:30",
        "online_url": "https://meet.example.org/data",
        "venue": "",
        "capacity": "",
        "new_theme": "",
    }
    data.update(overrides)
    return data


def page(response) -> str:
    return response.get_data(as_text=True)


# The list --------------------------------------------------------------------------------------
def test_index_shows_upcoming_soonest_first_and_past_newest_first(client, make):
    series = make.series(title="Levelling Up")
    make.meeting(series_=series, title="Later one", starts_in=timedelta(days=30))
    make.meeting(series_=series, title="Sooner one", starts_in=timedelta(days=3))
    make.meeting(series_=series, title="Long ago", starts_in=-timedelta(days=90))
    make.meeting(series_=series, title="Last month", starts_in=-timedelta(days=30))
    make.meeting(series_=series, title="Hidden draft", status=MeetingStatus.DRAFT)
    db.session.commit()

    body = page(client.get("/meetings/"))
    assert "Hidden draft" not in body
    upcoming, past = body.split('id="past"')
    assert upcoming.index("Sooner one") < upcoming.index("Later one")
    assert past.index("Last month") < past.index("Long ago")
    assert "Levelling Up" in upcoming and "Levelling Up" in past


def test_index_groups_meetings_by_series(client, make):
    data = make.series(title="Using data")
    power = make.series(title="Sharing power")
    make.meeting(series_=power, title="Power two", starts_in=timedelta(days=20))
    make.meeting(series_=data, title="Data one", starts_in=timedelta(days=5))
    make.meeting(series_=power, title="Power one", starts_in=timedelta(days=10))
    make.meeting(series_=data, title="Data two", starts_in=timedelta(days=15))
    db.session.commit()

    body = page(client.get("/meetings/")).split('id="past"')[0]
    # Data's group comes first (its next meeting is soonest); each group keeps date order.
    order = [body.index(t) for t in ("Using data", "Data one", "Data two", "Sharing power",
                                     "Power one", "Power two")]  # fmt: skip
    assert order == sorted(order)


def test_index_links_each_meeting_and_shows_drafts_to_facilitators(facilitator_client, make):
    m = make.meeting(title="Planning in progress", status=MeetingStatus.DRAFT)
    db.session.commit()
    body = page(facilitator_client.get("/meetings/"))
    assert f'href="/meetings/{m.id}"' in body
    assert "Planning in progress" in body and "Draft" in body


def test_index_paginates_past_meetings_25_a_page(client, make):
    series = make.series()
    for n in range(30):
        make.meeting(series_=series, title=f"Past {n:02d}", starts_in=-timedelta(days=10 + n))
    db.session.commit()
    first = page(client.get("/meetings/"))
    assert "Past 00" in first and "Past 24" in first and "Past 25" not in first
    second = page(client.get("/meetings/?page=2"))
    assert "Past 25" in second and "Past 29" in second and "Past 00" not in second
    assert "(past meetings, page 2 of 2)" in second


def test_index_paginates_upcoming_meetings_on_their_own(client, make):
    series = make.series()
    for n in range(27):
        make.meeting(series_=series, title=f"Soon {n:02d}", starts_in=timedelta(days=n + 1))
    make.meeting(series_=series, title="Gone", starts_in=-timedelta(days=3))
    db.session.commit()
    first = page(client.get("/meetings/"))
    assert "Soon 24" in first and "Soon 25" not in first and "Gone" in first
    second = page(client.get("/meetings/?upcoming_page=2"))
    assert "Soon 25" in second and "Soon 26" in second and "Soon 00" not in second
    assert "Gone" in second  # the past list keeps its own page
    assert "(upcoming meetings, page 2 of 2)" in second


def _add_registered_meetings(make, member, n_meetings: int) -> None:
    for n in range(n_meetings):
        if n % 3 == 0:  # a new series every third meeting: many groups on a page
            series = make.series(themes=())
        when = timedelta(days=n + 1) if n % 2 else -timedelta(days=n + 1)
        make.registration(make.meeting(series_=series, starts_in=when), member)
    db.session.commit()


def test_index_runs_the_same_number_of_queries_for_few_and_many(app, make, count_queries):
    member = make.user(password=None)
    client = log_in(app.test_client(), member)
    counts = {}
    for size, n_meetings in (("few", 2), ("many", 60)):
        member = db.session.merge(member)
        _add_registered_meetings(make, member, n_meetings)
        db.session.close()
        # First drawn (the data changed), then kept (app.fragments).
        for visit in ("drawn", "kept"):
            with count_queries() as queries:
                body = client.get("/meetings/").get_data(as_text=True)
            counts[size, visit] = queries.count
    assert body.count('class="card meeting-card"') == 50  # two full pages' worth
    assert body.count("You are registered") == 50
    assert counts["few", "drawn"] == counts["many", "drawn"], counts
    assert counts["few", "kept"] == counts["many", "kept"], counts
    # Kept: the count, the key and the member's registrations; not the two pages of meetings.
    assert counts["many", "kept"] <= counts["many", "drawn"] - 2, counts
    assert counts["many", "kept"] <= 5, counts


def test_series_page_runs_the_same_number_of_queries(client, make, count_queries):
    few, many = make.series(), make.series()
    make.meeting(series_=few)
    for n in range(40):
        make.meeting(series_=many, starts_in=timedelta(days=n - 20))
    few_url, many_url = f"/meetings/series/{few.id}", f"/meetings/series/{many.id}"
    db.session.commit()
    client.get(few_url)
    db.session.close()
    with count_queries() as small:
        assert client.get(few_url).status_code == 200
    db.session.close()
    with count_queries() as large:
        assert client.get(many_url).status_code == 200
    assert small.count == large.count, large.statements


# A meeting -------------------------------------------------------------------------------------
def test_meeting_page_shows_when_description_themes_and_counts(client, make):
    series = make.series(themes=("Holistic approach", "Root causes"))
    m = make.meeting(series_=series, title="Holistic", description_html="<p>Bring <em>one</em></p>")
    m.starts_at = datetime(2027, 2, 25, 12, 0, tzinfo=UTC)
    m.ends_at = datetime(2027, 2, 25, 13, 30, tzinfo=UTC)
    board = m.boards[0]
    board.question_count, board.post_count = 3, 7
    db.session.commit()

    body = page(client.get(f"/meetings/{m.id}"))
    assert "Thursday 25 February 2027, 12:00-13:30 GMT" in body
    assert "Bring <em>one</em>" in body
    assert f'href="/boards/{board.id}"' in body and "Holistic approach" in body
    assert "3 questions, 7 posts" in body
    assert "Root causes" in body


def test_online_link_only_for_registered_members_and_facilitators(
    app, client, member_client, facilitator_client, make
):
    m = make.meeting(online_url="https://meet.example.org/secret-room", capacity=1)
    registered, waiting = make.user(password=None), make.user(password=None)
    make.registration(m, registered)
    make.registration(m, waiting, status="waitlisted")
    ids = registered.get_id(), waiting.get_id()
    db.session.commit()
    url = f"/meetings/{m.id}"

    assert "secret-room" not in page(client.get(url))
    assert "secret-room" not in page(member_client.get(url))
    assert "secret-room" in page(facilitator_client.get(url))
    assert "secret-room" in page(log_in(app.test_client(), ids[0]).get(url))
    assert "secret-room" not in page(log_in(app.test_client(), ids[1]).get(url))


def test_meeting_htmx_get_returns_the_registration_panel(member_client, make):
    m = make.meeting(capacity=4)
    db.session.commit()
    response = member_client.get(f"/meetings/{m.id}", headers=HX)
    body = page(response)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="registration-{m.id}"' in body and "4 of 4 places left" in body
    assert "HX-Request" in response.headers["Vary"]


def test_venue_shown_to_everyone(client, make):
    m = make.meeting(venue="Northtown Library, High Street", online_url="")
    db.session.commit()
    assert "Northtown Library, High Street" in page(client.get(f"/meetings/{m.id}"))


@pytest.mark.parametrize("who", ["client", "member_client"])
def test_draft_meeting_is_404_for_visitors_and_members(request, who, make):
    m = make.meeting(status=MeetingStatus.DRAFT)
    db.session.commit()
    c = request.getfixturevalue(who)
    for url in (f"/meetings/{m.id}", f"/meetings/{m.id}.ics", f"/meetings/{m.id}/calendar.ics"):
        assert c.get(url).status_code == 404


def test_draft_meeting_visible_to_facilitators(facilitator_client, admin_client, make):
    m = make.meeting(title="Quiet draft", status=MeetingStatus.DRAFT)
    db.session.commit()
    for c in (facilitator_client, admin_client):
        response = c.get(f"/meetings/{m.id}")
        assert response.status_code == 200
        assert "Publish meeting" in page(response)


def test_unknown_meeting_is_404(client, facilitator_client):
    assert client.get("/meetings/999").status_code == 404
    for url in ("/meetings/999/edit", "/meetings/999/cancel", "/meetings/999/registrants",
                "/meetings/999/registrants.csv", "/meetings/999.ics", "/meetings/series/999",
                "/meetings/series/999/meetings/new"):  # fmt: skip
        assert facilitator_client.get(url).status_code == 404, url
    for url in ("/meetings/999/publish", "/meetings/999/cancel", "/meetings/999/register",
                "/meetings/999/unregister", "/meetings/series/999/themes"):  # fmt: skip
        assert facilitator_client.post(url, data={"reason": "x", "title": "x"}).status_code == 404


def test_cancelled_meeting_says_so_to_everyone(client, member_client, make):
    m = make.meeting(
        status=MeetingStatus.CANCELLED, cancel_reason="The facilitator is unwell.", capacity=10
    )
    db.session.commit()
    for c in (client, member_client):
        body = page(c.get(f"/meetings/{m.id}"))
        assert "This meeting has been cancelled" in body
        assert "The facilitator is unwell." in body
        assert "Registration is closed" in body
        assert ">Register<" not in body


# Creating, editing, publishing -----------------------------------------------------------------
def test_facilitator_creates_a_draft_meeting(facilitator_client, make, outbox):
    series = make.series(themes=("Holistic approach", "Using data"))
    theme_ids = [t.id for t in series.themes]
    db.session.commit()

    response = facilitator_client.post(
        f"/meetings/series/{series.id}/meetings/new",
        data=meeting_data(themes=[str(theme_ids[1])], new_theme="Sharing power", capacity="40"),
    )
    assert response.status_code == 302
    m = db.session.scalar(select(Meeting).where(Meeting.title == "Using data well"))
    assert m.status == MeetingStatus.DRAFT and m.capacity == 40
    assert m.description_html == "<p>Local data is <strong>patchy</strong>.</p>"
    assert m.starts_at == datetime(2026, 7, 2, 11, 0, tzinfo=UTC)  # 12:00 BST
    assert m.ends_at == datetime(2026, 7, 2, 12, 30, tzinfo=UTC)
    titles = [b.theme.title for b in m.boards]
    assert titles == ["Using data", "Sharing power"]
    assert db.session.scalar(select(Theme).where(Theme.title == "Sharing power")).series_id == (
        series.id
    )
    assert response.headers["Location"] == f"/meetings/{m.id}"
    # The weekday is echoed back, as the community writes it.
    assert "Thursday 2 July 2026, 12:00-13:30 BST" in page(
        facilitator_client.get(f"/meetings/{m.id}")
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.created"))


def test_create_form_page(facilitator_client, make):
    series = make.series(themes=("Holistic approach",))
    db.session.commit()
    body = page(facilitator_client.get(f"/meetings/series/{series.id}/meetings/new"))
    assert '<fieldset class="fieldset" role="group"' in body and "<legend" in body
    for name in ("start_day", "start_month", "start_year", "start_time", "end_time"):
        assert f'name="{name}"' in body
    assert 'type="checkbox"' in body and "Holistic approach" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "   "}, "Enter a title"),
        ({"title": "x" * 161}, "Title must be 160 characters or fewer"),
        ({"description": "x" * 10001}, "Description must be 10000 characters or fewer"),
        ({"start_day": "", "start_month": "", "start_year": ""}, "Enter the start date"),
        ({"start_day": ""}, "Start date must include a day"),
        ({"start_month": "", "start_year": ""}, "Start date must include a month and year"),
        ({"start_day": "31", "start_month": "6"}, "Start date must be a real date"),
        (
            {"start_day": "29", "start_month": "2", "start_year": "2027"},
            "Start date must be a real date",
        ),
        ({"start_day": "two"}, "Start date must be a real date"),
        ({"start_month": "13"}, "Start date must be a real date"),
        ({"start_month": "Smarch"}, "Start date must be a real date"),
        ({"start_year": "26"}, "Year must include 4 numbers"),
        ({"start_time": ""}, "Enter a start time"),
        ({"end_time": ""}, "Enter an end time"),
        ({"start_time": "25:00"}, "Start time must be a real time, like 09:30 or 14:00"),
        ({"end_time": "noon"}, "End time must be a real time, like 09:30 or 14:00"),
        ({"end_time": "11:00"}, "End time must be after the start time"),
        ({"end_time": "12:00"}, "End time must be after the start time"),
        ({"online_url": "meet.example.org/x"}, "Enter a link that starts with http:// or https://"),
        (
            {"online_url": "javascript:alert(1)"},
            "Enter a link that starts with http:// or https://",
        ),
        ({"online_url": "https://" + "x" * 500}, "Online link must be 500 characters or fewer"),
        ({"online_url": "", "venue": ""}, "Enter an online link or a venue"),
        ({"venue": "x" * 201}, "Venue must be 200 characters or fewer"),
        ({"capacity": "-1"}, "Capacity must be a whole number, 0 or more"),
        ({"capacity": "2.5"}, "Capacity must be a whole number, 0 or more"),
        ({"capacity": "lots"}, "Capacity must be a whole number, 0 or more"),
        ({"capacity": "1000000"}, "Capacity must be 100000 or fewer"),
        ({"new_theme": "x" * 161}, "Theme title must be 160 characters or fewer"),
        ({"themes": ["999999"]}, "Select themes from the list"),
    ],
)
def test_create_validation_errors(facilitator_client, make, overrides, message):
    series = make.series()
    db.session.commit()
    response = facilitator_client.post(
        f"/meetings/series/{series.id}/meetings/new", data=meeting_data(**overrides)
    )
    assert response.status_code == 422
    body = page(response)
    assert message in body
    assert "<title>Error: " in body and "There is a problem" in body
    assert 'class="error-message"' in body
    assert db.session.scalar(select(Meeting.id)) is None
    # What was typed is kept.
    kept = overrides.get("title", "Using data well").strip()
    if kept and len(kept) < 50:
        assert f'value="{kept}"' in body


@pytest.mark.parametrize("month", ["jul", "July", "JULY", "07", "7"])
def test_month_names_and_numbers_are_accepted(facilitator_client, make, month):
    series = make.series()
    db.session.commit()
    response = facilitator_client.post(
        f"/meetings/series/{series.id}/meetings/new", data=meeting_data(start_month=month)
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Meeting.starts_at)) == datetime(2026, 7, 2, 11, 0, tzinfo=UTC)


def test_winter_meeting_is_gmt(facilitator_client, make):
    series = make.series()
    db.session.commit()
    facilitator_client.post(
        f"/meetings/series/{series.id}/meetings/new",
        data=meeting_data(start_day="10", start_month="December", start_year="2026"),
    )
    m = db.session.scalar(select(Meeting))
    assert m.starts_at == datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    assert "Thursday 10 December 2026, 12:00-13:30 GMT" in page(
        facilitator_client.get(f"/meetings/{m.id}")
    )


def test_summer_meeting_is_stored_an_hour_earlier_in_utc_and_shown_as_bst(facilitator_client, make):
    series = make.series()
    db.session.commit()
    facilitator_client.post(f"/meetings/series/{series.id}/meetings/new", data=meeting_data())
    m = db.session.scalar(select(Meeting))
    assert (m.starts_at.hour, m.starts_at.tzinfo) == (11, UTC)
    assert "12:00-13:30 BST" in page(facilitator_client.get(f"/meetings/{m.id}"))


@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_time_in_the_skipped_spring_forward_hour_is_refused(facilitator_client, make, field):
    series = make.series()
    db.session.commit()
    times = {"start_time": "00:30", "end_time": "03:00", field: "01:30"}
    response = facilitator_client.post(
        f"/meetings/series/{series.id}/meetings/new",
        data=meeting_data(start_day="29", start_month="3", start_year="2026", **times),
    )
    assert response.status_code == 422
    assert "There is no 01:30 on Sunday 29 March 2026 in the UK" in page(response)
    assert db.session.scalar(select(Meeting.id)) is None


def test_edit_form_shows_local_values(facilitator_client, make):
    m = make.meeting(title="Root causes", capacity=12)
    m.starts_at = datetime(2026, 7, 2, 11, 0, tzinfo=UTC)
    m.ends_at = datetime(2026, 7, 2, 12, 30, tzinfo=UTC)
    db.session.commit()
    body = page(facilitator_client.get(f"/meetings/{m.id}/edit"))
    for value in ('value="Root causes"', 'value="2"', 'value="7"', 'value="2026"',
                  'value="12:00"', 'value="13:30"', 'value="12"'):  # fmt: skip
        assert value in body
    assert "checked" in body  # the meeting's theme is ticked


def test_edit_saves_changes_and_bumps_sequence(facilitator_client, make):
    series = make.series(themes=("Holistic approach", "Using data"))
    m = make.meeting(series_=series)
    before = m.sequence
    second = series.themes[1].id
    db.session.commit()
    response = facilitator_client.post(
        f"/meetings/{m.id}/edit",
        data=meeting_data(title="Renamed", venue="Town hall", online_url="", themes=[str(second)]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    m = db.session.get(Meeting, m.id)
    assert m.title == "Renamed" and m.venue == "Town hall"
    assert m.sequence == before + 1
    assert [b.theme_id for b in m.boards] == [second]


def test_edit_refuses_to_drop_a_theme_whose_board_has_posts(facilitator_client, make):
    m = make.meeting()
    board = m.boards[0]
    board.post_count = 2
    db.session.commit()
    response = facilitator_client.post(f"/meetings/{m.id}/edit", data=meeting_data(title="X"))
    assert response.status_code == 422
    assert "its board already has posts" in page(response)
    db.session.expire_all()
    assert db.session.get(Board, board.id) is not None
    assert db.session.get(Meeting, m.id).title != "X"


def test_bigger_capacity_promotes_the_waiting_list(facilitator_client, make, outbox):
    m = make.meeting(capacity=1)
    make.registration(m)
    waiting = make.user(password=None, email="waiting@example.org")
    make.registration(m, waiting, status="waitlisted")
    db.session.commit()
    facilitator_client.post(f"/meetings/{m.id}/edit", data=meeting_data(capacity="2"))
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).registered_count == 2
    # The edit also changes the meeting's times, so registrants are told of the change too.
    promoted = [msg["To"] for msg in outbox() if msg["Subject"].startswith("You have a place")]
    assert promoted == ["waiting@example.org"]


def test_cancelled_meeting_cannot_be_edited(facilitator_client, make):
    m = make.meeting(status=MeetingStatus.CANCELLED)
    db.session.commit()
    assert facilitator_client.get(f"/meetings/{m.id}/edit").status_code == 302
    facilitator_client.post(f"/meetings/{m.id}/edit", data=meeting_data(title="Sneaky"))
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).title != "Sneaky"


def test_publish_makes_a_draft_public(client, facilitator_client, make):
    m = make.meeting(status=MeetingStatus.DRAFT)
    db.session.commit()
    response = facilitator_client.post(f"/meetings/{m.id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).status == MeetingStatus.PUBLISHED
    assert client.get(f"/meetings/{m.id}").status_code == 200
    # Publishing twice changes nothing.
    sequence = db.session.get(Meeting, m.id).sequence
    facilitator_client.post(f"/meetings/{m.id}/publish")
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).sequence == sequence


# Cancelling ------------------------------------------------------------------------------------
def test_cancel_asks_for_a_reason(facilitator_client, make):
    m = make.meeting()
    db.session.commit()
    assert "Why is the meeting cancelled?" in page(
        facilitator_client.get(f"/meetings/{m.id}/cancel")
    )
    for reason, message in (("", "Enter a reason for cancelling the meeting"),
                            ("x" * 301, "Reason must be 300 characters or fewer")):  # fmt: skip
        response = facilitator_client.post(f"/meetings/{m.id}/cancel", data={"reason": reason})
        assert response.status_code == 422
        assert message in page(response)
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).is_published


def test_cancel_closes_registration_and_emails_registrants(facilitator_client, make, outbox):
    m = make.meeting(capacity=1, title="Sharing power")
    make.registration(m, make.user(password=None, email="placed@example.org"))
    make.registration(m, make.user(password=None, email="waiting@example.org"), status="waitlisted")
    make.user(password=None, email="bystander@example.org")
    before = m.sequence
    db.session.commit()

    response = facilitator_client.post(
        f"/meetings/{m.id}/cancel", data={"reason": "The venue flooded."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    m = db.session.get(Meeting, m.id)
    assert m.is_cancelled and m.cancel_reason == "The venue flooded." and m.sequence == before + 1
    sent = outbox()
    assert sorted(msg["To"] for msg in sent) == ["placed@example.org", "waiting@example.org"]
    assert all(msg["Subject"] == "Cancelled: Sharing power" for msg in sent)
    assert "The venue flooded." in sent[0].get_body().get_content()
    body = page(facilitator_client.get(f"/meetings/{m.id}"))
    assert "This meeting has been cancelled" in body and "The venue flooded." in body


def test_only_published_meetings_can_be_cancelled(facilitator_client, make):
    m = make.meeting(status=MeetingStatus.DRAFT)
    db.session.commit()
    response = facilitator_client.post(f"/meetings/{m.id}/cancel", data={"reason": "No"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).is_draft


# Series and themes -----------------------------------------------------------------------------
def test_facilitator_creates_a_series_and_its_themes(client, facilitator_client, make):
    assert facilitator_client.get("/meetings/series/new").status_code == 200
    response = facilitator_client.post(
        "/meetings/series/new", data={"title": "Levelling Up", "description": "Our *places*."}
    )
    assert response.status_code == 302
    series_url = response.headers["Location"]
    response = facilitator_client.post(
        series_url + "/themes", data={"title": "Using data well", "description": "Numbers."}
    )
    assert response.status_code == 302
    facilitator_client.post(series_url + "/themes", data={"title": "using data WELL"})
    body = page(client.get(series_url))
    assert "<em>places</em>" in body
    assert body.count("Using data well") == 1  # the same title in another case is not added
    theme = db.session.scalar(select(Theme))
    assert f'href="/boards/themes/{theme.id}"' in body
    # Slugs stay unique.
    facilitator_client.post("/meetings/series/new", data={"title": "Levelling Up"})
    assert len({s for s in db.session.scalars(select(Theme.slug))}) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"title": "x" * 121}, "Title must be 120 characters or fewer"),
    ],
)
def test_series_validation(facilitator_client, data, message):
    response = facilitator_client.post("/meetings/series/new", data=data)
    assert response.status_code == 422 and message in page(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": " "}, "Enter a theme title"),
        ({"title": "x" * 161}, "Theme title must be 160 characters or fewer"),
        (
            {"title": "Fine", "description": "x" * 2001},
            "Description must be 2000 characters or fewer",
        ),
    ],
)
def test_theme_validation(facilitator_client, make, data, message):
    series = make.series(themes=())
    db.session.commit()
    response = facilitator_client.post(f"/meetings/series/{series.id}/themes", data=data)
    assert response.status_code == 422
    assert message in page(response) and "<title>Error: " in page(response)
    assert db.session.scalar(select(Theme.id)) is None


def test_series_page_lists_meetings_but_not_drafts_for_visitors(client, make):
    series = make.series(title="Levelling Up")
    make.meeting(series_=series, title="Open meeting")
    make.meeting(series_=series, title="Secret plan", status=MeetingStatus.DRAFT)
    db.session.commit()
    body = page(client.get(f"/meetings/series/{series.id}"))
    assert "Open meeting" in body and "Secret plan" not in body
    assert "Add a theme" not in body


# Permissions -----------------------------------------------------------------------------------
FACILITATOR_ROUTES = [
    ("get", "/meetings/{id}/edit"),
    ("post", "/meetings/{id}/edit"),
    ("post", "/meetings/{id}/publish"),
    ("get", "/meetings/{id}/cancel"),
    ("post", "/meetings/{id}/cancel"),
    ("get", "/meetings/{id}/registrants"),
    ("get", "/meetings/{id}/registrants.csv"),
    ("get", "/meetings/series/{series}/meetings/new"),
    ("post", "/meetings/series/{series}/meetings/new"),
    ("get", "/meetings/series/new"),
    ("post", "/meetings/series/new"),
    ("post", "/meetings/series/{series}/themes"),
]
MEMBER_ROUTES = [
    ("post", "/meetings/{id}/register"),
    ("post", "/meetings/{id}/unregister"),
    ("post", "/meetings/feed/reset"),
]


def _urls(make, routes):
    m = make.meeting(status=MeetingStatus.DRAFT)
    db.session.commit()
    return [(method, url.format(id=m.id, series=m.series_id)) for method, url in routes], m


@pytest.mark.parametrize("route", range(len(FACILITATOR_ROUTES + MEMBER_ROUTES)))
def test_visitors_are_sent_to_log_in(client, make, route):
    routes, m = _urls(make, FACILITATOR_ROUTES + MEMBER_ROUTES)
    method, url = routes[route]
    response = getattr(client, method)(url, data={"title": "x", "reason": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    before = (m.status, m.title, m.registered_count)
    db.session.expire_all()
    m = db.session.get(Meeting, m.id)
    assert (m.status, m.title, m.registered_count) == before


def test_visitors_get_hx_redirect_from_htmx(client, make):
    m = make.meeting()
    db.session.commit()
    response = client.post(f"/meetings/{m.id}/register", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")
    assert db.session.scalar(select(Registration.id)) is None


@pytest.mark.parametrize("route", range(len(FACILITATOR_ROUTES)))
@pytest.mark.parametrize("who", ["member_client", "moderator_client"])
def test_members_get_403_on_facilitator_routes(request, make, route, who):
    routes, m = _urls(make, FACILITATOR_ROUTES)
    method, url = routes[route]
    response = getattr(request.getfixturevalue(who), method)(
        url, data={"title": "x", "reason": "x"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, m.id).is_draft


@pytest.mark.parametrize("route", range(len(FACILITATOR_ROUTES)))
def test_admins_reach_facilitator_routes(admin_client, make, route):
    routes, _ = _urls(make, FACILITATOR_ROUTES)
    method, url = routes[route]
    response = getattr(admin_client, method)(url, data={})
    assert response.status_code in (200, 302, 422)


def test_nav_links_to_meetings_and_home_links_each_meeting(client, make):
    m = make.meeting(title="Using data well")
    db.session.commit()
    body = page(client.get("/"))
    assert 'href="/meetings/"' in body
    assert f'href="/meetings/{m.id}"' in body
    assert 'aria-current="page">Meetings' in page(client.get("/meetings/"))
