"""Outgoing email: SMTP when configured, else each message is logged and kept as a .eml file."""

import logging
import smtplib
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def send_email(
    to: str, subject: str, body: str, headers: dict[str, str] | None = None
) -> EmailMessage:
    """Send one plain-text email and return it; headers adds more (e.g. List-Unsubscribe).

    The default backend writes instance/outbox/<time>-<id>.eml, so a fresh install can follow
    every link (welcome, reset) without a mail server.
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="roundtable")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)

    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        # Sortable by time, unique across workers.
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        (outbox / name).write_bytes(bytes(message))
        log.info("email to %s: %s (written to %s)\n%s", to, subject, outbox / name, body)
    return message


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built on BASE_URL (requests may come through a proxy)."""
    from flask import url_for

    return current_app.config["BASE_URL"] + url_for(endpoint, **values)
