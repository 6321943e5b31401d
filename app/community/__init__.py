from flask import Blueprint

bp = Blueprint("community", __name__, url_prefix="/community")

from app.community import routes  # noqa: E402,F401  (routes attach to bp)
