"""Registering, the waiting list, promotion, closed meetings, the registrants list and CSV."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Meeting, MeetingStatus, Registration
from app.timeutil import utcnow
from tests.conftest import log_in

HX = {"HX-Request": "true"}


def page(response) -> str:
    return response.get_data(as_text=True)


def counts(meeting_id):
    db.session.expire_all()
    m = db.session.get(Meeting, meeting_id)
    rows = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.meeting_id == meeting_id)
            .group_by(Registration.status)
        ).all()
    )
    return m.registered_count, m.waitlist_count, rows


# Registering -----------------------------------------------------------------------------------
def test_register_without_js_redirects_back_with_a_flash(member_client, make):
    m = make.meeting(capacity=10, online_url="https://meet.example.org/room")
    db.session.commit()
    response = member_client.post(f"/meetings/{m.id}/register")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{m.id}#registration-{m.id}"
    assert counts(m.id) == (1, 0, {"registered": 1})
    body = page(member_client.get(f"/meetings/{m.id}"))
    assert "You are registered for" in body
    assert "Cancel my registration" in body
    assert "https://meet.example.org/room" in body


def test_register_with_htmx_swaps_the_panel_and_announces(member_client, make):
    m = make.meeting(capacity=10, online_url="https://meet.example.org/room")
    db.session.commit()
    response = member_client.post(f"/meetings/{m.id}/register", headers=HX)
    assert response.status_code == 200
    body = page(response)
    assert "<html" not in body
    assert body.lstrip().startswith(f'<section class="registration" id="registration-{m.id}"')
    assert 'hx-swap-oob="innerHTML:#sr-status"' in body and "You are registered for" in body
    assert f'id="registration-{m.id}-button"' in body  # same id: htmx keeps focus on it
    assert "Cancel my registration" in body
    assert "https://meet.example.org/room" in body  # the link appears in place
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]


def test_registering_twice_changes_nothing(member_client, make):
    m = make.meeting(capacity=10)
    db.session.commit()
    member_client.post(f"/meetings/{m.id}/register")
    member_client.post(f"/meetings/{m.id}/register")
    assert counts(m.id) == (1, 0, {"registered": 1})


def test_full_meeting_puts_members_on_the_waiting_list(app, make):
    m = make.meeting(capacity=1)
    people = [make.user(password=None) for _ in range(3)]
    ids = [p.get_id() for p in people]
    db.session.commit()
    log_in(app.test_client(), ids[0]).post(f"/meetings/{m.id}/register")
    second = log_in(app.test_client(), ids[1])
    assert "Join the waiting list" in page(second.get(f"/meetings/{m.id}"))
    response = second.post(f"/meetings/{m.id}/register", headers=HX)
    assert "You are number 1 on the waiting list" in page(response)
    response = log_in(app.test_client(), ids[2]).post(f"/meetings/{m.id}/register", headers=HX)
    assert "You are number 2 on the waiting list" in page(response)
    assert "Leave the waiting list" in page(response)
    assert counts(m.id) == (1, 2, {"registered": 1, "waitlisted": 2})


def test_capacity_zero_means_everyone_waits(member_client, make):
    m = make.meeting(capacity=0)
    db.session.commit()
    member_client.post(f"/meetings/{m.id}/register")
    assert counts(m.id) == (0, 1, {"waitlisted": 1})


def test_no_capacity_means_no_limit(app, make):
    m = make.meeting(capacity=None)
    ids = [make.user(password=None).get_id() for _ in range(4)]
    db.session.commit()
    for identity in ids:
        log_in(app.test_client(), identity).post(f"/meetings/{m.id}/register")
    assert counts(m.id) == (4, 0, {"registered": 4})


# Cancelling and promotion ----------------------------------------------------------------------
def test_cancelling_frees_the_place_for_the_first_person_waiting(app, make, outbox):
    m = make.meeting(capacity=1, title="Using data well")
    placed = make.user(password=None)
    make.registration(m, placed)
    now = utcnow()
    # Second in the queue by time, though inserted first.
    later = make.user(password=None, email="later@example.org")
    make.registration(m, later, status="waitlisted", created_at=now)
    first = make.user(password=None, email="first@example.org")
    make.registration(m, first, status="waitlisted", created_at=now - timedelta(minutes=5))
    placed_id, first_id = placed.get_id(), first.id
    db.session.commit()

    client = log_in(app.test_client(), placed_id)
    response = client.post(f"/meetings/{m.id}/unregister", headers=HX)
    assert response.status_code == 200
    assert "Your registration is cancelled." in page(response)
    assert "Register" in page(response) or "Join the waiting list" in page(response)
    assert counts(m.id) == (1, 1, {"registered": 1, "waitlisted": 1})
    promoted = db.session.scalar(select(Registration).where(Registration.user_id == first_id))
    assert promoted.is_registered and promoted.promoted_at is not None
    sent = outbox()
    assert [msg["To"] for msg in sent] == ["first@example.org"]
    assert sent[0]["Subject"] == "You have a place: Using data well"


def test_leaving_the_waiting_list(member_client, make):
    m = make.meeting(capacity=0)
    db.session.commit()
    member_client.post(f"/meetings/{m.id}/register")
    response = member_client.post(f"/meetings/{m.id}/unregister")
    assert response.status_code == 302
    assert counts(m.id) == (0, 0, {})
    assert "You have left the waiting list." in page(member_client.get(f"/meetings/{m.id}"))


def test_unregister_when_not_registered_is_harmless(member_client, make):
    m = make.meeting(capacity=3)
    make.registration(m)
    db.session.commit()
    response = member_client.post(f"/meetings/{m.id}/unregister", headers=HX)
    assert response.status_code == 200
    assert "You were not registered" in page(response)
    assert counts(m.id) == (1, 0, {"registered": 1})


def test_registering_again_joins_the_back_of_the_queue(app, make):
    m = make.meeting(capacity=0)
    a, b = make.user(password=None), make.user(password=None)
    ids = a.get_id(), b.get_id()
    db.session.commit()
    first, second = (log_in(app.test_client(), i) for i in ids)
    first.post(f"/meetings/{m.id}/register")
    second.post(f"/meetings/{m.id}/register")
    first.post(f"/meetings/{m.id}/unregister")
    response = first.post(f"/meetings/{m.id}/register", headers=HX)
    assert "You are number 2 on the waiting list" in page(response)


# Closed meetings -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": MeetingStatus.CANCELLED}, "this meeting has been cancelled"),
        ({"starts_in": -timedelta(days=2)}, "this meeting has ended"),
    ],
)
def test_closed_meeting_refuses_registration_with_409(member_client, make, fields, message):
    m = make.meeting(capacity=10, **fields)
    db.session.commit()
    response = member_client.post(f"/meetings/{m.id}/register")
    assert response.status_code == 409
    assert message in page(response) and "<html" in page(response)
    fragment = member_client.post(f"/meetings/{m.id}/register", headers=HX)
    assert fragment.status_code == 409
    assert "<html" not in page(fragment) and message in page(fragment)
    assert f'id="registration-{m.id}"' in page(fragment)
    assert fragment.headers["HX-Retarget"] == f"#registration-{m.id}"
    assert fragment.headers["HX-Reswap"] == "outerHTML"
    assert counts(m.id) == (0, 0, {})


def test_cancelled_meeting_keeps_its_registrations(app, make):
    m = make.meeting(capacity=10)
    person = make.user(password=None)
    make.registration(m, person)
    m.status = MeetingStatus.CANCELLED
    identity = person.get_id()
    db.session.commit()
    response = log_in(app.test_client(), identity).post(f"/meetings/{m.id}/unregister")
    assert response.status_code == 409
    assert counts(m.id) == (1, 0, {"registered": 1})


def test_draft_meeting_registration(member_client, facilitator_client, make):
    m = make.meeting(status=MeetingStatus.DRAFT, capacity=5)
    db.session.commit()
    assert member_client.post(f"/meetings/{m.id}/register").status_code == 404
    response = facilitator_client.post(f"/meetings/{m.id}/register")
    assert response.status_code == 409
    assert "Registration opens when the meeting is published" in page(response)
    assert counts(m.id) == (0, 0, {})


def test_visitor_sees_a_log_in_link_not_a_button(client, make):
    m = make.meeting(capacity=5)
    db.session.commit()
    body = page(client.get(f"/meetings/{m.id}"))
    assert "Log in to register" in body and 'action="/meetings/' not in body


def test_register_checks_csrf(app, member_client, make):
    m = make.meeting(capacity=4)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    assert member_client.post(f"/meetings/{m.id}/register").status_code == 400
    assert member_client.post(f"/meetings/{m.id}/unregister").status_code == 400
    assert counts(m.id) == (0, 0, {})


# Simultaneous requests -------------------------------------------------------------------------
def _hammer(app, identities, url, rounds=1):
    """Post url from one client per identity, all released at once; returns the status codes."""
    barrier = threading.Barrier(len(identities))
    results, errors = [], []

    def worker(identity):
        client = log_in(app.test_client(), identity)
        try:
            barrier.wait(timeout=30)
            for _ in range(rounds):
                results.append(client.post(url).status_code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in identities]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_capacity_holds_under_simultaneous_registrations(app, make):
    m = make.meeting(capacity=5)
    identities = [make.user(password=None).get_id() for _ in range(20)]
    meeting_id = m.id
    db.session.commit()
    db.session.close()

    results = _hammer(app, identities, f"/meetings/{meeting_id}/register")
    assert results == [302] * 20
    assert counts(meeting_id) == (5, 15, {"registered": 5, "waitlisted": 15})
    # The waiting list is a strict queue: positions 1..15, no ties.
    waiting = db.session.scalars(
        select(Registration)
        .where(Registration.meeting_id == meeting_id, Registration.status == "waitlisted")
        .order_by(Registration.created_at, Registration.id)
    ).all()
    assert len({r.user_id for r in waiting}) == 15


def test_double_clicks_from_one_member_make_one_registration(app, make):
    m = make.meeting(capacity=5)
    identity = make.user(password=None).get_id()
    meeting_id = m.id
    db.session.commit()
    db.session.close()

    results = _hammer(app, [identity] * 8, f"/meetings/{meeting_id}/register")
    assert set(results) == {302}
    assert counts(meeting_id) == (1, 0, {"registered": 1})


def test_places_stay_exact_when_cancelling_and_registering_at_once(app, make):
    m = make.meeting(capacity=3)
    leavers = [make.user(password=None) for _ in range(3)]
    for person in leavers:
        make.registration(m, person)
    leaving = [p.get_id() for p in leavers]
    joining = [make.user(password=None).get_id() for _ in range(10)]
    meeting_id = m.id
    db.session.commit()
    db.session.close()

    barrier = threading.Barrier(len(leaving) + len(joining))
    errors = []

    def worker(identity, path):
        client = log_in(app.test_client(), identity)
        try:
            barrier.wait(timeout=30)
            assert client.post(f"/meetings/{meeting_id}/{path}").status_code == 302
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i, "unregister")) for i in leaving]
    threads += [threading.Thread(target=worker, args=(i, "register")) for i in joining]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    registered, waiting, rows = counts(meeting_id)
    assert registered == rows.get("registered", 0) == 3
    assert waiting == rows.get("waitlisted", 0) == 7


# Registrants list and CSV ----------------------------------------------------------------------
def test_registrants_page_lists_places_then_the_queue(facilitator_client, make):
    m = make.meeting(capacity=1)
    make.registration(
        m, make.user(password=None, name="Amara Okafor", organisation="Northtown Trust")
    )
    make.registration(m, make.user(password=None, name="Rhys Evans"), status="waitlisted")
    db.session.commit()
    body = page(facilitator_client.get(f"/meetings/{m.id}/registrants"))
    assert "<caption>" in body and 'scope="col"' in body
    assert body.index("Amara Okafor") < body.index("Rhys Evans")
    assert "Northtown Trust" in body
    assert "Waiting list, number 1" in body
    assert "1 registered of 1 places, 1 on the waiting list" in body


def test_registrants_page_paginates(facilitator_client, make):
    m = make.meeting(capacity=30)
    for n in range(30):
        make.registration(m, make.user(password=None, name=f"Registrant {n:02d}"))
    for n in range(3):
        make.registration(m, make.user(password=None, name=f"Waiting {n}"), status="waitlisted")
    db.session.commit()
    first = page(facilitator_client.get(f"/meetings/{m.id}/registrants"))
    assert "Registrant 00" in first and "Registrant 25" not in first
    second = page(facilitator_client.get(f"/meetings/{m.id}/registrants?page=2"))
    assert "Registrant 25" in second and "Waiting 0" in second
    assert "Waiting list, number 3" in second
    assert "(page 2 of 2)" in second


def _meeting_with_registrants(make, n):
    m = make.meeting(capacity=n)
    for _ in range(n):
        make.registration(m)
    make.registration(m, status="waitlisted")
    db.session.commit()
    return m.id


def test_registrants_page_runs_the_same_number_of_queries(facilitator_client, make, count_queries):
    few, many = _meeting_with_registrants(make, 2), _meeting_with_registrants(make, 40)
    facilitator_client.get(f"/meetings/{few}/registrants")
    db.session.close()
    with count_queries() as small:
        assert facilitator_client.get(f"/meetings/{few}/registrants").status_code == 200
    db.session.close()
    with count_queries() as large:
        assert facilitator_client.get(f"/meetings/{many}/registrants").status_code == 200
    assert small.count == large.count, large.statements


def test_registrants_csv(facilitator_client, make):
    m = make.meeting(capacity=1)
    amara = make.user(
        password=None,
        name="Amara Okafor",
        email="amara@example.org",
        organisation="Northtown Trust",
        place="Northtown",
    )
    make.registration(m, amara)
    evil = make.user(
        password=None, name='=HYPERLINK("http://evil")', organisation="+44 1234", place="@home"
    )
    make.registration(m, evil, status="waitlisted")
    tabbed = make.user(password=None, name="-2+3", organisation="\tTabbed")
    make.registration(m, tabbed, status="waitlisted")
    db.session.commit()
    response = facilitator_client.get(f"/meetings/{m.id}/registrants.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "organisation", "place", "status", "registered at"]
    assert rows[1][:5] == ["Amara Okafor", "amara@example.org", "Northtown Trust", "Northtown",
                           "registered"]  # fmt: skip
    assert rows[1][5].endswith(("GMT", "BST"))
    assert rows[2][0] == '\'=HYPERLINK("http://evil")'
    assert rows[2][2] == "'+44 1234" and rows[2][3] == "'@home" and rows[2][4] == "waiting list"
    assert rows[3][0] == "'-2+3" and rows[3][2] == "'\tTabbed"
    assert len(rows) == 4
