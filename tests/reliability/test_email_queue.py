"""A failing mail server never loses the change that triggered an email, nor the email: emails
are stored in the change's transaction, sent after the commit, kept when sending fails, and
`flask send-queued-email` retries them with back-off, never sending one twice."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import mail
from app.extensions import db
from app.models import Application, DigestRun, OutgoingEmail
from app.models.notifications import EmailMode, Kind
from app.notifications import digests, settings
from app.timeutil import utcnow
from tests.community.test_routes import VALID

# Nothing listens on port 1: the connection is refused at once, as by a mail server that is down.
MAIL_SERVER_DOWN = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1, "MAIL_USE_TLS": False}


def _queue() -> list[OutgoingEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def _queue_without_sending(count: int) -> list[str]:
    """Store count emails as a commit does, as if the send after it never ran (a crash)."""
    addresses = [f"member{n}@example.org" for n in range(count)]
    for address in addresses:
        mail.send_email(address, "Hello", "Hello")
    db.session.info.pop(mail.QUEUED)
    db.session.commit()
    return addresses


def test_an_email_is_stored_with_its_change_and_sent_after_the_commit(client, ctx, outbox):
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 302
    (message,) = outbox()
    assert message["To"] == "sam.lee@example.org"
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    assert _queue() == []  # sent, so no longer queued


def test_a_rolled_back_change_stores_and_sends_no_email(app, ctx, outbox):
    mail.send_email("amara@example.org", "About a change undone", "Hello")
    db.session.rollback()
    with db.session.begin_nested():
        mail.send_email("rhys@example.org", "Kept", "Hello")
    savepoint = db.session.begin_nested()
    mail.send_email("jo@example.org", "Undone with its savepoint", "Hello")
    savepoint.rollback()
    db.session.commit()
    assert [m["To"] for m in outbox()] == ["rhys@example.org"]
    assert _queue() == []


def test_a_failing_mail_server_keeps_the_change_and_the_email_until_it_is_back(
    app, client, ctx, outbox, runner
):
    app.config.update(MAIL_SERVER_DOWN)
    response = client.post("/community/apply", data=VALID)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    assert outbox() == []
    (queued,) = _queue()
    assert queued.recipient == "sam.lee@example.org"
    assert queued.attempts == 1 and queued.claimed_until is None
    assert queued.last_error.startswith("ConnectionRefusedError")
    assert queued.next_attempt_at > utcnow() + timedelta(seconds=50)  # backing off

    # Too soon: the command leaves it for later.
    result = runner.invoke(args=["send-queued-email"])
    assert result.exit_code == 0, result.output
    assert "0 sent, 0 failed (kept for a later attempt), 1 in the queue." in result.output

    # Still down at the next attempt: kept, and the wait doubles.
    later = utcnow() + timedelta(minutes=2)
    assert mail.send_queued(now=later) == mail.Delivery(sent=0, failed=1)
    (queued,) = _queue()
    assert queued.attempts == 2
    assert queued.next_attempt_at > utcnow() + timedelta(seconds=110)

    # Back up: sent once, with the Message-ID it was given when queued, then gone from the queue.
    app.config["MAIL_SERVER"] = ""
    message_id = queued.message.split(b"Message-ID: ")[1].split(b"\n")[0].decode().strip()
    assert mail.send_queued(now=utcnow() + timedelta(minutes=5)) == mail.Delivery(sent=1)
    (message,) = outbox()
    assert message["To"] == "sam.lee@example.org" and message["Message-ID"] == message_id
    assert _queue() == []
    assert "0 sent" in runner.invoke(args=["send-queued-email"]).output
    assert len(outbox()) == 1


def test_the_wait_after_a_failure_doubles_up_to_six_hours():
    delays = [mail.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 9, 10, 50)]
    assert delays == [60, 120, 240, 480, 15360, 21600, 21600]


def test_senders_at_once_send_each_email_exactly_once(app, ctx, monkeypatch):
    addresses = _queue_without_sending(12)
    handed_over = []
    lock = threading.Lock()

    def slow_transport(recipient, data):
        with lock:
            handed_over.append(recipient)
        threading.Event().wait(0.01)  # long enough for the other senders to try the same row

    monkeypatch.setattr(mail, "_transport", slow_transport)
    start = threading.Barrier(4)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                start.wait()
                results.append(mail.send_queued())
        except Exception as error:  # surfaced below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(handed_over) == sorted(addresses)
    assert sum(r.sent for r in results) == 12
    assert _queue() == []


def test_a_live_claim_is_left_alone_and_a_lapsed_one_is_taken_over(app, ctx, outbox):
    _queue_without_sending(1)
    (queued,) = _queue()
    queued.claimed_until = utcnow() + timedelta(minutes=4)  # another sender is handing it over
    db.session.commit()
    assert mail.send_queued() == mail.Delivery()
    assert outbox() == []
    # That sender died: once its claim lapses the email is sent.
    assert mail.send_queued(now=utcnow() + timedelta(minutes=5)) == mail.Delivery(sent=1)
    assert len(outbox()) == 1


@pytest.mark.parametrize("how", ["daily digest", "immediate"])
def test_notification_emails_are_kept_once_when_the_server_fails(app, make, outbox, how):
    app.config.update(MAIL_SERVER_DOWN)
    me = make.user(password=None, email="amara@example.org")
    if how == "daily digest":
        make.notification(me, kind=Kind.REPLY)
        db.session.commit()
        morning = utcnow().replace(hour=12)
        assert digests.run(morning).daily == 1
        assert digests.run(morning).daily == 0  # recorded: not queued again
        assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
    else:
        settings.save(me, {Kind.MEETING: EmailMode.IMMEDIATE}, 3)
        make.notification(me, kind=Kind.MEETING)
        db.session.commit()
        assert digests.run().immediate == 0  # claimed when queued: the sweep leaves it
    (queued,) = _queue()
    assert queued.attempts == 1 and outbox() == []

    app.config["MAIL_SERVER"] = ""
    assert mail.send_queued(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert mail.send_queued(now=utcnow() + timedelta(hours=7)).sent == 0
    assert [m["To"] for m in outbox()] == ["amara@example.org"]
