from flask import Blueprint

bp = Blueprint("insights", __name__, url_prefix="/insights")

# Routes and the template global behind "Pin to insights" attach to bp.
from app.insights import routes, views  # noqa: E402,F401
