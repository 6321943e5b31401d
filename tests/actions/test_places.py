"""Where actions show outside their own pages: a meeting, a thread, a theme and a series page."""

from datetime import timedelta

from app.extensions import db
from app.models import Meeting, Role
from tests.actions.conftest import text, today


def test_meeting_page_lists_its_actions_for_members(world):
    me, rhys = world.user(name="Amara Okafor"), world.user(name="Rhys Evans")
    meeting = world.meeting(title="Using data well")
    board = world.board_of(meeting.id)
    thread = world.thread(board, me, title="Trusted data")
    world.action(me, title="From the meeting", owners=[rhys], source=("meeting", meeting.id))
    world.action(
        me, title="From its thread", source=("post", thread), due_on=today() - timedelta(days=1)
    )
    world.action(me, title="Somewhere else")
    page = text(world.client(me).get(f"/meetings/{meeting.id}"))
    section = page[page.index(f'id="actions-for-meeting-{meeting.id}"') :]
    section = section[: section.index("</section>")]
    assert "From the meeting" in section and "From its thread" in section
    assert "Somewhere else" not in section
    assert "Owned by Amara Okafor, Rhys Evans" in section and "Overdue" in section
    assert f'href="/actions/new?meeting={meeting.id}"' in section
    assert "actions-review-link" not in section  # for facilitators only
    page = text(world.client(world.user(Role.FACILITATOR)).get(f"/meetings/{meeting.id}"))
    assert f'href="/actions/review/{meeting.id}" id="actions-review-link-{meeting.id}"' in page


def test_visitors_see_nothing_of_actions(world):
    me = world.user()
    meeting = world.meeting()
    board = world.board_of(meeting.id)
    thread = world.thread(board, me)
    world.action(me, title="Members only", source=("post", thread))
    with world.app.app_context():
        series_id = db.session.get(Meeting, meeting.id).series_id
        theme_id = db.session.get(Meeting, meeting.id).boards[0].theme_id
    urls = [f"/meetings/{meeting.id}", f"/boards/threads/{thread}", f"/boards/themes/{theme_id}"]
    for url in [*urls, f"/meetings/series/{series_id}"]:
        page = text(world.client().get(url))
        assert (
            "Members only" not in page
            and "actions-for-" not in page
            and "actions-chart" not in page
        ), url


def test_thread_page_lists_its_actions(world):
    me = world.user()
    board = world.board_of(world.meeting().id)
    thread = world.thread(board, me, title="Pooling budgets")
    other = world.thread(board, me, title="Another")
    world.action(me, title="Follow the thread up", source=("post", thread))
    world.action(me, title="On the other thread", source=("post", other))
    page = text(world.client(me).get(f"/boards/threads/{thread}"))
    section = page[page.index(f'id="actions-for-post-{thread}"') :]
    assert "Follow the thread up" in section and "On the other thread" not in section
    assert f'href="/actions/new?post={thread}"' in section


def test_theme_page_lists_actions_from_its_boards(world):
    me = world.user()
    series_id, (m1, m2) = world.series_with_meetings(-20, -5)
    world.action(me, title="From the first board", source=("board", world.board_of(m1)))
    world.action(me, title="From the second board", source=("board", world.board_of(m2)))
    world.action(me, title="From a meeting only", source=("meeting", m1))
    with world.app.app_context():
        theme_id = db.session.get(Meeting, m1).boards[0].theme_id
    page = text(world.client(me).get(f"/boards/themes/{theme_id}"))
    section = page[page.index(f'id="actions-for-theme-{theme_id}"') :]
    assert "From the first board" in section and "From the second board" in section
    assert "From a meeting only" not in section
    assert "/actions/new?theme" not in section
    assert series_id


def test_series_page_has_the_chart_and_table(world):
    me = world.user()
    series_id, (m1, m2) = world.series_with_meetings(-40, -10)
    world.action(me, source=("meeting", m1), status="done")
    world.action(me, source=("meeting", m1), status="dropped")
    world.action(me, source=("meeting", m2))
    page = text(world.client(me).get(f"/meetings/series/{series_id}"))
    chart = page[page.index(f'id="actions-chart-{series_id}"') :]
    assert (
        f'<svg role="img" aria-labelledby="actions-chart-{series_id}-title '
        f'actions-chart-{series_id}-desc"' in chart
    )
    assert "<title id=" in chart and "<desc id=" in chart and "done on time 1 of 1 (100%)" in chart
    # Patterns, a legend with words, and the numbers in a table: never colour alone.
    assert chart.count("<pattern ") == 5 and ">In progress</text>" in chart
    assert "<caption>Actions by status for each meeting</caption>" in chart
    assert '<th scope="col" class="numeric">Done on time</th>' in chart
    assert "style=" not in chart and "<script" not in chart
    assert f'id="actions-chart-{series_id}-share">1 of 1 (100%)</strong>' in chart


def test_series_page_without_actions(world):
    series_id, _ = world.series_with_meetings(-10)
    page = text(world.client(world.user()).get(f"/meetings/series/{series_id}"))
    assert f'id="actions-chart-{series_id}-empty"' in page


def test_nav_links_members_to_actions(world):
    assert 'href="/actions/"' in text(world.client(world.user()).get("/"))
    assert 'href="/actions/"' not in text(world.client().get("/"))


def test_meeting_page_costs_one_more_query_for_members_whatever_the_actions(world, count_queries):
    me = world.user(Role.MEMBER)
    meeting = world.meeting()
    client = world.client(me)
    counts = []
    for n in (0, 1, 10):
        while world.count(__import__("app.models", fromlist=["Action"]).Action) < n:
            world.action(me, owners=[world.user()], source=("meeting", meeting.id))
        with count_queries() as q:
            assert client.get(f"/meetings/{meeting.id}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] == counts[2], counts
