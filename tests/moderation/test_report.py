"""The open moderation report: monthly counts, reasons and median decision times, no names."""

from datetime import date, timedelta

from app.extensions import db
from app.models import Flag, Review
from app.moderation import report
from app.timeutil import LONDON, utcnow
from tests.moderation.conftest import text


def test_month_starts_run_back_a_year():
    starts = report.month_starts(date(2026, 2, 14))
    assert len(starts) == 12
    assert starts[0] == date(2025, 3, 1) and starts[-1] == date(2026, 2, 1)


def test_report_counts_this_months_moderation(world, count_queries):
    board = world.board()
    author = world.user(name="Owen Price")
    mod = world.moderator(name="Tom Byrne")
    hidden_by_reports = world.thread(board, author)
    for reason in ("spam", "spam", "abusive"):
        world.flag(hidden_by_reports, world.user(), reason)
    world.decide(hidden_by_reports, mod, "restored", "Fine")
    reported = world.thread(board, author)
    world.flag(reported, world.user(), "off_topic")
    held = world.held(board, world.user())
    world.decide(held, mod, "hidden", "Rude")
    world.held(board, world.user(), reason="links")
    # Reviews closed after 2 hours and 4 hours: the median is 3.
    with world.app.app_context():
        for review, hours in zip(
            db.session.query(Review).filter(Review.closed_at.isnot(None)).order_by(Review.id),
            (2, 4),
            strict=True,
        ):
            review.wait_seconds = hours * 3600
        db.session.commit()
    client = world.client(world.user())
    with count_queries() as counted:
        response = client.get("/moderation/report")
    assert response.status_code == 200 and counted.count <= 8, counted.statements
    page = text(response)
    month = utcnow().astimezone(LONDON).strftime("%Y-%m")
    row = page[page.index(f'id="month-{month}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split("</td>")[0] for c in row.split('<td class="numeric">')[1:]]
    # posts reported, held, hidden by reports, hidden by a moderator, restored, median
    assert cells[:5] == ["2", "2", "1", "1", "1"]
    assert cells[5].startswith("3.0 hours (2 decisions)")
    assert "spam or advertising 2" in page and "abusive or discriminatory 1" in page
    assert "first posts 1" in page and "many links 1" in page
    assert "Owen Price" not in page and "Tom Byrne" not in page


def test_an_older_flag_lands_in_its_month(world):
    board = world.board()
    post = world.thread(board, world.user())
    world.flag(post, world.user())
    with world.app.app_context():
        flag = db.session.query(Flag).one()
        flag.created_at = utcnow() - timedelta(days=62)
        db.session.commit()
        months = report.monthly()
    assert months[0].flagged_posts == 0
    assert sum(m.flagged_posts for m in months) == 1


def test_report_is_for_members(world):
    visitor = world.client().get("/moderation/report")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]
    page = text(world.client(world.user()).get("/moderation/report"))
    assert "<h1>Open moderation report</h1>" in page and "No posts were reported" in page
    assert "<caption>Moderation by month, newest first</caption>" in page
