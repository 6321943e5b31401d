"""The review queue: who may see it, the pending and decided lists, and one application."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Application, ApplicationStatus, Role
from app.timeutil import utcnow


def _pending(make, n: int, start=None) -> list[Application]:
    start = start or utcnow() - timedelta(days=n)
    apps = [make.application(created_at=start + timedelta(hours=i)) for i in range(n)]
    db.session.commit()
    return apps


# Permissions -------------------------------------------------------------------------------


def _queue_requests(application_id: int):
    return [
        ("get", "/community/applications", None),
        ("get", f"/community/applications/{application_id}", None),
        ("post", f"/community/applications/{application_id}/approve", {}),
        ("post", f"/community/applications/{application_id}/decline", {"decline_note": "No."}),
    ]


def test_visitors_are_sent_to_log_in(client, make):
    application = make.application()
    db.session.commit()
    for method, url, data in _queue_requests(application.id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]
    assert db.session.get(Application, application.id).is_pending


@pytest.mark.parametrize("who", ["member_client", "moderator_client"])
def test_members_and_moderators_are_refused(request, make, who):
    client = request.getfixturevalue(who)
    application = make.application()
    db.session.commit()
    for method, url, data in _queue_requests(application.id):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Application, application.id).is_pending


@pytest.mark.parametrize("who", ["facilitator_client", "admin_client"])
def test_facilitators_and_admins_see_the_queue(request, make, who):
    client = request.getfixturevalue(who)
    application = make.application(name="Helen Ward")
    db.session.commit()
    assert "Helen Ward" in client.get("/community/applications").get_data(as_text=True)
    assert client.get(f"/community/applications/{application.id}").status_code == 200


def test_unknown_application_is_404(facilitator_client, ctx):
    assert facilitator_client.get("/community/applications/999").status_code == 404
    assert facilitator_client.post("/community/applications/999/approve").status_code == 404
    response = facilitator_client.post(
        "/community/applications/999/decline", data={"decline_note": "No."}
    )
    assert response.status_code == 404


# The queue ---------------------------------------------------------------------------------


def test_queue_lists_pending_oldest_first_with_a_count(facilitator_client, make):
    now = utcnow()
    make.application(name="Newest", created_at=now - timedelta(hours=1))
    make.application(name="Oldest", created_at=now - timedelta(days=3))
    make.application(name="Middle", created_at=now - timedelta(days=1))
    make.application(name="Already in", status=ApplicationStatus.APPROVED, decided_at=now)
    db.session.commit()
    page = facilitator_client.get("/community/applications").get_data(as_text=True)
    assert page.index("Oldest") < page.index("Middle") < page.index("Newest")
    assert "Already in" not in page
    assert "Waiting for a decision (3)" in page
    assert re.search(r'href="/community/applications"\s+aria-current="page"', page)


def test_decided_tab_lists_decisions_newest_first(facilitator_client, make):
    reviewer = make.user(name="Tom Reviewer", roles=Role.FACILITATOR)
    now = utcnow()
    make.application(
        name="Earlier decision",
        status=ApplicationStatus.DECLINED,
        decided_at=now - timedelta(days=2),
        decided_by_id=reviewer.id,
    )
    make.application(
        name="Later decision",
        status=ApplicationStatus.APPROVED,
        decided_at=now - timedelta(days=1),
        decided_by_id=reviewer.id,
    )
    make.application(name="Still waiting")
    db.session.commit()
    page = facilitator_client.get("/community/applications?show=decided").get_data(as_text=True)
    assert "Still waiting" not in page
    assert page.index("Later decision") < page.index("Earlier decision")
    assert "by Tom Reviewer" in page
    assert "<title>Applications to join: decided" in page


def test_queue_is_paginated_25_a_page(facilitator_client, make):
    apps = _pending(make, 30)
    first = facilitator_client.get("/community/applications").get_data(as_text=True)
    assert first.count('class="card application-row"') == 25
    assert 'aria-label="Pagination"' in first
    second = facilitator_client.get("/community/applications?page=2").get_data(as_text=True)
    assert second.count('class="card application-row"') == 5
    assert f'id="application-{apps[-1].id}"' in second
    assert "(page 2 of 2)" in second


@pytest.mark.parametrize("show", ["", "?show=decided"])
def test_queue_query_count_does_not_grow_with_rows(facilitator_client, make, count_queries, show):
    status = ApplicationStatus.APPROVED if show else ApplicationStatus.PENDING

    def add(n):
        for _ in range(n):
            reviewer = make.user(roles=Role.FACILITATOR, password=None)
            make.application(status=status, decided_by_id=reviewer.id, decided_at=utcnow())
        db.session.commit()

    add(3)
    with count_queries() as few:
        assert facilitator_client.get(f"/community/applications{show}").status_code == 200
    add(27)
    with count_queries() as many:
        page = facilitator_client.get(f"/community/applications{show}").get_data(as_text=True)
    assert page.count('class="card application-row"') == 25
    assert few.count == many.count, many.statements


def test_application_page_shows_everything_and_the_criteria(facilitator_client, make):
    make.site_text("joining_criteria", body="Work for **a place**.")
    application = make.application(
        name="Kofi Asante",
        email="kofi@example.net",
        organisation="Brightside Residents' Association",
        place="Brightside, Sheffield",
        job_role="Volunteer chair",
        criteria_statement="Our association has run a neighbourhood plan.\nSix years now.",
    )
    db.session.commit()
    page = facilitator_client.get(f"/community/applications/{application.id}").get_data(
        as_text=True
    )
    for text in (
        "Kofi Asante",
        "kofi@example.net",
        "Brightside Residents&#39; Association",
        "Brightside, Sheffield",
        "Volunteer chair",
        "Our association has run a neighbourhood plan.\nSix years now.",
        "<strong>a place</strong>",
    ):
        assert text in page
    assert f'action="/community/applications/{application.id}/approve"' in page
    assert f'action="/community/applications/{application.id}/decline"' in page
    assert f'id="decision-{application.id}"' in page
