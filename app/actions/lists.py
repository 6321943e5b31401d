"""The actions board's HTML: drawn once for every member and kept (app.fragments).

The board reads the same for every member but for the controls on the cards the viewer owns or
is invited to, so its columns and its filter form are kept by what they show:

- the content generation (app.content_generation), which moves in the same transaction as any
  change to an action, its owners, a person's name, a meeting, a board or a theme, so any
  worker process finds a change on its next request;
- today's date (what is overdue, and what the overdue filter picks);
- the filter and the pages asked for.

The one thing a card shows that the generation does not follow is the title of the thread it
came from (posts are news to their own board and thread only). A kept board therefore carries
the labels it showed, and is used only while every one of them still reads the same (one
query of those threads).

The viewer's controls are holes (per_viewer): the status form where the viewer has accepted,
accept and decline where they are invited, chosen from the owners the kept board itself shows,
so that they always agree with it.
"""

from flask import g, render_template, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from app import fragments
from app.actions import cards, queries, services
from app.actions.forms import BoardFilterForm
from app.models import ActionStatus


def _threads_unchanged(meta: dict) -> bool:
    threads = meta["threads"]
    return not threads or cards.thread_labels(threads) == threads


def board_html(
    filters: queries.BoardFilter, pages: dict[str, int], generation: int | None
) -> tuple[Markup, int]:
    """The board's columns as HTML (holes left for the viewer), and the number of actions
    the filter finds. When kept: no query but the threads' labels."""
    today = services.today()
    key = None
    if generation is not None:
        asked = tuple(pages[s] for s in ActionStatus.ALL)
        key = ("actions-board", generation, today, filters, asked)

    def draw() -> tuple[str, dict]:
        columns = queries.board_columns(filters, pages, today)
        shown = {f"page_{c.status}": c.page for c in columns if c.page > 1}

        def column_url(status: str, page: int) -> str:
            return url_for("actions.board", **filters.args(), **{**shown, f"page_{status}": page})

        found = sum(c.total for c in columns)
        html = render_template(
            "actions/_columns.html",
            columns=columns,
            filters=filters,
            found=found,
            column_url=column_url,
            today=today,
            next_url=url_for("actions.board", **filters.args(), **shown),
        )
        listed = [card for c in columns for card in c.actions]
        return html, {
            "found": found,
            "threads": {c.thread_id: c.thread_label for c in listed if c.thread_id is not None},
            "accepted": {c.id: {o.user_id for o in c.accepted_owners} for c in listed},
            "invited": {c.id: {o.user_id for o in c.invited_owners} for c in listed},
        }

    fragment = fragments.fetch(key, draw, _threads_unchanged)
    meta = fragment.meta
    # Set for this request before the holes are filled (tests keep one `g` across requests):
    # the holes' resolvers read it.
    g.actions_board_owners = (meta["accepted"], meta["invited"])
    return fragments.use(fragment), meta["found"]


def filter_html(filters: queries.BoardFilter, generation: int | None) -> Markup:
    """The board's filter form, its options loaded and the current choice selected; kept by
    the content generation (meetings, themes, series and owners' names all move it)."""
    key = None if generation is None else ("actions-filter", generation, filters)

    def draw() -> tuple[str, dict]:
        form = _filter_form(filters, queries.filter_choices())
        return render_template("actions/_filter.html", filter_form=form, filters=filters), {}

    html, _ = fragments.cached(key, draw)
    return html


def _filter_form(filters: queries.BoardFilter, choices: queries.FilterChoices) -> BoardFilterForm:
    form = BoardFilterForm(formdata=None)
    for field, everything, options, value in (
        (form.series, "All series", choices.series, filters.series),
        (form.meeting, "All meetings", choices.meetings, filters.meeting),
        (form.theme, "All themes", choices.themes, filters.theme),
        (form.owner, "Anyone", choices.owners, filters.owner),
    ):
        field.choices = [SelectChoice("", everything)] + [
            SelectChoice(str(ident), label) for ident, label in options
        ]
        field.data = str(value) if value else ""
    form.overdue.data = filters.overdue
    return form


def _viewer_in(part: int, action_ids: set[int]) -> set[int]:
    owners = g.get("actions_board_owners")
    if owners is None or not services.is_member(current_user):
        return set()
    me, of = current_user.id, owners[part]
    return {a for a in action_ids if me in of.get(a, ())}


@fragments.resolver("action_accepted")
def _accepted(action_ids: set[int]) -> set[int]:
    return _viewer_in(0, action_ids)


@fragments.resolver("action_invited")
def _invited(action_ids: set[int]) -> set[int]:
    return _viewer_in(1, action_ids)
