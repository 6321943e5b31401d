# STAND-IN: replaced by the auth helper.
from app.auth import bp


@bp.route("/login", methods=("GET", "POST"))
def login():
    return "login"


@bp.post("/logout")
def logout():
    return "logout"


@bp.get("/profile")
def profile():
    return "profile"
