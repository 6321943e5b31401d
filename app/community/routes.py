# STAND-IN: replaced by the community helper.
from app.community import bp


@bp.get("/joining")
def criteria():
    return "criteria"


@bp.get("/guidelines")
def guidelines():
    return "guidelines"


@bp.get("/applications")
def applications():
    return "applications"
