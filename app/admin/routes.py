# STAND-IN: replaced by the admin helper.
from app.admin import bp


@bp.get("/")
def index():
    return "admin"
