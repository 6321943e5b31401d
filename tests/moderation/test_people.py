"""Decisions about authors: warnings (banner, dismissal), suspensions (escalating, enforced
everywhere a member takes part, lifted), the decisions page, and appeals."""

import re

import pytest

from app.extensions import db
from app.models import AuditEvent, Flag, MemberWarning, Post, Registration, Review, Suspension
from app.moderation import people
from app.timeutil import utcnow
from tests.moderation.conftest import HX, text


@pytest.fixture
def case(world):
    """A reported post by Owen, and Tom the moderator."""
    board = world.board()
    author = world.user(name="Owen Price")
    post = world.thread(board, author, title="Book my course")
    world.flag(post, world.user(), "spam")
    return board, author, post, world.moderator(name="Tom Byrne")


# Warnings ----------------------------------------------------------------------------------


def test_warn_from_the_queue_with_htmx_and_the_member_sees_a_banner(world, case, outbox):
    board, author, post, mod = case
    client = world.client(mod)
    response = client.post(
        f"/moderation/posts/{post.id}/warn",
        data={"message": "Please do not advertise here."},
        headers=HX,
    )
    assert response.status_code == 200 and "<html" not in text(response)
    assert "Member warned: Please do not advertise here." in text(response)
    (event,) = world.events("moderation.warned")
    assert (event.subject_type, event.subject_id, event.subject_user_id) == (
        "post",
        post.id,
        author.id,
    )
    assert [m["Subject"] for m in outbox()] == ["A moderator sent you a warning"]
    member = world.client(author)
    page = text(member.get("/"))
    (warning_id,) = [int(n) for n in re.findall(r'id="warning-(\d+)"', page)]
    assert "A message from the moderators" in page and "Please do not advertise here." in page
    # Still there on the next page until dismissed (no writes on GET).
    assert f'id="warning-{warning_id}"' in text(member.get("/meetings/"))
    dismissed = member.post(f"/moderation/warnings/{warning_id}/dismiss", headers=HX)
    assert dismissed.status_code == 200
    assert dismissed.get_data(as_text=True).lstrip().startswith('<div id="moderation-notices">')
    assert "Warning dismissed." in text(dismissed)
    assert f'id="warning-{warning_id}"' not in text(member.get("/"))
    # Listed on their decisions page.
    assert "Please do not advertise here." in text(member.get("/moderation/decisions"))


def test_the_banner_is_read_only_for_members_who_have_something_in_it(
    app, world, case, count_queries
):
    _, author, post, mod = case
    member = world.client(author)

    def banner_reads(statements) -> int:
        return sum("FROM member_warning" in s and "UNION ALL" in s for s in statements)

    with count_queries() as plain:
        page = text(member.get("/meetings/"))
    assert 'id="moderation-notices"' in page and "A message from the moderators" not in page
    assert banner_reads(plain.statements) == 0
    world.suspend(author, mod, 1)  # then lifted: nothing to show again
    with app.app_context():
        db.session.query(Suspension).update({"lifted_at": utcnow()})
        db.session.commit()
    with count_queries() as lifted:
        assert "You are suspended" not in text(member.get("/meetings/"))
    assert banner_reads(lifted.statements) == 0
    world.client(mod).post(f"/moderation/posts/{post.id}/warn", data={"message": "Be kind"})
    with count_queries() as warned:
        assert "A message from the moderators" in text(member.get("/meetings/"))
    assert banner_reads(warned.statements) == 1
    world.suspend(author, mod, 1)
    assert "You are suspended" in text(member.get("/meetings/"))


def test_warn_without_javascript_and_validation(world, case):
    _, author, post, mod = case
    client = world.client(mod)
    empty = client.post(f"/moderation/posts/{post.id}/warn", data={"message": ""})
    assert empty.status_code == 422 and "Enter the warning to send" in text(empty)
    empty_htmx = client.post(f"/moderation/posts/{post.id}/warn", data={"message": ""}, headers=HX)
    assert empty_htmx.status_code == 422 and f'id="warn-{post.id}" open' in text(empty_htmx)
    too_long = client.post(f"/moderation/posts/{post.id}/warn", data={"message": "x" * 2001})
    assert too_long.status_code == 422
    ok = client.post(f"/moderation/posts/{post.id}/warn", data={"message": "Be kind"})
    assert ok.status_code == 302 and ok.headers["Location"] == f"/moderation/posts/{post.id}"
    assert world.count(MemberWarning, user_id=author.id) == 1


def test_dismissing_someone_elses_warning_is_not_found(world, case):
    _, author, post, mod = case
    world.warn(author, mod, post=post)
    with world.app.app_context():
        warning_id = db.session.query(MemberWarning).one().id
    other = world.client(world.user())
    assert other.post(f"/moderation/warnings/{warning_id}/dismiss").status_code == 404
    assert other.post("/moderation/warnings/99999/dismiss").status_code == 404
    assert world.client().post(f"/moderation/warnings/{warning_id}/dismiss").status_code == 302
    plain = world.client(author).post(
        f"/moderation/warnings/{warning_id}/dismiss", data={"next": "/meetings/"}
    )
    assert plain.status_code == 302 and plain.headers["Location"] == "/meetings/"


# Suspensions -------------------------------------------------------------------------------


def test_suspension_lengths_escalate(app, world):
    with app.app_context():
        assert [people.suggested_days(n) for n in range(6)] == [1, 3, 7, 30, 30, 30]
    board = world.board()
    author, mod = world.user(), world.moderator()
    post = world.thread(board, author)
    world.flag(post, world.user())
    page = text(world.client(mod).get(f"/moderation/posts/{post.id}"))
    assert "1 day (suggested)" in page
    world.suspend(author, mod, 1)
    with app.app_context():
        db.session.query(Suspension).update({"lifted_at": utcnow()})
        db.session.commit()
    page = text(world.client(mod).get(f"/moderation/posts/{post.id}"))
    assert "3 days (suggested)" in page and "suspended 1 time before" in page


def test_suspend_from_the_queue(world, case, outbox):
    _, author, post, mod = case
    client = world.client(mod)
    missing = client.post(f"/moderation/posts/{post.id}/suspend", data={"reason": ""}, headers=HX)
    assert missing.status_code == 422
    assert "Select how long to suspend them for" in text(missing)
    assert "Enter a reason for the suspension" in text(missing)
    odd = client.post(f"/moderation/posts/{post.id}/suspend", data={"days": "2", "reason": "x"})
    assert odd.status_code == 422
    response = client.post(
        f"/moderation/posts/{post.id}/suspend",
        data={"days": "3", "reason": "Repeated advertising"},
        headers=HX,
    )
    assert response.status_code == 200 and "Member suspended: Repeated advertising" in text(
        response
    )
    assert f'id="lift-{post.id}"' in text(response)
    (event,) = world.events("moderation.suspended")
    assert event.detail.startswith("3 days, until")
    assert [m["Subject"] for m in outbox()] == ["You were suspended"]
    again = client.post(
        f"/moderation/posts/{post.id}/suspend", data={"days": "1", "reason": "Again"}, headers=HX
    )
    assert again.status_code == 409 and "already suspended" in text(again)
    moderator_post = world.thread(world.board(), mod)
    refused = client.post(
        f"/moderation/posts/{moderator_post.id}/suspend", data={"days": "1", "reason": "x"}
    )
    assert refused.status_code == 409


def test_a_suspended_member_reads_but_takes_no_part(world, case):
    board, author, post, mod = case
    other = world.thread(board, world.user())
    world.suspend(author, mod, 7, post)
    client = world.client(author)
    page = text(client.get(f"/boards/{board.id}"))
    assert "You are suspended" in page and 'id="suspended-note"' in page
    assert 'id="new-thread-form"' not in page
    thread_page = text(client.get(f"/boards/threads/{other.id}"))
    assert f'id="flag-{other.id}"' not in thread_page and 'id="reply-h"' not in thread_page
    posting = client.post(f"/boards/{board.id}/threads", data={"kind": "question", "title": "Hi"})
    assert posting.status_code == 403 and "You are suspended until" in text(posting)
    reply = client.post(f"/boards/posts/{other.id}/replies", data={f"reply-{other.id}-body": "Hi"})
    assert reply.status_code == 403
    vote = client.post(f"/boards/posts/{other.id}/vote", data={"want": "add"}, headers=HX)
    assert vote.status_code == 403 and "You are suspended until" in text(vote)
    flag = client.post(
        f"/moderation/posts/{other.id}/flag", data={f"flag-{other.id}-reason": "spam"}
    )
    assert flag.status_code == 403 and "while you are suspended" in text(flag)
    with world.app.app_context():
        meeting_id = db.session.get(Post, other.id).board.meeting_id
    register = client.post(f"/meetings/{meeting_id}/register")
    assert register.status_code == 403 and "while you are suspended" in text(register)
    assert world.count(Registration) == 0 and world.count(Flag, user_id=author.id) == 0
    assert world.count(Post, author_id=author.id) == 1


def test_lifting_a_suspension(world, case, outbox):
    board, author, post, mod = case
    world.suspend(author, mod, 30, post)
    with world.app.app_context():
        suspension_id = db.session.query(Suspension).one().id
    client = world.client(mod)
    missing = client.post(f"/moderation/suspensions/{suspension_id}/lift", data={"reason": ""})
    assert missing.status_code == 422 and "Enter a reason for lifting the suspension" in text(
        missing
    )
    from_item = client.post(
        f"/moderation/suspensions/{suspension_id}/lift",
        data={"reason": "", "post_id": post.id},
        headers=HX,
    )
    assert from_item.status_code == 422 and f'id="lift-{post.id}" open' in text(from_item)
    lifted = client.post(
        f"/moderation/suspensions/{suspension_id}/lift",
        data={"reason": "Apologised", "post_id": post.id},
        headers=HX,
    )
    assert lifted.status_code == 200 and "Suspension lifted: Apologised" in text(lifted)
    assert world.get(Suspension, suspension_id).lifted_by_id == mod.id
    assert "Your suspension was lifted" in [m["Subject"] for m in outbox()]
    twice = client.post(f"/moderation/suspensions/{suspension_id}/lift", data={"reason": "x"})
    assert twice.status_code == 302
    assert "already ended" in text(client.get(f"/moderation/people/{author.id}"))
    # They take part again.
    posting = world.client(author).post(
        f"/boards/{board.id}/threads", data={"kind": "question", "title": "Back again"}
    )
    assert posting.status_code == 302


def test_lift_from_the_member_record(world, case):
    _, author, post, mod = case
    world.suspend(author, mod, 1)
    client = world.client(mod)
    page = text(client.get(f"/moderation/people/{author.id}"))
    assert "Suspended until" in page
    with world.app.app_context():
        suspension_id = db.session.query(Suspension).one().id
    response = client.post(
        f"/moderation/suspensions/{suspension_id}/lift", data={"reason": "Error"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/moderation/people/{author.id}"


# The decisions page and appeals ------------------------------------------------------------


def test_decisions_page_lists_decisions_with_reasons(world, case):
    board, author, post, mod = case
    world.decide(post, mod, "hidden", "Advertising")
    client = world.client(author)
    page = text(client.get("/moderation/decisions"))
    assert "<h1>Moderation decisions about your posts</h1>" in page
    assert "Your post was hidden" in page and "Reason: Advertising" in page
    assert "Tom Byrne" not in page  # authors are not told which moderator
    (event,) = world.events("moderation.hidden")
    assert f'id="appeal-link-{event.id}"' in page
    assert "There are no moderation decisions" in text(
        world.client(world.user()).get("/moderation/decisions")
    )
    visitor = world.client().get("/moderation/decisions")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]


def test_appeal_once_and_it_goes_back_to_the_queue(world, case):
    board, author, post, mod = case
    event_id = world.decide(post, mod, "hidden", "Advertising")
    client = world.client(author)
    form = client.get(f"/moderation/decisions/{event_id}/appeal")
    assert form.status_code == 200 and "Appeal a decision" in text(form)
    empty = client.post(f"/moderation/decisions/{event_id}/appeal", data={"reason": ""})
    assert empty.status_code == 422 and "Enter why the decision should change" in text(empty)
    response = client.post(
        f"/moderation/decisions/{event_id}/appeal",
        data={"reason": "It was a free event, not a sale"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/decisions"
    review = world.review_of(post)
    assert review.cause == "appeal" and review.appeal_id is not None
    assert world.count(AuditEvent, action="moderation.appealed") == 1
    again = client.post(f"/moderation/decisions/{event_id}/appeal", data={"reason": "Please"})
    assert again.status_code == 409 and "already appealed" in text(again)
    assert "Appeal waiting for a moderator" in text(client.get("/moderation/decisions"))
    queue = text(world.client(mod).get("/moderation/"))
    assert "The author's appeal" in queue and "It was a free event, not a sale" in queue
    assert "You made this decision" in queue


def test_the_original_decider_cannot_decide_the_appeal_unless_alone(world, case):
    board, author, post, mod = case
    event_id = world.decide(post, mod, "hidden", "Advertising")
    world.client(author).post(f"/moderation/decisions/{event_id}/appeal", data={"reason": "Unfair"})
    # Tom is the only moderator: he may decide.
    assert world.client(mod).get(f"/moderation/posts/{post.id}").status_code == 200
    ana = world.moderator(name="Ana Silva")
    refused = world.client(mod).post(
        f"/moderation/posts/{post.id}/decide",
        data={"decision": "restored", "reason": "Fair"},
        headers=HX,
    )
    assert refused.status_code == 409 and "another moderator must decide the appeal" in text(
        refused
    )
    assert world.get(Post, post.id).hidden_at is not None
    decided = world.client(ana).post(
        f"/moderation/posts/{post.id}/decide", data={"decision": "restored", "reason": "Fair point"}
    )
    assert decided.status_code == 302 and world.get(Post, post.id).hidden_at is None
    (restored,) = world.events("moderation.restored")
    assert restored.detail == "on appeal"
    assert "Appeal decided" in text(world.client(author).get("/moderation/decisions"))
    assert world.count(Review, cause="appeal", outcome="restored") == 1


def test_only_decision_where_alone_the_decider_may_decide(world, case):
    board, author, post, mod = case
    event_id = world.decide(post, mod, "hidden", "Advertising")
    world.client(author).post(f"/moderation/decisions/{event_id}/appeal", data={"reason": "Unfair"})
    response = world.client(mod).post(
        f"/moderation/posts/{post.id}/decide", data={"decision": "hidden", "reason": "Still spam"}
    )
    assert response.status_code == 302


def test_appeals_are_for_the_author_and_adverse_decisions_only(world, case):
    board, author, post, mod = case
    hidden = world.decide(post, mod, "hidden", "Advertising")
    restored = world.decide(post, mod, "restored", "Changed my mind")
    other = world.client(world.user())
    assert other.get(f"/moderation/decisions/{hidden}/appeal").status_code == 404
    assert world.client(author).get(f"/moderation/decisions/{restored}/appeal").status_code == 404
    assert world.client(author).get("/moderation/decisions/99999/appeal").status_code == 404
    visitor = world.client().get(f"/moderation/decisions/{hidden}/appeal")
    assert visitor.status_code == 302


def test_a_warning_or_suspension_can_be_appealed(world, case):
    _, author, post, mod = case
    event_id = world.suspend(author, mod, 1, post)
    client = world.client(author)
    assert (
        client.post(
            f"/moderation/decisions/{event_id}/appeal", data={"reason": "I had permission"}
        ).status_code
        == 302
    )
    assert world.review_of(post).appeal_id is not None


def test_profile_links_to_the_decisions_page(world):
    page = text(world.client(world.user()).get("/auth/profile"))
    assert '<a href="/moderation/decisions" id="profile-moderation">' in page
