"""The facilitators' insights pages (series and meeting: figures, charts, tables, query
counts), who may reach them, and the CSV downloads."""

import csv
import io
import re

import pytest

from app.extensions import db
from app.models import Role
from tests.conftest import client_as
from tests.insights.conftest import (
    HX,
    add_activity,
    cell,
    facilitator_posts,
    facilitator_urls,
    insight,
    pinned,
    text,
)

# The meeting page -----------------------------------------------------------------------------


def test_meeting_page_shows_figures_charts_and_tables(known, facilitator_client):
    response = facilitator_client.get(f"/insights/meetings/{known.meeting}")
    assert response.status_code == 200
    page = text(response)
    assert "<title>Insights: Taking a holistic approach – Roundtable</title>" in page
    assert 'id="glance-registered">4<' in page
    assert "7 (head count)" in page
    assert "5 (4 of them registered)" in page
    assert "11: 3 before, 2 during, 6 after" in page
    assert "3 asked, 2 voted on, 3 put on the agenda, 1 discussed, 1 skipped" in page
    assert "6 made, 1 done on time, 1 done late, 1 overdue, 1 dropped" in page
    m = known.meeting
    # Posts by theme and phase, beside the chart.
    assert cell(page, f"insights-posts-m{m}-table", "Holistic approach") == ["3", "1", "5", "9"]
    assert cell(page, f"insights-posts-m{m}-table", "Using data well") == ["0", "1", "1", "2"]
    # Breadth: posts, members who posted, posts by the top 3, their share.
    assert cell(page, f"insights-breadth-m{m}-table", "Holistic approach") == [
        "9", "5", "7", "78%",
    ]  # fmt: skip
    assert cell(page, f"insights-questions-m{m}-table", "Put on the agenda") == ["3"]
    assert cell(page, f"insights-actions-m{m}-table", "Overdue") == ["1"]
    assert cell(page, f"insights-people-m{m}-table", "Voted") == ["4"]


def test_charts_are_accessible_svg_without_style_attributes(known, facilitator_client):
    page = text(facilitator_client.get(f"/insights/meetings/{known.meeting}"))
    m = known.meeting
    for name in ("people", "posts", "breadth", "questions", "actions"):
        cid = f"insights-{name}-m{m}"
        assert f'aria-labelledby="{cid}-title {cid}-desc"' in page
        assert f'<title id="{cid}-title">' in page and f'<desc id="{cid}-desc">' in page
        assert f'id="{cid}-table"' in page
    assert page.count('role="img"') == 5
    assert "style=" not in page and "<script>" not in page
    # The description says the numbers in words.
    assert (
        "Holistic approach: 3 before the meeting, 1 during the meeting, 5 after the meeting" in page
    )
    assert "the top 3 wrote 78% of 9 posts" in page
    for table in re.findall(r"<table.*?</table>", page, re.S):
        assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table


def test_meeting_page_lists_posts_to_pin_without_hidden_ones(known, facilitator_client):
    page = text(facilitator_client.get(f"/insights/meetings/{known.meeting}"))
    assert f'id="insight-post-{known.posts["q1"]}"' in page
    assert f'id="insight-pin-{known.posts["q1"]}"' in page
    assert f'id="insight-post-{known.posts["q3"]}"' not in page
    assert "Reply in “Who pools budgets?”" in page
    assert 'id="insight-pins-empty-' in page


def test_meeting_page_query_count_does_not_grow(app, known, facilitator_client, count_queries):
    url = f"/insights/meetings/{known.meeting}"
    facilitator_client.get(url)
    with count_queries() as small:
        assert facilitator_client.get(url).status_code == 200
    with app.app_context():
        add_activity(known.meeting, 30)
        db.session.commit()
    with count_queries() as large:
        page = text(facilitator_client.get(url))
    assert "More 29" in page  # the larger data is there
    assert large.count == small.count, large.statements


def test_series_page_query_count_does_not_grow(app, known, facilitator_client, count_queries):
    url = f"/insights/series/{known.series}"
    facilitator_client.get(url)
    with count_queries() as small:
        assert facilitator_client.get(url).status_code == 200
    with app.app_context():
        add_activity(known.meeting, 20)
        add_activity(known.meeting2, 20)
        db.session.commit()
    with count_queries() as large:
        facilitator_client.get(url)
    assert large.count == small.count, large.statements


def test_series_page(known, facilitator_client):
    response = facilitator_client.get(f"/insights/series/{known.series}")
    assert response.status_code == 200
    page = text(response)
    s = known.series
    assert 'id="glance-meetings">2<' in page
    assert "5 (each counted once)" in page
    assert "7 (each counted once; 5 of them registered for a meeting)" in page
    assert "Still a draft" not in page and "Another series" not in page
    assert cell(page, f"insights-questions-s{s}-table", "Using data well") == ["1", "1", "0", "0"]
    assert cell(page, f"insights-breadth-s{s}-table", "Holistic approach") == [
        "11", "6", "8", "73%",
    ]  # fmt: skip
    assert f'href="/insights/meetings/{known.meeting}"' in page
    assert page.count('role="img"') == 5 and "style=" not in page


def test_series_page_without_meetings(make, facilitator_client):
    series = make.series()
    db.session.commit()
    page = text(facilitator_client.get(f"/insights/series/{series.id}"))
    assert "This series has no meetings yet." in page


# Permissions ---------------------------------------------------------------------------------


def test_visitors_are_sent_to_log_in(client, known):
    for url in facilitator_urls(known) + [f"/insights/meetings/{known.meeting}/summary"]:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location, url
    for url, data in facilitator_posts(known):
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/auth/login" in response.location, url
    response = client.get(f"/insights/meetings/{known.meeting}", headers=HX)
    assert response.status_code == 401 and "/auth/login" in response.headers["HX-Redirect"]


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_get_403(app, known, role):
    client = client_as(app, Role[role.upper()])
    for url in facilitator_urls(known):
        assert client.get(url).status_code == 403, url
    for url, data in facilitator_posts(known):
        assert client.post(url, data=data).status_code == 403, url
    assert pinned(app, known.meeting) == set() and insight(app, known.meeting) is None


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_facilitators_and_admins_reach_every_page(app, known, role):
    client = client_as(app, Role[role.upper()])
    for url in facilitator_urls(known)[:4]:
        assert client.get(url).status_code == 200, url


def test_unknown_ids_are_404(known, facilitator_client):
    for url in (
        "/insights/series/9999",
        "/insights/series/9999.csv",
        "/insights/meetings/9999",
        "/insights/meetings/9999.csv",
        "/insights/meetings/9999/pins",
        "/insights/meetings/9999/summary",
    ):
        assert facilitator_client.get(url).status_code == 404, url
    for url in (
        "/insights/meetings/9999/narrative",
        "/insights/posts/9999/pin",
        "/insights/meetings/9999/publish",
        "/insights/meetings/9999/withdraw",
    ):
        assert facilitator_client.post(url, data={"narrative": "x", "pin": "1"}).status_code == 404


# CSV -----------------------------------------------------------------------------------------


def rows_of(response):
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_meeting_csv_has_aggregates_only(app, known, facilitator_client):
    rows = rows_of(facilitator_client.get(f"/insights/meetings/{known.meeting}.csv"))
    assert rows[0] == ["Meeting", "Date", "Theme", "Measure", "Value"]
    values = {(r[2], r[3]): r[4] for r in rows[1:]}
    assert values[("", "Registered")] == "4"
    assert values[("", "Took part on the boards")] == "5"
    assert values[("", "Posts before the meeting")] == "3"
    assert values[("", "Actions done on time")] == "1"
    assert values[("Holistic approach", "Members who posted")] == "5"
    assert values[("Holistic approach", "Share of posts by the top 3 posters (%)")] == "78"
    body = "\n".join(",".join(r) for r in rows)
    assert "Member 1" not in body and "@example.org" not in body  # nobody's name or address


def test_series_csv(known, facilitator_client):
    rows = rows_of(facilitator_client.get(f"/insights/series/{known.series}.csv"))
    whole = [r for r in rows if r[0].startswith("Whole series")]
    totals = {(r[2], r[3]): r[4] for r in whole}
    assert totals[("", "Took part on the boards")] == "7"
    assert totals[("Holistic approach", "Posts")] == "11"
    meetings = {r[0] for r in rows[1:]} - {r[0] for r in whole}
    assert meetings == {"Taking a holistic approach", "Using data well"}


def test_csv_is_formula_safe(app, make, facilitator_client):
    series = make.series(themes=('=HYPERLINK("http://x")',))
    meeting = make.meeting(series_=series, title="+SUM(A1)")
    db.session.commit()
    rows = rows_of(facilitator_client.get(f"/insights/meetings/{meeting.id}.csv"))
    assert {r[0] for r in rows[1:]} == {"'+SUM(A1)"}
    assert '\'=HYPERLINK("http://x")' in {r[2] for r in rows[1:]}
