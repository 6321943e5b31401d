from flask import Blueprint

bp = Blueprint("boards", __name__, url_prefix="/boards")

from app.boards import common, posts, routes, votes  # noqa: E402,F401  (views attach to bp)
