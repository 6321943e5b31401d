from flask import Blueprint

# cli_group "actions": `flask actions remind` (app/actions/reminders.py).
bp = Blueprint("actions", __name__, url_prefix="/actions", cli_group="actions")

# Views, template globals and the command attach to bp.
from app.actions import (  # noqa: E402,F401
    change_routes,
    reminders,
    review_routes,
    routes,
    views,
)
