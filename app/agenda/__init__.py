from flask import Blueprint

bp = Blueprint("agenda", __name__, url_prefix="/agenda")

# Views attach to bp: building the agenda, running the meeting, and the record it leaves.
from app.agenda import record_routes, routes, run_routes  # noqa: E402,F401
