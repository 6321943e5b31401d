"""What every page's layout needs from moderation: the member's notices banner, the moderators'
queue count in the navigation, and the report form of each post on a thread page.

Each is a callable the templates call, so a page that does not show it costs nothing: the
banner is one query for a logged-in member (shared with the suspension check), the queue count
one more for moderators only.
"""

from types import SimpleNamespace

from flask_login import current_user
from markupsafe import Markup
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


def flag_form_html(post_id: int) -> Markup:
    """The in-place report form of one post, the same markup flag_form() renders for it,
    drawn once a page and copied (app.fragments.copied)."""
    return fragments.copied(
        "flag",
        post_id,
        "moderation/_macros.html",
        lambda module, sample: module.flag_form(
            SimpleNamespace(id=sample), flag_form_for(sample), True
        ),
    )


@fragments.resolver("flag")
def _flagged(post_ids: set[int]) -> set[int]:
    return services.flagged_post_ids(current_user, post_ids)


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

    def queue_count() -> int | None:
        if current_user.is_authenticated and current_user.has_role(Role.MODERATOR):
            try:
                return queries.pending_count()
            except SQLAlchemyError:
                return None
        return None

    return {
        "moderation_notices": notices,
        "moderation_queue_count": queue_count,
        "flag_form_for": flag_form_for,
        "flag_form_html": flag_form_html,
        "action_label": action_label,
        "moderation_hold_reasons": HoldReason.LABELS,
        "moderation_review_time": services.review_hours_text,
    }
