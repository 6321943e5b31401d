"""The agenda's rules: ranking, filling, ordering, publishing, running, carrying forward."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda import queries, running, services
from app.extensions import db
from app.models import (
    AgendaItem,
    AuditEvent,
    Board,
    CarriedQuestion,
    ItemStatus,
    Meeting,
    NotTaken,
    Post,
    Role,
    Vote,
)
from app.timeutil import utcnow
from tests import factories


def ranked_titles(meeting_id, theme_id=None):
    return [p.title for p in db.session.scalars(queries.candidates_query(meeting_id, theme_id))]


# Ranking -------------------------------------------------------------------------------------


def test_candidates_rank_by_votes_and_ties_go_to_the_earlier_question(world, app):
    m = world.meeting(themes=("Holistic", "Data"))
    world.question(m.boards[0], title="Late tie", votes=2, ago=timedelta(hours=1))
    world.question(m.boards[1], title="Early tie", votes=2, ago=timedelta(hours=5))
    world.question(m.boards[0], title="Top", votes=3, ago=timedelta(minutes=5))
    world.question(m.boards[1], title="None yet", votes=0, ago=timedelta(hours=9))
    with app.app_context():
        assert ranked_titles(m.id) == ["Top", "Early tie", "Late tie", "None yet"]
        assert ranked_titles(m.id, m.theme_ids[1]) == ["Early tie", "None yet"]


def test_candidates_leave_out_removed_questions_discussions_and_other_meetings(world, app):
    m = world.meeting()
    other = world.meeting()
    kept = world.question(m.boards[0], title="Kept")
    gone = world.question(m.boards[0], title="Removed")
    world.question(other.boards[0], title="Elsewhere")
    with app.app_context():
        board = db.session.get(Board, m.boards[0])
        factories.thread(board, kind="discussion", title="A discussion")
        post = db.session.get(Post, gone)
        from app.boards import services as boards

        boards.remove_post(post, post.author)
        db.session.commit()
        assert ranked_titles(m.id) == ["Kept"]
        assert queries.candidate_or_none(m.id, kept) is not None
        assert queries.candidate_or_none(m.id, gone) is None


def test_questions_on_closed_boards_are_still_candidates(world, app):
    # Closing a board stops new posts and votes before the meeting; the questions that rose
    # by then are exactly what the agenda is for, so they stay candidates.
    m = world.meeting()
    world.question(m.boards[0], title="Asked before closing", votes=1)
    world.update(Board, m.boards[0], closed_at=utcnow())
    with app.app_context():
        assert ranked_titles(m.id) == ["Asked before closing"]


# Building ------------------------------------------------------------------------------------


def test_adding_a_question_twice_makes_one_item_titled_from_it(world, app):
    m = world.meeting()
    q = world.question(m.boards[0], title="Who pools budgets?")
    first = world.add_question(m.id, q)
    again = world.add_question(m.id, q)
    assert first == again
    assert world.items(m.id) == [(first, 1, "Who pools budgets?")]
    with app.app_context():
        assert db.session.get(AgendaItem, first).minutes == 10


def test_default_minutes_is_a_setting(world, app):
    app.config["AGENDA_DEFAULT_MINUTES"] = 15
    m = world.meeting()
    item = world.add_question(m.id, world.question(m.boards[0]))
    assert world.get(AgendaItem, item).minutes == 15


def test_welcome_goes_first_and_positions_stay_one_to_n(world):
    m = world.meeting()
    a = world.add_item(m.id, "Break")
    b = world.add_item(m.id, "Welcome", 5, first=True)
    c = world.add_item(m.id, "Close", 5)
    assert [(i, p) for i, p, _ in world.items(m.id)] == [(b, 1), (a, 2), (c, 3)]


def test_move_swaps_neighbours_and_stops_at_the_ends(world, app):
    m = world.meeting()
    ids = [world.add_item(m.id, t) for t in ("One", "Two", "Three")]
    with app.app_context():
        item = db.session.get(AgendaItem, ids[2])
        assert services.move_item(item, "up") == (2, 3, True)
        db.session.commit()
        item = db.session.get(AgendaItem, ids[0])
        assert services.move_item(item, "up") == (1, 3, False)
        db.session.commit()
    assert [t for _, _, t in world.items(m.id)] == ["One", "Three", "Two"]


def test_remove_closes_the_gap_and_clears_the_current_item(world, app):
    m = world.meeting()
    ids = [world.add_item(m.id, t) for t in ("One", "Two", "Three")]
    with app.app_context():
        agenda = queries.agenda_for(m.id)
        running.start_item(agenda, db.session.get(AgendaItem, ids[1]))
        db.session.commit()
        services.remove_item(db.session.get(AgendaItem, ids[1]))
        db.session.commit()
    assert [(p, t) for _, p, t in world.items(m.id)] == [(1, "One"), (2, "Three")]
    assert world.agenda(m.id).current_item_id is None


def test_a_gone_item_cannot_be_moved_or_removed(world, app):
    m = world.meeting()
    item_id = world.add_item(m.id, "One")
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        db.session.execute(db.delete(AgendaItem).where(AgendaItem.id == item_id))
        with pytest.raises(services.ItemGone):
            services.move_item(item, "down")
        db.session.rollback()


# Fill from top questions ---------------------------------------------------------------------


def test_fill_takes_one_from_each_theme_before_a_second_from_any(world, app):
    m = world.meeting(themes=("Holistic", "Data", "Power"), length=timedelta(minutes=45))
    world.question(m.boards[0], title="H1", votes=9)
    world.question(m.boards[0], title="H2", votes=8)
    world.question(m.boards[0], title="H3", votes=7)
    world.question(m.boards[1], title="D1", votes=2)
    world.question(m.boards[1], title="D2", votes=1)
    world.question(m.boards[2], title="P1", votes=0)
    with app.app_context():
        added = services.fill_from_top(db.session.get(Meeting, m.id))
        db.session.commit()
        assert len(added) == 4
    # 45 minutes: four questions of 10; a round per theme first, higher votes first in a round.
    assert [t for _, _, t in world.items(m.id)] == ["H1", "D1", "P1", "H2"]
    assert world.agenda(m.id).published_at is None


def test_fill_counts_what_is_on_the_agenda_and_leaves_out_not_taken(world, app):
    m = world.meeting(themes=("Holistic", "Data"), length=timedelta(minutes=40))
    h1 = world.question(m.boards[0], title="H1", votes=9)
    world.question(m.boards[0], title="H2", votes=8)
    d1 = world.question(m.boards[1], title="D1", votes=2)
    world.question(m.boards[1], title="D2", votes=1)
    world.add_item(m.id, "Welcome", 5, first=True)
    world.add_question(m.id, h1)
    world.not_taken(m.id, d1)
    with app.app_context():
        services.fill_from_top(db.session.get(Meeting, m.id))
        db.session.commit()
    # 25 minutes left: D2 (Data has none yet) before H2, then 5 minutes is not enough.
    assert [t for _, _, t in world.items(m.id)] == ["Welcome", "H1", "D2", "H2"]


def test_fill_adds_nothing_when_the_time_is_used(world, app):
    m = world.meeting(length=timedelta(minutes=30))
    world.question(m.boards[0], votes=1)
    world.add_item(m.id, "Long talk", 25)
    with app.app_context():
        assert services.fill_from_top(db.session.get(Meeting, m.id)) == []


# Not taken, publishing -----------------------------------------------------------------------


def test_not_taken_is_refused_for_a_question_on_the_agenda_and_undone_by_adding(world, app):
    m = world.meeting()
    q = world.question(m.boards[0])
    world.not_taken(m.id, q, "Covered last time")
    with app.app_context():
        decision = db.session.scalar(select(NotTaken).where(NotTaken.post_id == q))
        assert decision.reason == "Covered last time"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agenda.not_taken"))
    world.not_taken(m.id, q, "A newer reason")
    world.add_question(m.id, q)
    with app.app_context():
        assert db.session.scalar(select(NotTaken).where(NotTaken.post_id == q)) is None
        actor = factories.user(roles=Role.FACILITATOR, password=None)
        with pytest.raises(services.Refused):
            services.mark_not_taken(
                db.session.get(Meeting, m.id), db.session.get(Post, q), "No", actor
            )


def test_publish_needs_an_item_and_happens_once(world, app):
    m = world.meeting()
    with app.app_context():
        actor = factories.user(roles=Role.FACILITATOR, password=None)
        meeting = db.session.get(Meeting, m.id)
        with pytest.raises(services.Refused):
            services.publish(meeting, actor)
        db.session.rollback()
    world.add_item(m.id, "Welcome")
    with app.app_context():
        actor = factories.user(roles=Role.FACILITATOR, password=None)
        meeting = db.session.get(Meeting, m.id)
        assert services.publish(meeting, actor) is True
        assert services.publish(meeting, actor) is False
        db.session.commit()
    assert world.agenda(m.id).published_at is not None


def test_changes_after_publishing_are_marked(world, app):
    m = world.meeting()
    first = world.add_item(m.id, "Welcome")
    world.publish(m.id)
    assert not world.agenda(m.id).changed_since_published
    second = world.add_item(m.id, "Break")
    agenda = world.agenda(m.id)
    assert agenda.changed_since_published
    assert world.get(AgendaItem, second).changed_at > agenda.published_at
    assert world.get(AgendaItem, first).changed_at < agenda.published_at


# Running -------------------------------------------------------------------------------------


def test_advance_starts_items_in_order_and_refuses_past_the_ends(world, app):
    m = world.meeting()
    ids = [world.add_item(m.id, t) for t in ("One", "Two")]
    with app.app_context():
        agenda = queries.agenda_for(m.id)
        with pytest.raises(services.Refused):
            running.advance(agenda, "previous")
        assert running.advance(agenda, "next").id == ids[0]
        assert running.advance(agenda, "next").id == ids[1]
        with pytest.raises(services.Refused, match="last item"):
            running.advance(agenda, "next")
        assert running.advance(agenda, "previous").id == ids[0]
        db.session.commit()
    started = world.get(AgendaItem, ids[0]).started_at
    assert started is not None and world.agenda(m.id).current_item_id == ids[0]


def test_a_started_clock_keeps_its_first_start(world, app):
    m = world.meeting()
    item_id = world.add_item(m.id, "One")
    earlier = utcnow() - timedelta(minutes=4)
    world.update(AgendaItem, item_id, started_at=earlier)
    with app.app_context():
        running.start_item(queries.agenda_for(m.id), db.session.get(AgendaItem, item_id))
        db.session.commit()
    assert abs(world.get(AgendaItem, item_id).started_at - earlier) < timedelta(seconds=1)


@pytest.mark.parametrize(
    ("elapsed", "left"),
    [(0, 10), (150, 8), (210, 7), (599, 1), (600, 0), (630, 0), (700, -1), (900, -5)],
)
def test_minutes_left_counts_like_a_kitchen_timer(elapsed, left):
    now = utcnow()
    item = AgendaItem(minutes=10, started_at=now - timedelta(seconds=elapsed))
    assert running.minutes_left(item, now) == left
    assert running.minutes_left(AgendaItem(minutes=10), now) is None


def test_outcome_notes_are_rendered_and_sanitised_at_save(world, app):
    m = world.meeting()
    item_id = world.add_item(m.id, "One")
    with app.app_context():
        running.save_outcome(
            db.session.get(AgendaItem, item_id), "We **agreed**.<script>alert(1)</script>"
        )
        db.session.commit()
    item = world.get(AgendaItem, item_id)
    assert "<strong>agreed</strong>" in item.notes_html and "<script" not in item.notes_html


# A question's notes on its board -------------------------------------------------------------


def test_post_notes_follow_the_agenda_and_hide_drafts_from_members(world, app):
    m = world.meeting(title="Using data well")
    on, off, talked = (world.question(m.boards[0], title=t) for t in ("On", "Off", "Talked"))
    world.add_question(m.id, on)
    talked_item = world.add_question(m.id, talked)
    world.not_taken(m.id, off, "Too close to last time")
    with app.app_context():
        assert queries.post_notes([on, off], facilitator=False) == {}
        assert queries.post_notes([on], facilitator=True)[on][0].kind == "on_agenda"
    world.publish(m.id)
    world.update(AgendaItem, talked_item, status=ItemStatus.DISCUSSED)
    with app.app_context():
        notes = queries.post_notes([on, off, talked], facilitator=False)
    assert [(n.kind, n.meeting_title) for n in notes[on]] == [("on_agenda", "Using data well")]
    assert [(n.kind, n.reason) for n in notes[off]] == [("not_taken", "Too close to last time")]
    assert notes[talked][0].kind == "discussed"


def test_a_question_left_planned_after_the_meeting_was_not_reached(world, app):
    m = world.meeting(starts_in=-timedelta(days=2))
    q = world.question(m.boards[0])
    world.add_question(m.id, q)
    world.publish(m.id)
    with app.app_context():
        assert queries.post_notes([q], facilitator=False)[q][0].kind == "not_reached"


# Carrying forward ----------------------------------------------------------------------------


def test_carry_forward_moves_the_question_with_votes_and_replies(world, app):
    past = world.meeting(themes=("Holistic", "Data"), starts_in=-timedelta(days=3))
    following = world.meeting(series_id=past.series_id, starts_in=timedelta(days=20))
    q = world.question(past.boards[1], title="Not reached", votes=3, replies=2)
    world.add_question(past.id, q)
    with app.app_context():
        before_old = db.session.get(Board, past.boards[1])
        old_counts = (before_old.question_count, before_old.post_count)
        new_board = db.session.get(Board, following.boards[1])
        new_counts = (new_board.question_count, new_board.post_count)
        actor = factories.user(roles=Role.FACILITATOR, password=None)
        running.carry_forward(
            db.session.get(Meeting, past.id), db.session.get(Post, q), new_board, actor
        )
        db.session.commit()
        post = db.session.get(Post, q)
        assert post.board_id == following.boards[1] and post.vote_count == 3
        assert db.session.scalar(select(db.func.count()).where(Vote.post_id == q)) == 3
        replies = db.session.scalars(select(Post.board_id).where(Post.root_id == q)).all()
        assert replies == [following.boards[1]] * 2
        old = db.session.get(Board, past.boards[1])
        assert (old.question_count, old.post_count) == (old_counts[0] - 1, old_counts[1] - 3)
        new = db.session.get(Board, following.boards[1])
        assert (new.question_count, new.post_count) == (new_counts[0] + 1, new_counts[1] + 3)
        carried = db.session.scalar(select(CarriedQuestion))
        assert (carried.from_meeting_id, carried.to_board_id) == (past.id, following.boards[1])
        notes = queries.post_notes([q], facilitator=False)[q]
        assert ("carried", past.id) in [(n.kind, n.meeting_id) for n in notes]
        # Carried once only: a second attempt finds it gone from the old board.
        with pytest.raises(services.Refused):
            running.carry_forward(db.session.get(Meeting, past.id), post, new, actor)


def test_carry_forward_is_refused_before_the_end_and_for_discussed_questions(world, app):
    upcoming = world.meeting(starts_in=timedelta(days=3))
    past = world.meeting(starts_in=-timedelta(days=3))
    q1 = world.question(upcoming.boards[0])
    q2 = world.question(past.boards[0])
    item = world.add_question(past.id, q2)
    world.update(AgendaItem, item, status=ItemStatus.DISCUSSED)
    with app.app_context():
        actor = factories.user(roles=Role.FACILITATOR, password=None)
        board = db.session.get(Board, upcoming.boards[0])
        with pytest.raises(services.Refused, match="once the meeting is over"):
            running.carry_forward(
                db.session.get(Meeting, upcoming.id), db.session.get(Post, q1), board, actor
            )
        with pytest.raises(services.Refused, match="discussed"):
            running.carry_forward(
                db.session.get(Meeting, past.id), db.session.get(Post, q2), board, actor
            )


def test_next_meeting_skips_cancelled_ones(world, app):
    past = world.meeting(starts_in=-timedelta(days=3))
    world.meeting(series_id=past.series_id, starts_in=timedelta(days=2), status="cancelled")
    nxt = world.meeting(series_id=past.series_id, starts_in=timedelta(days=9), status="draft")
    with app.app_context():
        assert queries.next_meeting(db.session.get(Meeting, past.id)).id == nxt.id


def test_pack_actions_come_from_the_actions_area(world, app):
    m = world.meeting()
    earlier = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=7))
    world.action(earlier.id, title="To review")
    world.action(m.id, title="Made here")
    with app.app_context():
        pack = services.pack_actions(db.session.get(Meeting, m.id))
        assert [entry.action.title for entry in pack.review] == ["To review"]
        assert [action.title for action in pack.created] == ["Made here"]
