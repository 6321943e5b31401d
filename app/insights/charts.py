"""Which charts the insights pages draw, from a report's figures (app/charts.py does the drawing
geometry; every number here comes from app/insights/queries.py)."""

from app.charts import BarChart, Key, grouped_bars, keys, simple_bars, stacked_bars
from app.insights.queries import TOP, Figures, MeetingReport, SeriesReport, ThemeFigures
from app.models import Meeting, Phase
from app.timeutil import format_day

PHASE_LABELS = {
    Phase.BEFORE: "Before the meeting",
    Phase.DURING: "During the meeting",
    Phase.AFTER: "After the meeting",
}
PHASE_KEYS = keys(*PHASE_LABELS.items())
PEOPLE_KEY = Key("people", "People")
ACTION_KEYS = keys(
    ("on_time", "Done on time"),
    ("late", "Done late"),
    ("open", "Open"),
    ("overdue", "Overdue"),
    ("dropped", "Dropped"),
)


def meeting_label(meeting: Meeting) -> str:
    """'24 February 2022: Taking a holistic approach' (the weekday is in the meeting's page)."""
    return f"{format_day(meeting.starts_at).split(' ', 1)[1]}: {meeting.title}"


def breadth_note(theme: ThemeFigures) -> str:
    """'the top 3 wrote 60% of 10 posts': how concentrated a theme's discussion was."""
    if not theme.total:
        return "no posts"
    top = "the one poster" if theme.posters == 1 else f"the top {theme.top_people}"
    return f"{top} wrote {theme.top_share}% of {_posts(theme.total)}"


def _posts(n: int) -> str:
    return f"{n} post" if n == 1 else f"{n} posts"


def action_values(f: Figures) -> dict[str, int]:
    return {
        "on_time": f.actions_on_time,
        "late": f.actions_late,
        "open": f.actions_open,
        "overdue": f.actions_overdue,
        "dropped": f.actions_dropped,
    }


def meeting_charts(report: MeetingReport) -> dict[str, BarChart]:
    """The meeting page's charts, each with a page-unique id."""
    f, mid = report.figures, report.meeting.id
    people = [
        ("Registered", f.registered),
        ("Took part on the boards (posted or voted)", f.taking_part),
        ("Registered and took part on the boards", f.registered_taking_part),
        ("Wrote posts", f.posters),
        ("Voted", f.voters),
    ]
    if f.attendance is not None:
        people.insert(1, ("Attended (head count)", f.attendance))
    return {
        "people": simple_bars(
            f"insights-people-m{mid}", "Who registered and who took part", PEOPLE_KEY, people
        ),
        "posts": stacked_bars(
            f"insights-posts-m{mid}",
            "Posts on each theme, before, during and after the meeting",
            PHASE_KEYS,
            [(t.title, t.posts) for t in report.themes],
        ),
        "breadth": simple_bars(
            f"insights-breadth-m{mid}",
            f"How many members spoke on each theme, and the share of the top {TOP}",
            Key("posters", "Members who posted"),
            [(t.title, t.posters, breadth_note(t)) for t in report.themes],
            unit="member",
        ),
        "questions": simple_bars(
            f"insights-questions-m{mid}",
            "From questions asked to questions discussed",
            Key("questions", "Questions"),
            [
                ("Asked", f.questions),
                ("Voted on", f.questions_voted),
                ("Put on the agenda", f.on_agenda),
                ("Discussed", f.discussed),
            ],
            unit="question",
        ),
        "actions": simple_bars(
            f"insights-actions-m{mid}",
            "Actions from the meeting and where they stand",
            Key("actions", "Actions"),
            [("Made", f.actions)] + [(k.label, action_values(f)[k.name]) for k in ACTION_KEYS],
            unit="action",
        ),
    }


def series_charts(report: SeriesReport) -> dict[str, BarChart]:
    """The series page's charts: a row a meeting (oldest first), and the themes across it."""
    sid = report.series.id
    rows = [(meeting_label(m), f) for m, f in report.rows]
    return {
        "people": grouped_bars(
            f"insights-people-s{sid}",
            "Registered and taking part, meeting by meeting",
            keys(("registered", "Registered"), ("taking_part", "Took part")),
            [
                (label, {"registered": f.registered, "taking_part": f.taking_part})
                for label, f in rows
            ],
        ),
        "posts": stacked_bars(
            f"insights-posts-s{sid}",
            "Posts before, during and after each meeting",
            PHASE_KEYS,
            [(label, f.posts) for label, f in rows],
        ),
        "questions": grouped_bars(
            f"insights-questions-s{sid}",
            "Questions asked, put on the agenda and discussed, meeting by meeting",
            keys(("asked", "Asked"), ("on_agenda", "On the agenda"), ("discussed", "Discussed")),
            [
                (label, {"asked": f.questions, "on_agenda": f.on_agenda, "discussed": f.discussed})
                for label, f in rows
            ],
        ),
        "actions": stacked_bars(
            f"insights-actions-s{sid}",
            "Actions from each meeting and where they stand",
            ACTION_KEYS,
            [(label, action_values(f)) for label, f in rows],
        ),
        "breadth": simple_bars(
            f"insights-breadth-s{sid}",
            f"How many members spoke on each theme across the series, and the top {TOP}'s share",
            Key("posters", "Members who posted"),
            [(t.title, t.posters, breadth_note(t)) for t in report.themes],
            unit="member",
        ),
    }
