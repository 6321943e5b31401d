"""Outgoing email: queued with the transaction, then the default backend keeps each message as a
.eml file and logs it. (The queue's failures and retries: tests/reliability/test_email_queue.py.)"""

from app.extensions import db
from app.mail import external_url, send_email


def test_default_backend_writes_eml_files(app, outbox, caplog):
    with app.app_context():
        send_email("amara@example.org", "Welcome to Roundtable", "Hello Amara")
        send_email("rhys@example.org", "Second", "Hello Rhys")
        assert outbox() == []  # queued: nothing goes before the commit
        db.session.commit()
    messages = outbox()
    assert [m["To"] for m in messages] == ["amara@example.org", "rhys@example.org"]
    assert messages[0]["Subject"] == "Welcome to Roundtable"
    assert messages[0].get_content().strip() == "Hello Amara"
    assert "Welcome to Roundtable" in caplog.text


def test_external_urls_use_base_url(app):
    app.config["BASE_URL"] = "https://roundtable.example.org"
    with app.test_request_context("/"):
        assert external_url("main.home") == "https://roundtable.example.org/"
