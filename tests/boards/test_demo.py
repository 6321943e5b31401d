"""The boards' demo data: threads, replies, votes and reflections, added once."""

from sqlalchemy import func, select

from app import demo
from app.boards import demo as boards_demo
from app.extensions import db
from app.models import Board, Meeting, Post, Vote


def test_demo_boards_have_threads_votes_and_reflections(ctx):
    demo.seed()
    db.session.commit()
    boards = {b.meeting.title: b for b in db.session.scalars(select(Board).join(Board.meeting))}
    first = boards["Taking a holistic approach to levelling up"]
    upcoming = boards["Sharing power, accountability and leadership"]
    posts = db.session.scalars(select(Post).where(Post.board_id == first.id)).all()
    assert {p.phase for p in posts} == {"before", "after"}
    assert max(p.depth for p in posts) >= 3
    assert any(p.kind == "discussion" and p.phase == "after" for p in posts)
    questions = db.session.scalars(
        select(Post).where(Post.board_id == upcoming.id, Post.kind == "question")
    ).all()
    assert max(q.vote_count for q in questions) >= 3
    assert any(q.anonymous for q in questions)
    assert all(q.phase == "before" for q in questions)
    # Every counter agrees with the rows it counts (published posts: the moderation demo
    # leaves some held, which are not counted until approved).
    for board in boards.values():
        live = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.board_id == board.id, Post.held_at.is_(None), Post.hidden_at.is_(None))
        )
        assert board.post_count == live
    for q in db.session.scalars(select(Post).where(Post.kind == "question")):
        assert q.vote_count == db.session.scalar(
            select(func.count()).select_from(Vote).where(Vote.post_id == q.id)
        )
        assert all(
            v.user_id != q.author_id
            for v in db.session.scalars(select(Vote).where(Vote.post_id == q.id))
        )
    assert 'class="mention"' in "".join(p.body_html for p in posts)


def test_demo_boards_twice_changes_nothing(ctx):
    demo.seed()
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Post))
    assert boards_demo.seed() is False
    assert demo.seed() is False
    assert db.session.scalar(select(func.count()).select_from(Post)) == before
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 4
