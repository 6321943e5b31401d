"""The audit trail for moderators and admins: every moderation decision, role change and
application decision, filtered and paginated, and downloadable as CSV."""

import csv
import io

from flask import render_template, request, url_for
from wtforms import SelectChoice

from app.csvsafe import csv_response, spreadsheet_safe
from app.extensions import db
from app.moderation import bp, queries
from app.moderation.forms import TrailFilterForm, parse_day
from app.moderation.queries import ACTION_LABELS, TrailFilter
from app.permissions import moderator_required
from app.timeutil import to_london

PER_PAGE = 25


def _filter_form() -> tuple[TrailFilterForm, TrailFilter]:
    """The filter form from the query string, and the filter it means (bad values ignored)."""
    form = TrailFilterForm(formdata=request.args)
    form.action.choices = [SelectChoice("", "Any action")] + [
        SelectChoice(key, label) for key, label in ACTION_LABELS.items()
    ]
    actors = queries.trail_actors()
    form.actor.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(ident), name) for ident, name in actors
    ]
    form.validate()
    actor = form.actor.data if form.actor.data and form.actor.data.isdigit() else None

    def day(field):
        if field.data and not field.errors:
            return parse_day(field.data)
        return None

    return form, TrailFilter(
        action=form.action.data if form.action.data in ACTION_LABELS else "",
        actor=int(actor) if actor else None,
        person=(form.person.data or "")[:100],
        start=day(form.start),
        end=day(form.end),
    )


@bp.get("/trail")
@moderator_required
def trail():
    """The audit trail, newest first, filtered by action, who acted, whom it was about and a
    date range; 25 a page in a fixed number of queries."""
    form, filters = _filter_form()
    pagination = db.paginate(
        queries.trail_query(filters),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "moderation/trail.html",
        filter_form=form,
        form=form if form.errors else None,
        events=list(pagination.items),
        labels=ACTION_LABELS,
        pagination=pagination,
        page_url=lambda n: url_for("moderation.trail", page=n, **filters.args()),
        csv_url=url_for("moderation.trail_csv", **filters.args()),
    ), (422 if form.errors else 200)


@bp.get("/trail.csv")
@moderator_required
def trail_csv():
    """The filtered trail as CSV (every matching event), safe to open in a spreadsheet."""
    _form, filters = _filter_form()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "action", "by", "subject", "about", "reason", "detail"])
    rows = db.session.scalars(queries.trail_query(filters).execution_options(yield_per=500))
    for event in rows:
        local = to_london(event.created_at)
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                f"{local:%Y-%m-%d %H:%M} {local.tzname()}",
                ACTION_LABELS.get(event.action, event.action),
                event.actor.display_name if event.actor else "Roundtable (automatic)",
                f"{event.subject_type} {event.subject_id or ''}".strip(),
                event.subject_user.display_name if event.subject_user else "",
                event.reason,
                event.detail,
            )
        )
    return csv_response(out.getvalue(), "moderation-trail.csv")
