from flask import Blueprint

# cli_group "search": `flask search reindex` (app/search/indexing.py).
bp = Blueprint("search", __name__, url_prefix="/search", cli_group="search")

# The page and the index's upkeep (ORM events, the command) attach here.
from app.search import indexing, routes  # noqa: E402,F401
