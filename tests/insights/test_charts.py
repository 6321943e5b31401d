"""The shared SVG bar charts (app/charts.py): geometry on one scale, and words for every bar."""

from app.charts import BAR_MAX, LABEL_MAX, Key, grouped_bars, keys, simple_bars, stacked_bars

PHASES = keys(("before", "Before"), ("during", "During"), ("after", "After"))


def test_stacked_bars_share_one_scale():
    chart = stacked_bars(
        "c", "Posts", PHASES, [("A", {"before": 3, "during": 1, "after": 4}), ("B", {"after": 2})]
    )
    a, b = chart.rows
    assert (a.total, b.total) == (8, 2)
    widths = [s.width for s in a.bars[0].segments]
    assert sum(widths) == BAR_MAX and widths == [202.5, 67.5, 270.0]
    assert [s.x for s in a.bars[0].segments] == [0.0, 202.5, 270.0]
    assert [s.key.name for s in b.bars[0].segments] == ["after"]  # zero segments are not drawn
    assert b.bars[0].segments[0].width == BAR_MAX / 4
    assert b.y > a.bars[0].y and chart.height > b.bars[0].y and chart.show_legend
    assert chart.description == (
        "A: 3 before, 1 during, 4 after (total 8). B: 0 before, 0 during, 2 after (total 2)."
    )


def test_grouped_bars_one_bar_a_key():
    chart = grouped_bars(
        "g",
        "People",
        keys(("reg", "Registered"), ("part", "Took part")),
        [("M", {"reg": 4, "part": 2})],
    )
    bars = chart.rows[0].bars
    assert [(b.total, b.note) for b in bars] == [(4, "Registered"), (2, "Took part")]
    assert bars[0].segments[0].width == BAR_MAX and bars[1].segments[0].width == BAR_MAX / 2
    assert bars[1].y > bars[0].y
    assert chart.description == "M: 4 registered, 2 took part."


def test_simple_bars_with_notes_and_units():
    chart = simple_bars(
        "s", "Breadth", Key("posters", "Members"), [("A", 1, "all by one"), ("B", 3)], unit="member"
    )
    assert not chart.show_legend
    assert chart.description == "A: 1 member; all by one. B: 3 members."


def test_empty_chart_and_long_labels():
    chart = simple_bars("e", "Nothing", Key("n", "N"), [("x" * 200, 0, "a note")])
    assert chart.is_empty and chart.rows[0].bars[0].segments == []
    label = chart.rows[0].short_label
    assert label.endswith("…") and len(label) + len(" · a note") <= LABEL_MAX
