"""Horizontal bar charts drawn on the server as SVG, for any area (shared by several areas).

Generalised from the actions series chart (app/actions/charts.py): the same colours and
patterns, for any numbers. This module works out the geometry and the text alternative;
templates/_macros/charts.html draws it with presentation attributes only (no script, no style
attributes: the CSP forbids both). Every key has a colour with at least 3:1 contrast on white,
its own pattern and a legend entry, and each chart says in words (<desc>) every number it
shows, so nothing depends on colour or on seeing the picture. Pages put the same numbers in a
table beside the chart.

Three shapes, all one bar chart underneath:
- simple: one bar a row (`simple_bars`);
- stacked: one bar a row, split by key (`stacked_bars`: posts before / during / after);
- grouped: one bar a key in each row (`grouped_bars`: registered next to taking part).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

# (fill colour, pattern, pattern ink): the actions chart's palette, in the order keys take it.
PALETTE = (
    ("#1d70b8", "solid", ""),
    ("#00703c", "checks", "#ffffff"),
    ("#6f4a00", "stripes", "#ffffff"),
    ("#505a5f", "dots", "#ffffff"),
    ("#942514", "lines", "#ffffff"),
    ("#4c2c92", "stripes", "#ffffff"),
)
INK = "#0b0c0c"

WIDTH = 720
BAR_MAX = 540  # the longest bar; the rest of the width holds its number
LABEL_HEIGHT = 20  # a row's label sits on its own line above its bars
BAR_HEIGHT = 22
BAR_GAP = 4
ROW_GAP = 14
LEGEND_HEIGHT = 40
LABEL_MAX = 90  # characters of a label line drawn in the SVG (the table and <desc> have it all)


@dataclass(frozen=True)
class Key:
    """One series of numbers: its name (used in ids), what the legend calls it, how it looks."""

    name: str
    label: str
    fill: str = PALETTE[0][0]
    pattern: str = PALETTE[0][1]
    ink: str = PALETTE[0][2]


def keys(*pairs: tuple[str, str]) -> tuple[Key, ...]:
    """Keys from (name, label) pairs, each taking the next colour and pattern of the palette."""
    return tuple(
        Key(name, label, *PALETTE[i % len(PALETTE)]) for i, (name, label) in enumerate(pairs)
    )


@dataclass
class Segment:
    key: Key
    value: int
    x: float
    width: float


@dataclass
class Bar:
    y: float
    total: int
    note: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def end_x(self) -> float:
        """Where the bar's number is written: just after its end."""
        return sum(s.width for s in self.segments) + 8


@dataclass
class Row:
    label: str
    values: dict[str, int]
    note: str = ""
    y: float = 0
    bars: list[Bar] = field(default_factory=list)

    @property
    def short_label(self) -> str:
        """The label as drawn: cut short (with an ellipsis) to leave room for the note."""
        limit = LABEL_MAX - len(self.note) - 3 if self.note else LABEL_MAX
        return self.label if len(self.label) <= limit else self.label[: limit - 1] + "…"

    @property
    def total(self) -> int:
        return sum(self.values.values())


@dataclass
class BarChart:
    """Geometry and words for one chart; `chart_id` prefixes every id it draws (unique a page)."""

    chart_id: str
    title: str
    keys: tuple[Key, ...]
    rows: list[Row]
    stacked: bool = True
    unit: str = ""
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    height: int = 0

    @property
    def show_legend(self) -> bool:
        return len(self.keys) > 1

    @property
    def legend_y(self) -> float:
        return self.height - LEGEND_HEIGHT + 10

    def legend(self) -> list[tuple[Key, int]]:
        """(key, x) for the legend swatches, spread across the width."""
        step = self.width // max(len(self.keys), 1)
        return [(key, i * step) for i, key in enumerate(self.keys)]

    @property
    def is_empty(self) -> bool:
        return not any(row.total for row in self.rows)

    @property
    def description(self) -> str:
        """The text alternative: every number the bars show, in words."""
        parts = []
        for row in self.rows:
            if len(self.keys) == 1:
                counts = _count(row.values.get(self.keys[0].name, 0), self.unit)
            else:
                counts = ", ".join(
                    f"{row.values.get(k.name, 0)} {k.label.lower()}" for k in self.keys
                )
                if self.stacked:
                    counts += f" (total {row.total})"
            parts.append(f"{row.label}: {counts}" + (f"; {row.note}" if row.note else ""))
        return ". ".join(parts) + "." if parts else "No data."


def _count(n: int, unit: str) -> str:
    if not unit:
        return str(n)
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def bar_chart(
    chart_id: str,
    title: str,
    chart_keys: Sequence[Key],
    data: Sequence[tuple],
    *,
    stacked: bool = True,
    unit: str = "",
) -> BarChart:
    """A chart of rows (label, {key name: value}[, note]) on one scale, laid out.

    stacked=True: one bar a row made of a segment a key; False: one bar a key in each row.
    The longest bar (a stacked total, or the largest value) fills BAR_MAX.
    """
    rows = [
        Row(d[0], {k.name: int(d[1].get(k.name) or 0) for k in chart_keys}, *d[2:]) for d in data
    ]
    chart = BarChart(chart_id, title, tuple(chart_keys), rows, stacked=stacked, unit=unit)
    _lay_out(chart)
    return chart


def simple_bars(chart_id: str, title: str, key: Key, data: Sequence[tuple], unit: str = ""):
    """One bar a row: data is (label, value[, note])."""
    return bar_chart(
        chart_id, title, (key,), [(d[0], {key.name: d[1]}, *d[2:]) for d in data], unit=unit
    )


def stacked_bars(chart_id: str, title: str, chart_keys: Sequence[Key], data: Sequence[tuple]):
    """One bar a row split into a segment a key: data is (label, {key: value}[, note])."""
    return bar_chart(chart_id, title, chart_keys, data, stacked=True)


def grouped_bars(chart_id: str, title: str, chart_keys: Sequence[Key], data: Sequence[tuple]):
    """A bar a key in each row: data is (label, {key: value}[, note])."""
    return bar_chart(chart_id, title, chart_keys, data, stacked=False)


def _lay_out(chart: BarChart) -> None:
    if chart.stacked:
        biggest = max((row.total for row in chart.rows), default=0)
    else:
        biggest = max((v for row in chart.rows for v in row.values.values()), default=0)
    scale = BAR_MAX / (biggest or 1)
    y = 0.0
    for row in chart.rows:
        row.y = y
        y += LABEL_HEIGHT
        groups = [chart.keys] if chart.stacked else [(k,) for k in chart.keys]
        for group in groups:
            bar = Bar(y=y, total=sum(row.values[k.name] for k in group), note="")
            x = 0.0
            for key in group:
                value = row.values[key.name]
                if value:
                    width = round(scale * value, 1)
                    bar.segments.append(Segment(key, value, x, width))
                    x += width
            if not chart.stacked:
                bar.note = group[0].label
            row.bars.append(bar)
            y += chart.bar_height + BAR_GAP
        y += ROW_GAP - BAR_GAP
    chart.height = int(y) + (LEGEND_HEIGHT if chart.show_legend else 0)
