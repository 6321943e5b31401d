"""What every page's layout needs from moderation: the member's notices banner and the
moderators' queue count in the navigation.

The banner is a callable the templates call: one query for a logged-in member, shared with
the suspension check. The queue count is a value of the kept page header (app.layout): one
more query, for moderators only.

A thread page's "Report" controls need only whether this member reported each post already
(the "flag" resolver): the report form is not in the page, its "Report" link loads it
(moderation.flag).
"""

from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app import fragments
from app.models import HoldReason, Role
from app.models.moderation import Standing
from app.moderation import bp, queries, services
from app.moderation.forms import FlagForm
from app.permissions import standing


def flag_form_for(post_id: int, formdata=None) -> FlagForm:
    """The report form of one post (fields prefixed, so ids are unique on a thread page)."""
    return FlagForm(prefix=f"flag-{post_id}", formdata=formdata)


@fragments.resolver("flag")
def _flagged(post_ids: set[int]) -> set[int]:
    return services.flagged_post_ids(current_user, post_ids)


@fragments.value("moderation_pending")
def _queue_count() -> str:
    """The navigation's queue count for moderators (" (3 waiting)"), one query; nothing when
    the queue is empty, or the database fails (the layout is on error pages too)."""
    if not (current_user.is_authenticated and current_user.has_role(Role.MODERATOR)):
        return ""
    try:
        pending = queries.pending_count()
    except SQLAlchemyError:
        return ""
    return f' ({pending}<span class="visually-hidden"> waiting</span>)' if pending else ""


def action_label(action: str) -> str:
    """An audit action in words ("moderation.hidden" -> "Post hidden")."""
    return queries.ACTION_LABELS.get(action, action)


@bp.app_context_processor
def moderation_globals() -> dict:
    # The layout calls these on every page, error pages too: a failing database must not turn
    # an error page into a second error, so each answers "nothing to show" then.
    def notices() -> Standing:
        try:
            return standing(current_user)
        except SQLAlchemyError:
            return Standing()

    return {
        "moderation_notices": notices,
        "action_label": action_label,
        "moderation_hold_reasons": HoldReason.LABELS,
        "moderation_review_time": services.review_hours_text,
    }
