"""Community services: site texts, the queue query, deciding exactly once, and real races."""

import threading

import pytest
from sqlalchemy import func, select

from app.community import services
from app.extensions import db
from app.models import Application, ApplicationStatus, AuditEvent, Role, SiteText, User
from tests.conftest import client_as

VALID = {
    "name": "Sam Lee",
    "email": "sam@example.org",
    "organisation": "Eastport Health Partnership",
    "place": "Eastport",
    "job_role": "Public health programme lead",
    "criteria_statement": "I coordinate our town's work on health inequalities with schools.",
    "agreed_guidelines": "y",
}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Site texts --------------------------------------------------------------------------------


def test_page_text_falls_back_to_an_unsaved_default(ctx):
    text = services.page_text("guidelines")
    assert text.title == "Community guidelines"
    assert text.body_html.startswith("<p>Be kind")
    assert _count(SiteText) == 0


def test_save_text_renders_markdown_records_editor_and_audits(make):
    editor = make.user(roles=Role.ADMIN)
    services.save_text("about", "About us", "We are **many**.\n\n<script>x</script>", editor)
    text = db.session.get(SiteText, "about")
    assert text.body_html.startswith("<p>We are <strong>many</strong>.</p>")
    assert "<script>" not in text.body_html
    assert text.updated_by_id == editor.id and text.updated_at is not None
    services.save_text("about", "About Roundtable", "Changed.", editor)
    assert db.session.get(SiteText, "about").body_html == "<p>Changed.</p>"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "text.updated"))
    assert [(e.detail, e.actor_id) for e in events] == [("about", editor.id)] * 2


# Applications ------------------------------------------------------------------------------


def test_pending_application_lookup_ignores_case_and_decided_ones(make):
    make.application(email="sam@example.org", status=ApplicationStatus.DECLINED)
    assert services.pending_application_for("SAM@example.org") is None
    pending = make.application(email="sam@example.org")
    assert services.pending_application_for("Sam@Example.org") == pending


def test_application_by_token(make):
    application = make.application()
    assert services.application_by_token(application.status_token) == application
    assert services.application_by_token("nope") is None


def test_approve_then_any_second_decision_raises(make):
    decider = make.user(roles=Role.FACILITATOR, name="Priya Shah")
    application = make.application()
    decision = services.approve(application, decider, "")
    assert decision.created_account and decision.user.holds(Role.MEMBER)
    with pytest.raises(services.AlreadyDecided, match="already decided by Priya Shah"):
        services.approve(application, decider, "")
    with pytest.raises(services.AlreadyDecided):
        services.decline(application, decider, "No.")
    assert application.status == ApplicationStatus.APPROVED
    assert _count(User, User.email == application.email) == 1


def test_decline_keeps_no_account(make):
    decider = make.user(roles=Role.FACILITATOR)
    application = make.application()
    decision = services.decline(application, decider, "Not tied to a place.")
    assert decision.user is None
    assert application.status == ApplicationStatus.DECLINED
    assert application.decision_note == "Not tied to a place."
    assert _count(User, User.email == application.email) == 0


# Races between two real requests -----------------------------------------------------------


def _run_together(*jobs):
    """Run each job in its own thread and wait for all; re-raise the first failure."""
    errors = []

    def guarded(job):
        try:
            job()
        except BaseException as error:  # noqa: BLE001 (reported in the main thread)
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    if errors:
        raise errors[0]


def _meet_before(monkeypatch, name: str, parties: int = 2):
    """Make every request wait at services.<name> until all have arrived, so they overlap."""
    barrier = threading.Barrier(parties, timeout=10)
    original = getattr(services, name)

    def together(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services, name, together)


def test_two_facilitators_approving_at_once_make_one_decision(app, outbox, monkeypatch):
    with app.app_context():
        application = services.submit_application(**{**VALID, "agreed_guidelines": True})
        db.session.commit()
        url = f"/community/applications/{application.id}/approve"
    clients = [
        client_as(app, Role.MEMBER | Role.FACILITATOR, name=f"Facilitator {i}") for i in (1, 2)
    ]
    # Both requests have read the application as pending before either tries to claim it.
    _meet_before(monkeypatch, "_claim")
    pages = {}

    def approve(i):
        def job():
            response = clients[i].post(url)
            assert response.status_code == 302
            pages[i] = clients[i].get(response.headers["Location"]).get_data(as_text=True)

        return job

    _run_together(approve(0), approve(1))

    already = [i for i, page in pages.items() if "already decided by Facilitator" in page]
    approved = [i for i, page in pages.items() if "application approved" in page]
    assert len(already) == 1 and len(approved) == 1
    with app.app_context():
        assert _count(User, User.email == "sam@example.org") == 1
        assert _count(AuditEvent, AuditEvent.action == "application.approved") == 1
        decided = db.session.get(Application, application.id)
        assert decided.status == ApplicationStatus.APPROVED
        assert decided.decided_by_id == clients[approved[0]].user_id
    assert len(outbox()) == 1


def test_two_identical_applications_at_once_store_one(app, outbox, monkeypatch):
    # Both requests pass the "no pending application" check before either inserts.
    _meet_before(monkeypatch, "submit_application")
    statuses = []

    def apply():
        statuses.append(app.test_client().post("/community/apply", data=VALID).status_code)

    _run_together(apply, apply)
    assert sorted(statuses) == [302, 422]
    with app.app_context():
        assert _count(Application, Application.email == "sam@example.org") == 1
    assert len(outbox()) == 1
