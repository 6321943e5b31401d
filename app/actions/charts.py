"""The series page's chart of actions by status for each meeting, drawn on the server as SVG.

This module works out the numbers and the geometry; templates/actions/_series_chart.html draws
it with presentation attributes only (no script, no style attributes: the CSP allows it). Each
status has a colour with at least 3:1 contrast on white, its own pattern and a legend, and the
numbers are in a table beside the chart, so nothing depends on colour.
"""

from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from app.extensions import db
from app.models import Action, ActionStatus, Meeting, MeetingStatus
from app.timeutil import format_day, utcnow

# (fill colour, pattern kind, pattern ink) per status.
STYLES = {
    ActionStatus.PROPOSED: ("#505a5f", "dots", "#ffffff"),
    ActionStatus.OPEN: ("#1d70b8", "solid", ""),
    ActionStatus.IN_PROGRESS: ("#6f4a00", "stripes", "#ffffff"),
    ActionStatus.DONE: ("#00703c", "checks", "#ffffff"),
    ActionStatus.DROPPED: ("#942514", "lines", "#ffffff"),
}

WIDTH = 720
LABEL_WIDTH = 180
BAR_MAX = 330
ROW_HEIGHT = 40
BAR_HEIGHT = 24
TOP = 8
LEGEND_HEIGHT = 56
MAX_MEETINGS = 24


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class ChartRow:
    meeting: Meeting
    counts: dict
    total: int
    done: int
    on_time: int
    y: float = 0
    segments: list = field(default_factory=list)

    @property
    def day(self) -> str:
        local = format_day(self.meeting.starts_at)  # 'Thursday 24 February 2022'
        return local.split(" ", 1)[1]

    @property
    def end_x(self) -> float:
        return LABEL_WIDTH + sum(s.width for s in self.segments) + 8

    @property
    def share(self) -> str:
        return share_text(self.on_time, self.done)


def share_text(on_time: int, done: int) -> str:
    """'3 of 4 (75%)', or 'None done yet'."""
    if not done:
        return "None done yet"
    return f"{on_time} of {done} ({round(100 * on_time / done)}%)"


@dataclass
class SeriesChart:
    series_id: int
    series_title: str
    rows: list
    statuses: tuple = ActionStatus.ALL
    labels: dict = field(default_factory=lambda: dict(ActionStatus.LABELS))
    styles: dict = field(default_factory=lambda: dict(STYLES))
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return TOP + ROW_HEIGHT * len(self.rows) + LEGEND_HEIGHT

    @property
    def legend_y(self) -> int:
        return TOP + ROW_HEIGHT * len(self.rows) + 12

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.rows)

    @property
    def on_time(self) -> int:
        return sum(r.on_time for r in self.rows)

    @property
    def share(self) -> str:
        return share_text(self.on_time, self.done)

    def legend(self) -> list[tuple[str, str, int]]:
        """(status, label, x) for the legend swatches, spread across the width."""
        step = self.width // len(self.statuses)
        return [(s, self.labels[s], i * step) for i, s in enumerate(self.statuses)]

    @property
    def description(self) -> str:
        """The text alternative: every number the bars show, in words."""
        parts = []
        for row in self.rows:
            counts = ", ".join(
                f"{row.counts[s]} {self.labels[s].lower()}" for s in self.statuses if row.counts[s]
            )
            parts.append(
                f"{row.meeting.title} ({row.day}): {counts or 'no actions'}; "
                f"done on time {row.share}"
            )
        overall = f"Across the series, done on time: {self.share}."
        return "; ".join(parts) + (". " if parts else "") + overall


def series_chart(series_id: int, series_title: str = "", now=None) -> SeriesChart:
    """Actions by status for each meeting of the series that has started or has actions
    (oldest first), and how many of the done ones were done by their due date: two queries."""
    now = now or utcnow()
    on_time = case(
        (
            (Action.status == ActionStatus.DONE) & (Action.done_on <= Action.due_on),
            1,
        ),
        else_=0,
    )
    counts: dict[int, dict[str, int]] = {}
    timely: dict[int, int] = {}
    for meeting_id, status, n, good in db.session.execute(
        select(Action.meeting_id, Action.status, func.count(Action.id), func.sum(on_time))
        .join(Meeting, Meeting.id == Action.meeting_id)
        .where(Meeting.series_id == series_id)
        .group_by(Action.meeting_id, Action.status)
    ):
        counts.setdefault(meeting_id, dict.fromkeys(ActionStatus.ALL, 0))[status] = n
        timely[meeting_id] = timely.get(meeting_id, 0) + int(good or 0)
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.series_id == series_id,
            Meeting.status != MeetingStatus.DRAFT,
            or_(Meeting.starts_at <= now, Meeting.id.in_(list(counts) or [0])),
        )
        .order_by(Meeting.starts_at.desc())
        .limit(MAX_MEETINGS)
    ).all()
    rows = []
    for meeting in reversed(meetings):
        c = counts.get(meeting.id, dict.fromkeys(ActionStatus.ALL, 0))
        rows.append(
            ChartRow(
                meeting=meeting,
                counts=c,
                total=sum(c.values()),
                done=c[ActionStatus.DONE],
                on_time=timely.get(meeting.id, 0),
            )
        )
    _lay_out(rows)
    return SeriesChart(series_id=series_id, series_title=series_title, rows=rows)


def _lay_out(rows: list[ChartRow]) -> None:
    """Stacked horizontal bars on one scale (the busiest meeting fills BAR_MAX)."""
    biggest = max((r.total for r in rows), default=0) or 1
    for i, row in enumerate(rows):
        row.y = TOP + i * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        for status in ActionStatus.ALL:
            n = row.counts[status]
            if not n:
                continue
            width = round(BAR_MAX * n / biggest, 1)
            row.segments.append(Segment(status, ActionStatus.LABELS[status], n, x, width))
            x += width
