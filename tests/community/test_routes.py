"""Public community pages: joining criteria, guidelines, applying, the status page, profiles."""

import re

import pytest
from sqlalchemy import func, select

from app.community import services
from app.extensions import db
from app.models import Application, ApplicationStatus, Role
from tests.conftest import email_body

VALID = {
    "name": "Sam Lee",
    "email": "Sam.Lee@Example.org",
    "organisation": "Eastport Health Partnership",
    "place": "Eastport",
    "job_role": "Public health programme lead",
    "criteria_statement": "I coordinate our town's work on health inequalities with schools.",
    "agreed_guidelines": "y",
}


def _applications() -> list[Application]:
    return list(db.session.scalars(select(Application).order_by(Application.id)))


def _count_applications() -> int:
    return db.session.scalar(select(func.count(Application.id)))


# Joining criteria and guidelines ------------------------------------------------------------


def test_criteria_shows_saved_text_and_apply_link(client, make):
    make.site_text("joining_criteria", title="Who can join", body="You **work for a place**.")
    db.session.commit()
    response = client.get("/community/joining")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Who can join</h1>" in page
    assert "<strong>work for a place</strong>" in page
    assert re.search(r'<a class="button[^"]*"[^>]*href="/community/apply">Apply to join</a>', page)


def test_criteria_shows_a_default_when_the_text_is_missing(client, ctx):
    response = client.get("/community/joining")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "work for or with a particular place" in page
    assert 'href="/community/apply"' in page


def test_guidelines_shows_saved_text(client, make):
    make.site_text("guidelines", title="Community guidelines", body="- Be kind\n- Listen")
    db.session.commit()
    page = client.get("/community/guidelines").get_data(as_text=True)
    assert "<li>Be kind</li>" in page


def test_guidelines_shows_a_default_when_the_text_is_missing(client, ctx):
    response = client.get("/community/guidelines")
    assert response.status_code == 200
    assert "Be kind, be curious" in response.get_data(as_text=True)


def test_no_edit_links_for_visitors(client):
    assert "/admin/texts/" not in client.get("/community/joining").get_data(as_text=True)
    assert "/admin/texts/" not in client.get("/community/guidelines").get_data(as_text=True)


def test_edit_links_for_admins(admin_client):
    page = admin_client.get("/community/joining").get_data(as_text=True)
    assert 'href="/admin/texts/joining_criteria"' in page
    page = admin_client.get("/community/guidelines").get_data(as_text=True)
    assert 'href="/admin/texts/guidelines"' in page


# Applying ----------------------------------------------------------------------------------


def test_apply_form_has_every_field_and_links_the_guidelines(client, ctx):
    response = client.get("/community/apply")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("name", "email", "organisation", "place", "job_role", "criteria_statement"):
        assert f'name="{name}"' in page
    assert 'type="checkbox"' in page and 'name="agreed_guidelines"' in page
    label = re.search(r'<label[^>]*for="agreed_guidelines">(.*?)</label>', page, re.S).group(1)
    assert 'href="/community/guidelines"' in label
    assert "novalidate" in page


def test_apply_stores_application_emails_link_and_shows_status(client, ctx, outbox):
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 302
    [application] = _applications()
    assert response.headers["Location"].endswith(
        f"/community/applications/status/{application.status_token}"
    )
    assert application.status == ApplicationStatus.PENDING
    assert application.email == "sam.lee@example.org"
    assert application.job_role == "Public health programme lead"
    assert application.place == "Eastport"
    assert application.agreed_guidelines is True

    [message] = outbox()
    assert message["To"] == "sam.lee@example.org"
    status_url = f"http://localhost/community/applications/status/{application.status_token}"
    assert status_url in email_body(message)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Success" in page and "Application sent" in page
    assert "We usually decide within 5 working days" in page


def test_apply_collapses_spaces_and_counts_crlf_once(client, ctx):
    statement = "\r\n".join(["Line of text about my place."] * 100)  # 2900 chars, 2999 with CRLF
    assert len(statement) > 3000 - 100
    data = {**VALID, "name": "  Sam    Lee ", "criteria_statement": statement + "\r\n" * 1}
    response = client.post("/community/apply", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    [application] = _applications()
    assert application.name == "Sam Lee"
    assert "\r" not in application.criteria_statement


TOO_LONG = "x" * 300

FIELD_ERRORS = [
    ("name", "", "Enter your full name"),
    ("name", "   ", "Enter your full name"),
    ("name", "n" * 81, "Name must be 80 characters or fewer"),
    ("email", "", "Enter your email address"),
    ("email", "not-an-email", "Enter an email address in the correct format"),
    ("email", "a" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
    ("organisation", "", "Enter your organisation"),
    ("organisation", "o" * 121, "Organisation must be 120 characters or fewer"),
    ("place", "", "Enter the place you work for or with"),
    ("place", "p" * 121, "Place must be 120 characters or fewer"),
    ("job_role", "", "Enter your role"),
    ("job_role", "r" * 121, "Role must be 120 characters or fewer"),
    ("criteria_statement", "", "Enter how you meet the joining criteria"),
    ("criteria_statement", "Too short here.", "must be 20 characters or more"),
    ("criteria_statement", "c" * 3001, "must be 3000 characters or fewer"),
]


@pytest.mark.parametrize(("field", "value", "message"), FIELD_ERRORS)
def test_apply_field_errors(client, ctx, outbox, field, value, message):
    data = {**VALID, field: value}
    response = client.post("/community/apply", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page
    assert 'class="error-summary"' in page
    assert page.count(message) == 2  # next to the field and in the summary
    assert f'href="#{field}"' in page
    assert f'id="{field}-error"' in page
    # What was typed in the other fields is kept.
    assert 'value="Eastport Health Partnership"' in page or field == "organisation"
    assert _count_applications() == 0
    assert outbox() == []


def test_apply_requires_agreeing_to_the_guidelines(client, ctx):
    data = {k: v for k, v in VALID.items() if k != "agreed_guidelines"}
    response = client.post("/community/apply", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Confirm that you agree to follow the community guidelines") == 2
    assert 'href="#agreed_guidelines"' in page
    assert "I coordinate our town" in page  # the statement is kept
    assert _count_applications() == 0


def test_apply_refuses_a_second_pending_application(client, make, outbox):
    earlier = make.application(email="sam.lee@example.org", name="Samuel Secret")
    db.session.commit()
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You already have an application waiting for a decision" in page
    assert "Use the link in your confirmation email" in page
    assert 'id="email-error"' in page
    # Nothing about the earlier application leaks.
    assert "Samuel Secret" not in page and earlier.status_token not in page
    assert _count_applications() == 1
    assert outbox() == []


def test_apply_again_after_a_decision_is_allowed(client, make):
    make.application(email="sam.lee@example.org", status=ApplicationStatus.DECLINED)
    db.session.commit()
    assert client.post("/community/apply", data=VALID).status_code == 302
    assert _count_applications() == 2


def test_apply_with_a_member_email_points_to_login_instead(client, make, outbox):
    make.user(email="sam.lee@example.org")
    db.session.commit()
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is already a member account for this email address" in page
    assert "Log in, or reset your password" in page
    links = re.search(r'<p class="inset" id="member-exists">(.*?)</p>', page, re.S).group(1)
    assert 'href="/auth/login"' in links
    assert 'href="/auth/forgot-password"' in links
    assert _count_applications() == 0
    assert outbox() == []


def test_database_refuses_a_second_pending_application_in_a_race(client, make, outbox, monkeypatch):
    """The form's check passed (the other request had not committed yet): the index decides."""
    make.application(email="sam.lee@example.org")
    db.session.commit()
    monkeypatch.setattr(services, "pending_application_for", lambda email: None)
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 422
    assert "You already have an application waiting for a decision" in response.get_data(
        as_text=True
    )
    db.session.rollback()
    assert _count_applications() == 1
    assert outbox() == []


def test_apply_keeps_the_application_when_email_fails(client, ctx, outbox, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_email", broken)
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 302
    assert _count_applications() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "we could not email you" in page


def test_apply_needs_a_csrf_token(app, client, ctx):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 400
    assert _count_applications() == 0


def test_apply_is_rate_limited_per_ip(app, tmp_path, database_uri, ctx):
    from tests.conftest import app_on_test_database

    with app_on_test_database(
        database_uri, tmp_path / "rl-outbox", RATELIMIT_ENABLED=True, RATELIMIT_APPLY="2 per hour"
    ) as limited:
        client = limited.test_client()
        for n in range(2):
            response = client.post("/community/apply", data={**VALID, "email": f"p{n}@example.org"})
            assert response.status_code == 302
        blocked = client.post("/community/apply", data={**VALID, "email": "p3@example.org"})
        assert blocked.status_code == 429
        assert client.get("/community/apply").status_code == 200  # only POSTs count
        other_ip = limited.test_client()
        response = other_ip.post(
            "/community/apply",
            data={**VALID, "email": "p4@example.org"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        )
        assert response.status_code == 302


# The applicant's status page ---------------------------------------------------------------


def test_status_page_pending_says_how_long(app, client, make):
    application = make.application()
    db.session.commit()
    response = client.get(f"/community/applications/status/{application.status_token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Waiting for a decision" in page
    assert "We usually decide within 5 working days" in page
    assert response.headers["Cache-Control"] == "no-store"
    app.config["APPLICATION_DECISION_DAYS"] = 3
    page = client.get(f"/community/applications/status/{application.status_token}").get_data(
        as_text=True
    )
    assert "We usually decide within 3 working days" in page


def test_status_page_approved_points_to_the_email(client, make):
    application = make.application(status=ApplicationStatus.APPROVED)
    db.session.commit()
    page = client.get(f"/community/applications/status/{application.status_token}").get_data(
        as_text=True
    )
    assert "Approved" in page
    assert "check your email for a link to set your password" in page.lower()


def test_status_page_declined_shows_the_note_escaped(client, make):
    application = make.application(
        status=ApplicationStatus.DECLINED,
        decision_note="Your work is not tied to a place.\n<script>alert(1)</script>",
    )
    db.session.commit()
    page = client.get(f"/community/applications/status/{application.status_token}").get_data(
        as_text=True
    )
    assert "Declined" in page
    assert "Your work is not tied to a place." in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert 'class="text-block"' in page  # line breaks kept by CSS (white-space: pre-line)


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 200])
def test_status_page_unknown_token_is_404(client, make, token):
    make.application()
    db.session.commit()
    assert client.get(f"/community/applications/status/{token}").status_code == 404


# Member profiles ---------------------------------------------------------------------------


def test_member_profile_for_members(member_client, make):
    person = make.user(
        name="Amara Okafor",
        roles=Role.MEMBER | Role.FACILITATOR,
        pronouns="she/her",
        organisation="Northtown Community Trust",
        place="Northtown",
        bio="Runs a food pantry.\n<b>Bold?</b>",
    )
    db.session.commit()
    response = member_client.get(f"/community/members/{person.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Amara Okafor", "she/her", "Northtown Community Trust", "Member since"):
        assert text in page
    assert '<strong class="tag">Member</strong>' in page
    assert '<strong class="tag">Facilitator</strong>' in page
    assert "&lt;b&gt;Bold?&lt;/b&gt;" in page and "<b>Bold?</b>" not in page
    assert 'class="text-block" id="member-bio"' in page


def test_member_profile_sends_visitors_to_log_in(client, make):
    person = make.user()
    db.session.commit()
    response = client.get(f"/community/members/{person.id}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    htmx = client.get(f"/community/members/{person.id}", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and "/auth/login" in htmx.headers["HX-Redirect"]


def test_member_profile_unknown_or_closed_is_404(member_client, make):
    closed = make.user(active=False)
    db.session.commit()
    assert member_client.get(f"/community/members/{closed.id}").status_code == 404
    assert member_client.get("/community/members/999999").status_code == 404
