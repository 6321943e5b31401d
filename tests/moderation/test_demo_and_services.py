"""The demo's moderation data, and service rules checked directly: counters through every
transition, one open review per post, claims."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import demo
from app.extensions import db
from app.models import AuditEvent, Board, Flag, Post, Review, User
from app.moderation import decisions, services
from app.moderation import demo as moderation_demo
from app.timeutil import utcnow


def test_demo_leaves_held_and_reported_posts_and_a_trail(ctx):
    demo.seed()
    db.session.commit()
    open_reviews = db.session.scalars(select(Review).where(Review.closed_at.is_(None))).all()
    assert sorted(r.cause for r in open_reviews) == ["flags", "held", "held"]
    assert db.session.scalar(select(func.count(Flag.id))) == 5
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"moderation.held", "moderation.auto_hidden", "moderation.restored"} <= actions
    held = db.session.scalars(select(Post).where(Post.held_at.isnot(None))).all()
    assert sorted(p.held_reason for p in held) == ["first_posts", "links"]
    # Counters still agree with the published posts.
    for board in db.session.scalars(select(Board)):
        published = db.session.scalar(
            select(func.count(Post.id)).where(
                Post.board_id == board.id, Post.held_at.is_(None), Post.hidden_at.is_(None)
            )
        )
        assert board.post_count == published
    # Idempotent.
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    assert moderation_demo.seed() is False
    assert demo.seed() is False
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_counters_follow_every_transition(world):
    board = world.board()
    mod = world.moderator()
    thread = world.thread(board, world.user())
    reply = world.reply(thread, world.user())

    def counts():
        b, t = world.get(Board, board.id), world.get(Post, thread.id)
        return b.question_count, b.post_count, t.reply_count

    assert counts() == (1, 2, 1)
    world.decide(reply, mod, "hidden")
    assert counts() == (1, 1, 1)  # a hidden reply keeps its place in the thread
    world.decide(reply, mod, "restored")
    assert counts() == (1, 2, 1)
    held = world.held_reply(thread, world.user())
    assert counts() == (1, 2, 1)
    world.decide(held, mod, "hidden")  # rejected: it never takes a place
    assert counts() == (1, 2, 1)
    world.decide(held, mod, "restored")
    assert counts() == (1, 3, 2)
    world.decide(thread, mod, "hidden")
    assert counts() == (0, 2, 2)
    world.decide(thread, mod, "hidden")  # keeping it hidden changes nothing
    assert counts() == (0, 2, 2)


def test_one_open_review_per_post(app, world):
    board = world.board()
    post = world.thread(board, world.user())
    world.flag(post, world.user())
    with app.app_context():
        db.session.add(Review(post_id=post.id, cause="flags", opened_at=utcnow()))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    world.flag(post, world.user())
    assert world.count(Review, post_id=post.id) == 1


def test_claims_lapse_and_take_over(app, world):
    board = world.board()
    post = world.thread(board, world.user())
    world.flag(post, world.user())
    tom, ana = world.moderator(), world.moderator()
    with app.app_context():
        review = services.open_review_for(post.id)
        decisions.claim(review, db.session.get(User, tom.id))
        db.session.commit()
        assert decisions.claim_holder(review) == tom.id
        with pytest.raises(decisions.ClaimedByOther):
            decisions.claim(review, db.session.get(User, ana.id))
        db.session.rollback()
        later = utcnow() + timedelta(minutes=11)
        assert decisions.claim_holder(review, later) is None
        decisions.claim(review, db.session.get(User, ana.id), take_over=True)
        db.session.commit()
        assert decisions.claim_holder(review) == ana.id


def test_stale_decision_is_refused(app, world):
    board = world.board()
    post = world.thread(board, world.user())
    world.flag(post, world.user())
    review = world.review_of(post)
    mod = world.moderator()
    world.decide(post, mod, "approved", "")
    with app.app_context(), pytest.raises(decisions.Stale):
        decisions.decide(
            db.session.get(Post, post.id),
            db.session.get(User, mod.id),
            "hidden",
            "x",
            review_id=review.id,
        )
