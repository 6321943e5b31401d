from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

# Routes attach to bp: meetings, series and themes, registration, calendar files.
from app.meetings import (  # noqa: E402,F401
    calendar_routes,
    registration_routes,
    routes,
    series_routes,
)
