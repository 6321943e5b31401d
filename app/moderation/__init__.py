"""Moderation and safety: reports, held posts, the review queue, decisions, appeals, the audit
trail and the open report.

Modules: services (new members, holds, reports, the queue's reviews), decisions (claims and
decisions), people (warnings, suspensions, appeals), notify (emails), queries and report (read
side), views (what the routes share), and the routes: routes (queue), people_routes,
member_routes, trail_routes; context feeds the layout (banner, navigation count).

Import rule (it keeps the boards and moderation packages free of import cycles): modules here
import only the boards' leaf modules (app.boards.services, .queries, .forms), as module objects
or plain names, never app.boards.common or the boards' views; the boards' views import
app.moderation.services as a module object.
"""

from flask import Blueprint, g

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.teardown_app_request
def _forget_standing(exc) -> None:
    """A member's standing is kept for one request only (see app.permissions.standing)."""
    g.pop("_rt_standing", None)
    g.pop("_rt_approved_posts", None)


from app.moderation import (  # noqa: E402,F401  (views attach to bp)
    context,
    member_routes,
    people_routes,
    routes,
    trail_routes,
)
