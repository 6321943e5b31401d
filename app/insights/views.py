"""What the insights routes share: loading, one context per page, the CSV downloads, and the
template global behind the "Pin to insights" control on other areas' pages."""

import csv
import io
import re
from dataclasses import dataclass

from flask import abort, request, url_for
from flask_login import current_user

from app.csvsafe import csv_response, spreadsheet_safe
from app.extensions import db
from app.htmx import is_partial_request
from app.insights import bp, charts, queries, services, story
from app.insights.forms import NARRATIVE_HINT, NarrativeForm
from app.models import Meeting, MeetingInsight, Phase, Post, Role, Series
from app.permissions import has_role
from app.timeutil import LONDON, utcnow


def today():
    """Today's date in the UK: what "overdue" is measured against."""
    return utcnow().astimezone(LONDON).date()


def meeting_or_404(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id) or abort(404)


def series_or_404(series_id: int) -> Series:
    return db.session.get(Series, series_id) or abort(404)


def post_or_404(post_id: int) -> Post:
    return db.session.get(Post, post_id) or abort(404)


def narrative_form(insight: MeetingInsight | None) -> NarrativeForm:
    """A fresh narrative form holding the saved text at its current version."""
    return NarrativeForm(
        formdata=None,
        data={
            "narrative": insight.narrative if insight else "",
            "version": str(insight.version if insight else 0),
        },
    )


def meeting_context(
    meeting: Meeting, *, form: NarrativeForm | None = None, saved: bool = False
) -> dict:
    """Everything the meeting's insights page and its narrative fragment show (fixed number of
    queries: the figures, the narrative, the pins, one page of posts to pin)."""
    report = queries.meeting_report(meeting, today())
    insight = story.insight_for(meeting.id)
    pins = story.pins_for(meeting.id)
    pinned_ids = {pin.post_id for pin in pins}
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    posts = story.meeting_posts_page(meeting.id, page)
    return {
        "meeting": meeting,
        "series": meeting.series,
        "report": report,
        "figures": report.figures,
        "themes": report.themes,
        "charts": charts.meeting_charts(report),
        "phase_labels": charts.PHASE_LABELS,
        "top": queries.TOP,
        "insight": insight,
        "pins": pins,
        "pinned_ids": pinned_ids,
        "posts": posts,
        "pagination": posts,
        "page_url": lambda n: url_for(
            "insights.meeting", meeting_id=meeting.id, page=n, _anchor="pick"
        ),
        "pagination_label": "Posts to pin, pages",
        "form": form or narrative_form(insight),
        "narrative_hint": NARRATIVE_HINT,
        "saved": saved,
        "partial": is_partial_request(),
        "next_url": url_for("insights.meeting", meeting_id=meeting.id),
        "pin_for": lambda post: pin_context(
            post,
            pinned=post.id in pinned_ids,
            next_url=url_for(
                "insights.meeting",
                meeting_id=meeting.id,
                page=page,
                _anchor=f"insight-post-{post.id}",
            ),
        ),
    }


def series_context(series: Series) -> dict:
    report = queries.series_report(series, today())
    return {
        "series": series,
        "report": report,
        "totals": report.totals,
        "charts": charts.series_charts(report),
        "phase_labels": charts.PHASE_LABELS,
        "meeting_label": charts.meeting_label,
        "top": queries.TOP,
    }


def summary_context(meeting: Meeting) -> dict | None:
    """The member-facing summary: as published (frozen figures and narrative, the pinned posts
    members can still read, without names), or a facilitator's preview of the draft. None
    when there is nothing this person may read."""
    facilitator = has_role(Role.FACILITATOR)
    if meeting.is_draft and not facilitator:
        return None
    insight = story.insight_for(meeting.id)
    published = insight is not None and insight.is_published
    if published:
        figures = insight.published_figures
        narrative_html = insight.published_html
        pins = story.pins_for(meeting.id, figures.get("pins", []))
    elif facilitator:
        pins = story.pins_for(meeting.id)
        figures = services.summary_figures(queries.meeting_report(meeting, today()), [])
        narrative_html = insight.narrative_html if insight else ""
    else:
        return None
    return {
        "meeting": meeting,
        "series": meeting.series,
        "insight": insight,
        "quotes": [quote(pin.post) for pin in pins],
        "published": published,
        "facilitator": facilitator,
        "figures": figures,
        "narrative_html": narrative_html,
        "phase_labels": charts.PHASE_LABELS,
        "top": queries.TOP,
    }


# A mention link (app/boards/mentions.py builds exactly this) names a member: quotes drop it.
MENTION_LINK = re.compile(r'<a class="mention" href="[^"]*">@[^<]*</a>')


@dataclass(frozen=True)
class Quote:
    title: str
    html: str
    phase: str


def quote(post: Post) -> Quote:
    """A pinned post as the summary quotes it: no author, and "@a member" for each mention."""
    return Quote(
        post.title if post.is_thread else "",
        MENTION_LINK.sub("@a member", post.body_html),
        post.phase,
    )


# CSV: aggregates only (no names, no ids of people), formula-safe -----------------------------

CSV_HEADER = ("Meeting", "Date", "Theme", "Measure", "Value")


def _figure_rows(f: queries.Figures) -> list[tuple[str, object]]:
    return [
        ("Registered", f.registered),
        ("Attended (head count)", "" if f.attendance is None else f.attendance),
        ("Took part on the boards", f.taking_part),
        ("Registered and took part", f.registered_taking_part),
        ("Wrote posts", f.posters),
        ("Voted", f.voters),
        *[(f"Posts {charts.PHASE_LABELS[p].lower()}", f.posts[p]) for p in Phase.ALL],
        ("Posts", f.posts_total),
        ("Questions asked", f.questions),
        ("Questions voted on", f.questions_voted),
        ("Votes", f.votes),
        ("Questions put on the agenda", f.on_agenda),
        ("Questions discussed", f.discussed),
        ("Questions skipped", f.skipped),
        ("Actions made", f.actions),
        ("Actions done", f.actions_done),
        ("Actions done on time", f.actions_on_time),
        ("Actions overdue", f.actions_overdue),
        ("Actions open", f.actions_open),
        ("Actions dropped", f.actions_dropped),
    ]


def _theme_rows(t: queries.ThemeFigures) -> list[tuple[str, object]]:
    return [
        *[(f"Posts {charts.PHASE_LABELS[p].lower()}", t.posts[p]) for p in Phase.ALL],
        ("Posts", t.total),
        ("Members who posted", t.posters),
        (f"Posts by the top {queries.TOP} posters", t.top_posts),
        (
            f"Share of posts by the top {queries.TOP} posters (%)",
            "" if t.top_share is None else t.top_share,
        ),
    ]


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def _day(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(LONDON).date().isoformat()


def meeting_csv(meeting: Meeting):
    report = queries.meeting_report(meeting, today())
    rows = [(meeting.title, _day(meeting), "", m, v) for m, v in _figure_rows(report.figures)]
    for t in report.themes:
        rows += [(meeting.title, _day(meeting), t.title, m, v) for m, v in _theme_rows(t)]
    return csv_response(_csv(rows), f"insights-meeting-{meeting.id}.csv")


def series_csv(series: Series):
    report = queries.series_report(series, today())
    rows = []
    for meeting, f in report.rows:
        rows += [(meeting.title, _day(meeting), "", m, v) for m, v in _figure_rows(f)]
    whole = f"Whole series: {series.title}"
    rows += [(whole, "", "", m, v) for m, v in _figure_rows(report.totals)]
    for t in report.themes:
        rows += [(whole, "", t.title, m, v) for m, v in _theme_rows(t)]
    return csv_response(_csv(rows), f"insights-series-{series.id}.csv")


# The pin control, for the boards' thread page -----------------------------------------------


@bp.app_template_global()
def insight_pin(post: Post) -> dict | None:
    """The "Pin to insights" control's state for a post: facilitators only (one query), None
    for everyone else (no query)."""
    if not has_role(Role.FACILITATOR) or post is None:
        return None
    return pin_context(post, pinned=story.is_pinned(post.id))


def post_label(post: Post) -> str:
    """How a pin button names its post for screen readers: the thread's title, or the reply's
    place ('a reply in “…”'); the thread must be loaded for a reply."""
    if post.is_thread:
        return f"“{post.title}”"
    return f"a reply in “{post.root.title}”" if post.root is not None else "a reply"


def pin_context(post: Post, *, pinned: bool, next_url: str | None = None) -> dict:
    return {
        "post": post,
        "pinned": pinned,
        "next_url": next_url or request.full_path.rstrip("?"),
        "label": post_label(post),
    }


@bp.app_template_global()
def insight_links(meeting: Meeting) -> dict | None:
    """Links from a meeting's page: the published summary for members, the insights page too
    for facilitators (one query); None for visitors (no query)."""
    if not current_user.is_authenticated or meeting is None:
        return None
    insight = story.insight_for(meeting.id)
    links = {
        "facilitator": has_role(Role.FACILITATOR),
        "summary": insight is not None and insight.is_published,
    }
    return links if any(links.values()) else None
