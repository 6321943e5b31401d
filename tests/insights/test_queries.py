"""Every figure of app/insights/queries.py, computed on the known community (conftest.py) and
asserted exactly."""

from datetime import timedelta

from app.actions.services import today
from app.extensions import db
from app.insights import queries, story
from app.models import Meeting, Post, Series


def test_meeting_figures(app, known):
    with app.app_context():
        report = queries.meeting_report(db.session.get(Meeting, known.meeting), today())
        f = report.figures
        assert (f.registered, f.attendance) == (4, 7)
        assert (f.posters, f.voters, f.taking_part, f.registered_taking_part) == (5, 4, 5, 4)
        assert f.posts == {"before": 3, "during": 2, "after": 6} and f.posts_total == 11
        assert (f.questions, f.questions_voted, f.votes) == (3, 2, 4)
        assert (f.on_agenda, f.discussed, f.skipped) == (3, 1, 1)
        assert (f.actions, f.actions_done, f.actions_on_time, f.actions_late) == (6, 2, 1, 1)
        assert (f.actions_overdue, f.actions_dropped, f.actions_open) == (1, 1, 2)


def test_meeting_themes_breadth(app, known):
    with app.app_context():
        report = queries.meeting_report(db.session.get(Meeting, known.meeting), today())
        a, b = report.themes
        assert (a.theme_id, a.title, b.title) == (
            known.themes["A"],
            "Holistic approach",
            "Using data well",
        )
        assert a.posts == {"before": 3, "during": 1, "after": 5}
        assert (a.total, a.posters, a.top_posts, a.top_share, a.top_people) == (9, 5, 7, 78, 3)
        assert b.posts == {"before": 0, "during": 1, "after": 1}
        assert (b.total, b.posters, b.top_posts, b.top_share, b.top_people) == (2, 1, 2, 100, 1)


def test_series_figures_count_people_once(app, known):
    with app.app_context():
        report = queries.series_report(db.session.get(Series, known.series), today())
        # The draft M3 is left out; M first, then M2.
        assert [m.id for m, _ in report.rows] == [known.meeting, known.meeting2]
        m2 = report.rows[1][1]
        assert (m2.registered, m2.posters, m2.voters, m2.taking_part) == (2, 2, 1, 3)
        assert m2.registered_taking_part == 2 and m2.attendance is None
        assert m2.posts == {"before": 2, "during": 0, "after": 0}
        assert (m2.questions, m2.questions_voted, m2.votes, m2.actions) == (1, 1, 1, 0)
        t = report.totals
        # Distinct people across the series (not sums): 1-4 and 6 registered; 1-7 took part.
        assert (t.registered, t.posters, t.voters, t.taking_part) == (5, 6, 5, 7)
        assert t.registered_taking_part == 5
        assert t.posts == {"before": 5, "during": 2, "after": 6}
        assert (t.questions, t.questions_voted, t.votes) == (4, 3, 5)
        assert (t.on_agenda, t.discussed, t.actions, t.actions_on_time) == (3, 1, 6, 1)
        assert t.attendance == 7


def test_series_themes_across_meetings(app, known):
    with app.app_context():
        report = queries.series_report(db.session.get(Series, known.series), today())
        a, b = report.themes
        # Theme A: M's 9 posts and M2's 2; 1 wrote 5, 2 wrote 2, then one each (6 posters).
        assert (a.total, a.posters, a.top_posts, a.top_share) == (11, 6, 8, 73)
        assert (b.total, b.posters, b.top_posts, b.top_share) == (2, 1, 2, 100)


def test_an_empty_meeting_has_zero_figures(app, make):
    meeting = make.meeting()
    db.session.commit()
    report = queries.meeting_report(meeting, today())
    f = report.figures
    assert f.posts_total == f.registered == f.taking_part == f.actions == 0
    assert f.attendance is None
    assert [(t.total, t.posters, t.top_share) for t in report.themes] == [(0, 0, None)]


def test_series_without_meetings(app, make):
    series = make.series()
    db.session.commit()
    report = queries.series_report(series, today())
    assert report.rows == [] and report.totals.taking_part == 0
    assert [t.total for t in report.themes] == [0]


def test_overdue_follows_the_uk_date(app, known):
    with app.app_context():
        meeting = db.session.get(Meeting, known.meeting)
        # Seen from a week ago, nothing was overdue yet.
        f = queries.meeting_report(meeting, today() - timedelta(days=7)).figures
        assert f.actions_overdue == 0 and f.actions_open == 3


def test_hiding_a_post_takes_it_out_of_every_figure(app, known):
    with app.app_context():
        meeting = db.session.get(Meeting, known.meeting)
        q1 = db.session.get(Post, known.posts["q1"])
        q1.hidden_at = q1.created_at
        db.session.flush()
        f = queries.meeting_report(meeting, today()).figures
        # q1 and its 4 counted replies go; so do its 3 votes and its agenda item.
        assert f.posts_total == 11 - 5
        assert (f.questions, f.questions_voted, f.votes) == (2, 1, 1)
        assert (f.on_agenda, f.discussed) == (2, 0)
        db.session.rollback()


def test_pins_members_can_read_only(app, known):
    with app.app_context():
        from tests import factories

        for name in ("q1", "r4"):
            factories.insight_pin(db.session.get(Post, known.posts[name]))
        db.session.commit()
        pins = story.pins_for(known.meeting)
        assert [p.post_id for p in pins] == [known.posts["q1"], known.posts["r4"]]
        assert story.is_pinned(known.posts["q1"]) and not story.is_pinned(known.posts["q2"])
        q1 = db.session.get(Post, known.posts["q1"])
        q1.hidden_at = q1.created_at
        db.session.commit()
        # Hidden after pinning: q1 goes, and so does r4 (its thread is hidden).
        assert story.pins_for(known.meeting) == []


def test_posts_to_pick_from(app, known):
    with app.app_context():
        page = story.meeting_posts_page(known.meeting, 1)
        assert page.total == 11
        ids = [p.id for p in page.items]
        assert known.posts["q3"] not in ids and known.posts["removed"] not in ids
        created = [p.created_at for p in page.items]
        assert created == sorted(created, reverse=True)
