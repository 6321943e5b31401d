from flask import Blueprint

# cli_group "notifications": `flask notifications send-digests` (app/notifications/digests.py).
bp = Blueprint("notifications", __name__, url_prefix="/notifications", cli_group="notifications")

# Views, the template global for follow buttons, the command, and the listener that sends
# immediate emails after commit (emails) attach here.
from app.notifications import digests, emails, routes  # noqa: E402,F401
