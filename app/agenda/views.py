"""Lookups, permission checks and the one context builder the agenda pages and fragments share."""

from flask import abort, make_response, render_template, request, url_for
from markupsafe import Markup

from app import content_generation, fragments
from app.actions import reviews as action_reviews
from app.agenda import bp, queries
from app.agenda.forms import AttendanceForm, ItemForm, NotTakenForm, ThemeFilterForm
from app.agenda.running import minutes_left, not_reached
from app.agenda.services import PRESETS
from app.extensions import db
from app.htmx import is_partial_request, render_page_or_fragment
from app.main.errors import render_error
from app.models import Agenda, AgendaItem, Meeting, Post, PostKind, Role
from app.permissions import has_role

# Members' pages poll the live region this often while the meeting runs (ACCESSIBILITY.md §8).
POLL_SECONDS = 15

STATUS_LABELS = {"planned": "Planned", "discussed": "Discussed", "skipped": "Skipped"}


def can_edit() -> bool:
    """Facilitators and admins change agendas (the routes check it again with decorators)."""
    return has_role(Role.FACILITATOR)


def sees_actions() -> bool:
    """Members see actions (the actions area's rule); visitors see none of them."""
    return has_role(Role.MEMBER)


def review_actions_for(meeting: Meeting, items: list[AgendaItem]) -> list:
    """The entries of the agenda's actions review (app.actions.reviews.actions_for_review: three
    queries whatever their number), loaded only when the agenda has a review item and the
    person is a member; otherwise an empty list and no query."""
    if not sees_actions() or not any(item.is_actions_review for item in items):
        return []
    return action_reviews.actions_for_review(meeting)


def meeting_or_404(meeting_id: int) -> Meeting:
    """The meeting, or 404 when there is none or it is a draft the person may not see."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or (meeting.is_draft and not can_edit()):
        abort(404)
    return meeting


def editable_meeting_or_404(meeting_id: int) -> Meeting:
    """The meeting for a change to its agenda: 404 as above, 403 once it is cancelled."""
    meeting = meeting_or_404(meeting_id)
    if meeting.is_cancelled:
        abort(
            make_response(
                render_error(403, "This meeting was cancelled, so its agenda can no longer change.")
            )
        )
    return meeting


def item_or_404(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of this meeting's agenda (an item of another meeting is 404 too)."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def candidate_or_404(meeting: Meeting, post_id: int) -> Post:
    """A visible question on one of the meeting's boards."""
    post = queries.candidate_or_none(meeting.id, post_id)
    if post is None:
        abort(404)
    return post


def agenda_or_404(meeting: Meeting) -> Agenda:
    """The meeting's agenda, or 404 when nothing has been added to it yet."""
    agenda = queries.agenda_for(meeting.id)
    if agenda is None:
        abort(404)
    return agenda


def render(page: str, fragment: str | None, *, status: int = 200, **context):
    """The page, or for htmx its fragment (when the request has one), from one context."""
    if fragment is None:
        response = make_response(render_template(page, **context), status)
        response.vary.add("HX-Request")
        return response
    return render_page_or_fragment(page, fragment, status=status, **context)


def theme_filter(themes) -> int | None:
    """The ?theme= filter when it names one of the meeting's themes (else every theme)."""
    wanted = request.args.get("theme", type=int)
    return wanted if wanted in {theme.id for theme in themes} else None


def time_left_text(item: AgendaItem | None, now=None) -> str:
    """'7 minutes left', '1 minute over', 'Time is up', or the minutes allotted if not started."""
    if item is None:
        return ""
    left = minutes_left(item, now)
    if left is None:
        return f"{_minutes(item.minutes)} allotted, not started"
    if left > 0:
        return f"{_minutes(left)} left"
    if left == 0:
        return "Time is up"
    return f"{_minutes(-left)} over"


def _minutes(n: int) -> str:
    return f"{n} minute{'' if n == 1 else 's'}"


def not_taken_form_html(meeting_id: int, post_id: int) -> Markup:
    """A candidate's blank "not taken" form: the markup of _macros.html's not_taken_form,
    drawn once a page and meeting and copied (app.fragments.copied)."""
    return fragments.copied(
        f"not-taken-{meeting_id}",
        post_id,
        "agenda/_macros.html",
        lambda module, sample: module.not_taken_form(
            meeting_id, sample, NotTakenForm(formdata=None, prefix=f"not-taken-{sample}")
        ),
    )


def agenda_context(meeting: Meeting, **extra) -> dict:
    """Everything agenda.html and its fragments show, for the current person.

    A fixed number of queries: the agenda, its items (with their questions), the not-taken
    decisions, the actions review's entries when the agenda has one, and for facilitators the
    meeting's themes with the section of candidates (kept, or one page of them drawn).
    """
    editor = can_edit()
    agenda = queries.agenda_for(meeting.id)
    published = agenda is not None and agenda.is_published
    visible = editor or published
    items = queries.items_of(agenda) if visible else []
    total = sum(item.minutes for item in items)
    length = queries.meeting_minutes(meeting)
    phase = meeting.phase()
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "visible": visible,
        "published": published,
        "can_edit": editor and not meeting.is_cancelled,
        "is_facilitator": editor,
        "items": items,
        "position_of": {item.id: n for n, item in enumerate(items, start=1)},
        "on_agenda": {item.post_id: item for item in items if item.post_id},
        "total": total,
        "length": length,
        "over": total - length,
        "phase": phase,
        "current": _current(agenda, items),
        "status_labels": STATUS_LABELS,
        "not_taken": queries.not_taken_for(meeting.id) if visible else {},
        "presets": PRESETS,
        "item_form": ItemForm(formdata=None, prefix="new-item"),
        "not_taken_forms": {},
        "not_taken_form_html": not_taken_form_html,
        "attendance_form": AttendanceForm(
            formdata=None,
            data={"attendance": str(agenda.attendance) if agenda and agenda.attendance else ""},
        ),
        "form": None,
        "partial": is_partial_request(),
        "oob": False,
        "focus_item": None,
        "message": None,
        "announce": None,
        "time_left": time_left_text,
        "live": live_context(meeting, agenda, items),
        "sees_actions": sees_actions(),
        "review_actions": review_actions_for(meeting, items),
    }
    context.update(_after(meeting, editor and phase == "after", items))
    context.update(extra)
    context.update(_candidates(meeting, agenda, context["can_edit"], context))
    return context


def _current(agenda: Agenda | None, items: list[AgendaItem]) -> AgendaItem | None:
    if agenda is None or agenda.current_item_id is None:
        return None
    return next((item for item in items if item.id == agenda.current_item_id), None)


def _candidates(meeting: Meeting, agenda: Agenda | None, shown: bool, context: dict) -> dict:
    """The ranked candidates' section (the filter, one page, its links) as HTML, for an agenda
    its person can change (shown); nothing, and no query, otherwise.

    The section reads the same for every facilitator but the CSRF token (a hole filled per
    request), so it is kept (app.fragments) by what it shows: the versions of the meeting's
    boards (questions, votes, moderation), the agenda's version, and the content generation
    (names, themes, agenda items, "not taken" decisions); the filter and page requested. A
    "not taken" form sent back with a mistake is drawn afresh, with its text and error.
    """
    if not shown:
        return {"candidates_html": "", "candidates_total": 0}
    boards = queries.meeting_themes(meeting.id)
    themes = [theme for theme, _, _ in boards]
    theme_id = theme_filter(themes)
    page = request.args.get("page", 1, type=int)
    generation = content_generation.read()
    key = None
    if generation is not None and not context["not_taken_forms"]:
        versions = tuple((board_id, version) for _, board_id, version in boards)
        agenda_version = agenda.version if agenda is not None else None
        key = ("agenda-candidates", meeting.id, generation, versions, agenda_version)
        key += (theme_id, page)

    def draw() -> tuple[str, dict]:
        pagination, candidates = queries.candidate_page(meeting.id, theme_id, page)

        def page_url(n: int) -> str:
            return url_for("agenda.agenda", meeting_id=meeting.id, theme=theme_id, page=n)

        html = render_template(
            "agenda/_candidate_section.html",
            **{
                **context,
                "candidates": candidates,
                "filter_form": ThemeFilterForm.for_themes(themes, theme_id),
                "theme_id": theme_id,
                "pagination": pagination,
                "page_url": page_url,
            },
        )
        return html, {"total": pagination.total}

    html, meta = fragments.cached(key, draw)
    return {"candidates_html": html, "candidates_total": meta["total"]}


def _after(meeting: Meeting, carrying: bool, items: list[AgendaItem]) -> dict:
    """What the facilitator needs to carry questions forward once the meeting is over."""
    if not carrying:
        return {"carried": {}, "next_meeting": None, "not_reached": []}
    return {
        "carried": queries.carried_from(meeting.id),
        "next_meeting": queries.next_meeting(meeting),
        "not_reached": not_reached(meeting, items),
    }


def meeting_panel(meeting: Meeting) -> dict:
    """The agenda (or, after the meeting, the minutes) shown on the meeting page: published
    agendas for everyone who can see the meeting, drafts for facilitators. Two queries, and the
    actions review's entries (read-only) when the agenda has one."""
    editor = can_edit()
    agenda = queries.agenda_for(meeting.id)
    published = agenda is not None and agenda.is_published
    items = queries.items_of(agenda) if (published or editor) else []
    return {
        "agenda": agenda,
        "published": published,
        # Not "items": Jinja would find the dict's own items() method first.
        "agenda_items": items,
        "current": _current(agenda, items),
        "phase": meeting.phase(),
        "length": queries.meeting_minutes(meeting),
        "total": sum(item.minutes for item in items),
        "status_labels": STATUS_LABELS,
        "is_facilitator": editor,
        "live": live_context(meeting, agenda, items),
        "sees_actions": sees_actions(),
        "review_actions": review_actions_for(meeting, items),
    }


def live_context(meeting: Meeting, agenda: Agenda | None, items: list[AgendaItem]) -> dict:
    """The small live region members' pages poll while the meeting runs (published agendas)."""
    published = agenda is not None and agenda.is_published
    current = _current(agenda, items) if published else None
    return {
        "meeting_id": meeting.id,
        "polling": published and meeting.phase() == "during",
        "poll": POLL_SECONDS,
        "url": url_for("agenda.live", meeting_id=meeting.id),
        "published": published,
        "current": current,
        "position": items.index(current) + 1 if current else None,
        "count": len(items),
        "page_url": url_for("meetings.meeting", meeting_id=meeting.id),
    }


# Template globals for the pages of other areas (one include line in their templates) ---------


@bp.app_template_global()
def agenda_panel_for(meeting: Meeting) -> dict:
    """The meeting page's agenda panel (see meeting_panel): two queries, once per page."""
    return meeting_panel(meeting)


@bp.app_template_global()
def agenda_notes_for(posts) -> dict:
    """post_id -> agenda notes for a page of threads (or one thread), in ONE query for the
    whole page; discussions have none, and a page without questions costs no query."""
    ids = [post.id for post in posts if post.kind == PostKind.QUESTION]
    return queries.post_notes(ids, facilitator=can_edit()) if ids else {}
