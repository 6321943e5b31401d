"""Approving and declining applications: exactly once, with the account, emails and audit."""

import re

import pytest
from sqlalchemy import func, select

from app.community import services
from app.extensions import db
from app.models import Application, ApplicationStatus, AuditEvent, Role, User
from app.timeutil import utcnow
from app.tokens import user_from_password_token
from tests.conftest import email_body

HTMX = {"HX-Request": "true"}


def _users_with_email(email: str) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# Approving ---------------------------------------------------------------------------------


def test_approve_creates_member_links_it_emails_and_audits(app, facilitator_client, make, outbox):
    application = make.application(
        name="Helen Ward", email="helen@example.net", organisation="Eastport", place="Eastport"
    )
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve",
        data={"approve_note": "Welcome aboard."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/community/applications/{application.id}")

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "helen@example.net"))
    assert user.display_name == "Helen Ward"
    assert user.organisation == "Eastport" and user.place == "Eastport"
    assert Role(user.roles) == Role.MEMBER
    assert user.password_hash is None
    application = db.session.get(Application, application.id)
    assert application.status == ApplicationStatus.APPROVED
    assert application.user_id == user.id
    assert application.decided_by.display_name == "Priya Shah"
    assert application.decided_at is not None
    assert application.decision_note == "Welcome aboard."

    [message] = outbox()
    assert message["To"] == "helen@example.net"
    body = email_body(message)
    token = re.search(r"http://localhost/auth/welcome/(\S+)", body).group(1)
    assert user_from_password_token(token, "welcome", app.config["WELCOME_LINK_MAX_AGE"]) == user
    assert "Welcome aboard." in body

    [event] = _events("application.approved")
    assert event.subject_type == "application" and event.subject_id == application.id
    assert event.subject_user_id == user.id
    assert event.actor_id == application.decided_by_id
    assert event.reason == "Welcome aboard."

    page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Success" in page and "Helen Ward&#39;s application approved" in page
    # The link in the email opens the auth area's "choose a password" page.
    welcome = facilitator_client.get(f"/auth/welcome/{token}").get_data(as_text=True)
    assert "Choose a password" in welcome


def test_approve_from_the_queue_returns_to_the_queue(facilitator_client, make):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve",
        data={"next": "/community/applications?page=1"},
    )
    assert response.headers["Location"] == "/community/applications?page=1"


def test_approve_ignores_an_offsite_next(facilitator_client, make):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve", data={"next": "https://evil.example"}
    )
    assert response.headers["Location"].endswith(f"/community/applications/{application.id}")


def test_approve_links_an_account_created_meanwhile(facilitator_client, make, outbox):
    existing = make.user(email="helen@example.net", roles=Role(0), name="Helen W")
    application = make.application(email="helen@example.net")
    db.session.commit()
    facilitator_client.post(f"/community/applications/{application.id}/approve")
    db.session.expire_all()
    assert _users_with_email("helen@example.net") == 1
    user = db.session.get(User, existing.id)
    assert user.holds(Role.MEMBER)
    assert user.display_name == "Helen W"  # their own account is not overwritten
    assert db.session.get(Application, application.id).user_id == existing.id
    [granted] = _events("role.granted")
    assert granted.subject_user_id == existing.id and granted.detail == "Member"
    assert _events("application.approved")[0].subject_user_id == existing.id
    # They have a password already: the email sends them to log in, not to a welcome link.
    body = email_body(outbox()[0])
    assert "http://localhost/auth/login" in body and "/auth/welcome/" not in body


def test_approve_refuses_when_an_account_appears_mid_approval(
    facilitator_client, make, outbox, monkeypatch
):
    """The lookup missed an account created a moment later: the unique email refuses a twin."""
    make.user(email="helen@example.net")
    application = make.application(email="helen@example.net")
    db.session.commit()
    monkeypatch.setattr(services, "member_for_email", lambda email: None)
    response = facilitator_client.post(f"/community/applications/{application.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).is_pending
    assert _users_with_email("helen@example.net") == 1
    assert _events("application.approved") == []
    assert outbox() == []
    page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created at the same moment" in page


def test_approve_note_too_long_is_422(facilitator_client, make, outbox):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve", data={"approve_note": "n" * 2001}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Note must be 2000 characters or fewer") == 2
    assert "<title>Error: " in page
    db.session.expire_all()
    assert db.session.get(Application, application.id).is_pending
    assert outbox() == []


def test_approve_keeps_the_decision_when_email_fails(facilitator_client, make, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_email", broken)
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(f"/community/applications/{application.id}/approve")
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.APPROVED
    page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be sent" in page


def test_approve_from_the_queue_with_htmx_swaps_the_row(facilitator_client, make, outbox):
    application = make.application(name="Helen Ward")
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve",
        headers={**HTMX, "HX-Target": f"application-{application.id}"},
        data={"next": "/community/applications"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith(
        f'<li class="card application-row" id="application-{application.id}"'
    )
    assert f'<a id="application-{application.id}-control"' in body  # focus stays here
    oob = re.search(r'<div hx-swap-oob="innerHTML:#sr-status">(.*?)</div>', body, re.S).group(1)
    assert "Helen Ward&#39;s application approved" in oob
    assert "HX-Request" in response.headers["Vary"]
    assert len(outbox()) == 1


def test_approve_on_the_application_page_with_htmx_swaps_the_panel(facilitator_client, make):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve",
        headers={**HTMX, "HX-Target": f"decision-{application.id}"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith(f'<section class="decision" id="decision-{application.id}"')
    assert "autofocus" in body and "Approved" in body
    assert "hx-swap-oob" not in body  # focus moves here instead: never both


# Deciding twice ----------------------------------------------------------------------------


def test_an_application_is_decided_only_once(facilitator_client, make, outbox):
    application = make.application(email="helen@example.net")
    db.session.commit()
    url = f"/community/applications/{application.id}"
    facilitator_client.get(facilitator_client.post(f"{url}/approve").headers["Location"])
    for action, data in (("approve", {}), ("decline", {"decline_note": "Changed my mind."})):
        response = facilitator_client.post(f"{url}/{action}", data=data)
        assert response.status_code == 302
        page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
        assert "This application was already decided by Priya Shah" in page
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.APPROVED
    assert _users_with_email("helen@example.net") == 1
    assert len(_events("application.approved")) == 1
    assert _events("application.declined") == []
    assert len(outbox()) == 1


def test_deciding_twice_with_htmx_shows_who_decided(facilitator_client, make):
    reviewer = make.user(name="Tom Reviewer", roles=Role.FACILITATOR)
    application = make.application(
        status=ApplicationStatus.DECLINED,
        decided_by_id=reviewer.id,
        decided_at=utcnow(),
        decision_note="Not place-based.",
    )
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/approve",
        headers={**HTMX, "HX-Target": f"application-{application.id}"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "This application was already decided by Tom Reviewer" in body
    assert "Declined" in body
    assert _events("application.approved") == []


# Declining ---------------------------------------------------------------------------------


def test_decline_emails_the_note_and_audits(facilitator_client, make, outbox):
    application = make.application(email="kofi@example.net")
    db.session.commit()
    note = "Your work is national, not tied to one place."
    response = facilitator_client.post(
        f"/community/applications/{application.id}/decline", data={"decline_note": note}
    )
    assert response.status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.status == ApplicationStatus.DECLINED
    assert application.decision_note == note
    assert application.user_id is None
    assert _users_with_email("kofi@example.net") == 0
    [message] = outbox()
    body = email_body(message)
    assert message["To"] == "kofi@example.net" and note in body
    assert f"/community/applications/status/{application.status_token}" in body
    [event] = _events("application.declined")
    assert event.reason == note and event.subject_id == application.id
    assert event.subject_type == "application"
    status_page = facilitator_client.get(
        f"/community/applications/status/{application.status_token}"
    ).get_data(as_text=True)
    assert note in status_page


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Enter a note telling the applicant why"),
        ("   ", "Enter a note telling the applicant why"),
        ("n" * 2001, "Note must be 2000 characters or fewer"),
    ],
)
def test_decline_note_errors(facilitator_client, make, outbox, note, message):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/decline", data={"decline_note": note}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(message) == 2
    assert 'href="#decline_note"' in page and 'id="decline_note-error"' in page
    db.session.expire_all()
    assert db.session.get(Application, application.id).is_pending
    assert outbox() == []


def test_decline_errors_with_htmx_return_the_panel(facilitator_client, make):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/decline",
        data={"decline_note": ""},
        headers={**HTMX, "HX-Target": f"decision-{application.id}"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith(f'<section class="decision" id="decision-{application.id}"')
    assert 'class="error-summary"' in body
    assert "<title>Error: " in body


def test_decline_with_htmx_swaps_the_panel(facilitator_client, make):
    application = make.application()
    db.session.commit()
    response = facilitator_client.post(
        f"/community/applications/{application.id}/decline",
        data={"decline_note": "Not tied to a place."},
        headers={**HTMX, "HX-Target": f"decision-{application.id}"},
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<section class="decision" id="decision-{application.id}"')
    assert "Declined" in body and "Not tied to a place." in body
