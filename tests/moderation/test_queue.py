"""The moderators' queue: who may use it, what an item shows, a fixed query budget, claims and
one-click decisions (with and without htmx), stale and claimed items, redaction."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEvent, Board, Flag, Post, Review, Role, User
from app.models.moderation import Redaction
from app.timeutil import utcnow
from tests.moderation.conftest import HX, text


@pytest.fixture
def reported(world):
    """A question with two reports (in the queue, still published) and a moderator."""
    board = world.board()
    author = world.user(name="Owen Price")
    post = world.thread(board, author, title="Book my course", body="Twenty per cent off!")
    world.flag(post, world.user(name="Amara Okafor"), "spam")
    world.flag(post, world.user(name="Rhys Evans"), "other", "Advertising in a discussion")
    return board, author, post, world.moderator(name="Tom Byrne")


def _decide(client, post_id, decision, reason="", headers=None, **extra):
    data = {"decision": decision, "reason": reason, **extra}
    return client.post(f"/moderation/posts/{post_id}/decide", data=data, headers=headers or {})


# Permissions -------------------------------------------------------------------------------


def _moderator_requests(post_id: int, suspension_id: int):
    return [
        ("get", "/moderation/", None),
        ("get", f"/moderation/posts/{post_id}", None),
        ("post", f"/moderation/posts/{post_id}/claim", {}),
        ("post", f"/moderation/posts/{post_id}/decide", {"decision": "hidden", "reason": "x"}),
        ("get", f"/moderation/posts/{post_id}/redact", None),
        ("post", f"/moderation/posts/{post_id}/redact", {"body": "x", "reason": "x"}),
        ("post", f"/moderation/posts/{post_id}/warn", {"message": "x"}),
        ("post", f"/moderation/posts/{post_id}/suspend", {"days": "1", "reason": "x"}),
        ("post", f"/moderation/suspensions/{suspension_id}/lift", {"reason": "x"}),
        ("get", f"/moderation/people/{post_id}", None),
        ("get", "/moderation/trail", None),
        ("get", "/moderation/trail.csv", None),
    ]


def _suspension(world, moderator):
    member = world.user()
    world.suspend(member, moderator)
    from app.models import Suspension

    with world.app.app_context():
        return db.session.query(Suspension).filter_by(user_id=member.id).one().id


def test_visitors_are_sent_to_log_in(world, reported):
    _, _, post, mod = reported
    suspension_id = _suspension(world, mod)
    for method, url, data in _moderator_requests(post.id, suspension_id):
        response = getattr(world.client(), method)(url, data=data)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
        htmx = getattr(world.client(), method)(url, data=data, headers=HX)
        assert htmx.headers["HX-Redirect"].startswith("/auth/login"), url


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_members_and_facilitators_are_refused(world, reported, role):
    board, _, post, mod = reported
    suspension_id = _suspension(world, mod)
    client = world.client(world.user(role))
    for method, url, data in _moderator_requests(post.id, suspension_id):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    assert world.get(Post, post.id).hidden_at is None
    assert world.count(AuditEvent, action="moderation.hidden") == 0
    assert world.count(AuditEvent, action="moderation.warned") == 0


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN, Role.FACILITATOR | Role.MODERATOR])
def test_moderators_and_admins_use_the_queue(world, reported, role):
    _, _, post, _ = reported
    client = world.client(world.user(role))
    assert client.get("/moderation/").status_code == 200
    assert client.get(f"/moderation/posts/{post.id}").status_code == 200
    assert _decide(client, post.id, "approved").status_code == 302


def test_unknown_ids_are_not_found(world, reported):
    client = world.client(world.moderator())
    for method, url, data in _moderator_requests(99999, 99999):
        if "trail" in url or url == "/moderation/":
            continue
        assert getattr(client, method)(url, data=data).status_code == 404, url


def test_nav_shows_moderators_the_queue_with_its_count(world, reported):
    mod_page = text(world.client(world.moderator()).get("/"))
    assert re.search(
        r'id="nav-moderation"[^>]*>Moderation \(1<span class="visually-hidden"> waiting', mod_page
    )
    assert 'id="nav-moderation"' not in text(world.client(world.user()).get("/"))
    assert 'id="nav-moderation"' not in text(world.client(world.user(Role.FACILITATOR)).get("/"))


# What the queue shows ----------------------------------------------------------------------


def test_queue_shows_items_oldest_first_with_their_context(world, reported):
    board, author, post, mod = reported
    earlier = world.thread(board, author, title="An earlier post of Owen's")
    world.warn(author, mod, "Please do not advertise", post=earlier)
    held = world.held(board, world.user(name="Dana Whitfield"), title="Dana's first question")
    page = text(world.client(mod).get("/moderation/"))
    assert page.index(f'id="queue-item-{post.id}"') < page.index(f'id="queue-item-{held.id}"')
    item = page[page.index(f'id="queue-item-{post.id}"') : page.index(f'id="queue-item-{held.id}"')]
    assert "Reported" in item and "“Book my course”" in item
    assert "Twenty per cent off!" in item
    assert "Spam or advertising: 1" in item and "Something else: 1" in item
    assert "“Advertising in a discussion” – Rhys Evans" in item
    assert "2 posts in all" in item and "An earlier post of Owen&#39;s" in item
    assert "Member warned by Tom Byrne" in item and "Please do not advertise" in item
    for stable in (
        f'id="decision-reason-{post.id}"',
        f'id="approve-{post.id}"',
        f'id="hide-{post.id}"',
        f'id="claim-{post.id}"',
    ):
        assert stable in item
    assert f'id="restore-{post.id}"' not in item
    assert "Held for review" in page and "Dana&#39;s first question" in page
    assert "2 items waiting." in page


def _fill_queue(world, n: int) -> None:
    board = world.board()
    mod = world.moderator()
    for i in range(n):
        author = world.user()
        older = world.thread(board, author)
        world.warn(author, mod, f"Warning {i}", post=older)
        post = world.thread(board, author)
        world.flag(post, world.user(), "spam", "note")
        if i % 3 == 0:
            world.held(board, world.user())


def test_queue_runs_a_fixed_number_of_queries(world, count_queries):
    mod = world.moderator()
    client = world.client(mod)
    _fill_queue(world, 3)
    with count_queries() as few:
        assert client.get("/moderation/").status_code == 200
    _fill_queue(world, 27)  # 30 reported, plus held ones: more than a page
    with count_queries() as many:
        assert client.get("/moderation/").status_code == 200
    assert few.count == many.count, many.statements
    assert few.count <= 14, few.statements
    with count_queries() as page_two:
        assert client.get("/moderation/?page=2").status_code == 200
    assert page_two.count == many.count


def test_queue_is_paginated(world):
    board = world.board()
    posts = [world.held(board, world.user()) for _ in range(26)]
    client = world.client(world.moderator())
    first = text(client.get("/moderation/"))
    assert (
        f'id="queue-item-{posts[0].id}"' in first and f'id="queue-item-{posts[25].id}"' not in first
    )
    assert "Moderation queue (page 1 of 2)" in first
    second = text(client.get("/moderation/?page=2"))
    assert f'id="queue-item-{posts[25].id}"' in second


def test_item_page_and_fragment(world, reported):
    _, _, post, mod = reported
    client = world.client(mod)
    page = client.get(f"/moderation/posts/{post.id}")
    assert page.status_code == 200 and "<h1>Review a post</h1>" in text(page)
    fragment = text(client.get(f"/moderation/posts/{post.id}", headers=HX))
    assert "<html" not in fragment
    assert fragment.lstrip().startswith(f'<article class="queue-item" id="queue-item-{post.id}"')


# Decisions ---------------------------------------------------------------------------------


def test_restore_a_post_hidden_by_reports_and_tell_the_author(world, outbox):
    board = world.board()
    author = world.user(name="Rhys Evans")
    post = world.thread(board, author, title="Should a mayor run the forums?")
    for _ in range(3):
        world.flag(post, world.user(), "off_topic")
    mod = world.moderator()
    client = world.client(mod)
    page = text(client.get("/moderation/"))
    assert f'id="restore-{post.id}"' in page and f'id="approve-{post.id}"' not in page
    response = _decide(client, post.id, "restored", "On topic for the meeting", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert (
        f'<div class="banner banner--success" id="queue-result-{post.id}" tabindex="-1" autofocus>'
        in body
    )
    assert "Post restored: On topic for the meeting. The author has been told." in body
    stored = world.get(Post, post.id)
    assert stored.hidden_at is None and stored.flag_count == 0
    assert world.get(Board, board.id).question_count == 1
    assert world.review_of(post) is None
    assert all(f.resolved_at is not None for f in _flags(world, post.id))
    (event,) = world.events("moderation.restored")
    assert (event.actor_id, event.subject_id, event.subject_user_id) == (mod.id, post.id, author.id)
    assert event.reason == "On topic for the meeting"
    (mail,) = [m for m in outbox() if m["To"] == author.email]
    assert mail["Subject"] == "Your post was restored"
    assert "On topic for the meeting" in mail.get_body().get_content()
    assert "Should a mayor run the forums?" in text(world.client().get(f"/boards/{board.id}"))
    assert "Nothing is waiting for review." in text(client.get("/moderation/"))


def _flags(world, post_id):
    with world.app.app_context():
        found = db.session.query(Flag).filter_by(post_id=post_id).all()
        for flag in found:
            db.session.expunge(flag)
        return found


def test_hide_without_javascript_redirects_back(world, reported, outbox):
    board, author, post, mod = reported
    client = world.client(mod)
    response = _decide(client, post.id, "hidden", "Advertising", next="/moderation/?page=1")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/?page=1"
    stored = world.get(Post, post.id)
    assert stored.hidden_at is not None and stored.hidden_by_id == mod.id
    assert stored.moderation_note == "Advertising"
    assert world.get(Board, board.id).question_count == 0
    assert "Book my course" not in text(world.client(world.user()).get(f"/boards/{board.id}"))
    thread = text(world.client(world.user()).get(f"/boards/threads/{post.id}"))
    assert "Hidden by the moderators" in thread
    assert [m["Subject"] for m in outbox()] == ["Your post was hidden"]
    # An open redirect is refused.
    other = world.thread(board, world.user())
    world.flag(other, world.user())
    response = _decide(client, other.id, "approved", next="https://evil.example/")
    assert response.headers["Location"] == "/moderation/"


def test_approve_keeps_a_reported_post_and_dismisses_reports(world, reported):
    _, _, post, mod = reported
    assert _decide(world.client(mod), post.id, "approved").status_code == 302
    stored = world.get(Post, post.id)
    assert stored.hidden_at is None and stored.flag_count == 0
    assert world.count(Review, outcome="approved") == 1


def test_decisions_need_a_reason_where_they_go_against_the_author(world, reported):
    _, _, post, mod = reported
    client = world.client(mod)
    page = _decide(client, post.id, "hidden", "")
    assert page.status_code == 422
    assert "Enter a reason for hiding this post" in text(page)
    assert "<title>Error: Review a post" in text(page)
    fragment = _decide(client, post.id, "hidden", "", headers=HX)
    assert (
        fragment.status_code == 422 and fragment.headers["HX-Retarget"] == f"#queue-item-{post.id}"
    )
    assert 'id="decision-reason-' + str(post.id) + '-error"' in text(fragment)
    assert "There is a problem" in text(fragment)
    assert _decide(client, post.id, "nonsense", "x").status_code == 422
    assert _decide(client, post.id, "hidden", "x" * 2001).status_code == 422
    assert world.get(Post, post.id).hidden_at is None
    assert world.count(AuditEvent, action="moderation.hidden") == 0


def test_restore_needs_a_reason(world):
    board = world.board()
    post = world.thread(board, world.user())
    mod = world.moderator()
    world.decide(post, mod, "hidden")
    response = _decide(world.client(mod), post.id, "restored", "")
    assert response.status_code == 422 and "Enter a reason for restoring this post" in text(
        response
    )


def test_decision_that_does_not_fit_the_state_is_refused(world, reported):
    _, _, post, mod = reported
    response = _decide(world.client(mod), post.id, "restored", "Why not", headers=HX)
    assert response.status_code == 409 and "does not fit" in text(response)


def test_an_item_decided_meanwhile_is_not_decided_twice(world, reported):
    _, _, post, mod = reported
    review = world.review_of(post)
    other = world.moderator(name="Ana Silva")
    assert (
        _decide(world.client(other), post.id, "hidden", "Spam", review=review.id).status_code == 302
    )
    late = _decide(world.client(mod), post.id, "approved", "", review=review.id, headers=HX)
    assert late.status_code == 409 and "decided meanwhile" in text(late)
    assert late.headers["HX-Retarget"] == f"#queue-item-{post.id}"
    assert world.get(Post, post.id).hidden_at is not None
    assert world.count(AuditEvent, action="moderation.approved") == 0


# Claims ------------------------------------------------------------------------------------


def test_claim_shows_who_has_the_item(world, reported):
    _, _, post, mod = reported
    client = world.client(mod)
    response = client.post(f"/moderation/posts/{post.id}/claim", headers=HX)
    assert response.status_code == 200 and "You are reviewing this" in text(response)
    assert f'id="claim-{post.id}" tabindex="-1">You are reviewing this' in text(response)
    assert '<div hx-swap-oob="innerHTML:#sr-status">You are reviewing this post.</div>' in text(
        response
    )
    plain = world.client(mod).post(f"/moderation/posts/{post.id}/claim")
    assert plain.status_code == 302 and plain.headers["Location"] == f"/moderation/posts/{post.id}"
    other = world.client(world.moderator(name="Ana Silva"))
    page = text(other.get("/moderation/"))
    assert "Tom Byrne is reviewing this" in page and "Take over the review" in page


def test_deciding_on_a_claimed_item_asks_to_take_over(world, reported):
    _, _, post, mod = reported
    world.client(mod).post(f"/moderation/posts/{post.id}/claim")
    ana = world.client(world.moderator(name="Ana Silva"))
    response = _decide(ana, post.id, "hidden", "Advertising", headers=HX)
    body = text(response)
    assert (
        response.status_code == 409 and response.headers["HX-Retarget"] == f"#queue-item-{post.id}"
    )
    assert "Tom Byrne is reviewing this post" in body and f'id="take-over-{post.id}"' in body
    assert 'name="take_over" value="1"' in body and 'name="reason" value="Advertising"' in body
    assert world.get(Post, post.id).hidden_at is None
    # Claiming it needs take-over too.
    assert ana.post(f"/moderation/posts/{post.id}/claim").status_code == 409
    taken = _decide(ana, post.id, "hidden", "Advertising", take_over="1")
    assert taken.status_code == 302 and world.get(Post, post.id).hidden_at is not None
    (event,) = world.events("moderation.hidden")
    assert event.detail == "took over from Tom Byrne"


def test_a_lapsed_claim_does_not_block(world, reported):
    _, _, post, mod = reported
    world.client(mod).post(f"/moderation/posts/{post.id}/claim")
    with world.app.app_context():
        review = db.session.query(Review).filter_by(post_id=post.id).one()
        review.claimed_at = utcnow() - timedelta(minutes=11)
        db.session.commit()
    ana = world.client(world.moderator())
    assert "is reviewing this" not in text(ana.get(f"/moderation/posts/{post.id}"))
    assert _decide(ana, post.id, "approved").status_code == 302


def test_claiming_a_post_that_is_not_queued(world):
    board = world.board()
    post = world.thread(board, world.user())
    response = world.client(world.moderator()).post(
        f"/moderation/posts/{post.id}/claim", headers=HX
    )
    assert response.status_code == 409 and "not waiting in the queue" in text(response)


def test_a_moderator_can_hide_a_post_that_is_not_in_the_queue(world):
    board = world.board()
    post = world.thread(board, world.user())
    assert (
        _decide(world.client(world.moderator()), post.id, "hidden", "Personal details").status_code
        == 302
    )
    assert world.get(Post, post.id).hidden_at is not None
    assert world.count(Review) == 0


# Redaction ---------------------------------------------------------------------------------


def test_redact_replaces_the_text_and_keeps_the_original_for_moderators(world, outbox):
    board = world.board()
    author = world.user()
    post = world.thread(board, author, title="Contact", body="Call Jane on 07700 900123")
    world.flag(post, world.user(), "personal")
    mod = world.moderator()
    client = world.client(mod)
    form = text(client.get(f"/moderation/posts/{post.id}/redact"))
    assert "Call Jane on 07700 900123" in form and 'name="review" value="' in form
    review = world.review_of(post)
    empty = client.post(
        f"/moderation/posts/{post.id}/redact", data={"title": "", "body": "", "reason": ""}
    )
    assert empty.status_code == 422
    assert "Enter a title" in text(empty) and "Enter a reason for removing information" in text(
        empty
    )
    response = client.post(
        f"/moderation/posts/{post.id}/redact",
        data={
            "title": "Contact",
            "body": "Call Jane on [number removed]",
            "reason": "Phone numbers are personal information",
            "review": str(review.id),
        },
    )
    assert response.status_code == 302
    stored = world.get(Post, post.id)
    assert stored.body == "Call Jane on [number removed]" and stored.is_published
    assert "07700" not in stored.body_html
    assert world.count(Redaction, post_id=post.id) == 1
    public = text(world.client(world.user()).get(f"/boards/threads/{post.id}"))
    assert "[number removed]" in public and "07700" not in public
    # Not on the author's revisions page either; moderators read it in the queue.
    revisions = text(world.client(author).get(f"/boards/posts/{post.id}/revisions"))
    assert "07700" not in revisions
    assert "07700 900123" in text(client.get(f"/moderation/posts/{post.id}"))
    assert [m["Subject"] for m in outbox()] == ["Personal information was removed from your post"]
    assert world.count(AuditEvent, action="moderation.redacted") == 1


def test_redact_a_reply_needs_its_text(world):
    board = world.board()
    thread = world.thread(board, world.user())
    reply = world.reply(thread, world.user(), body="My address is 1 High Street")
    client = world.client(world.moderator())
    missing = client.post(f"/moderation/posts/{reply.id}/redact", data={"body": "", "reason": "x"})
    assert missing.status_code == 422 and "Enter the text to keep" in text(missing)
    ok = client.post(
        f"/moderation/posts/{reply.id}/redact",
        data={"body": "My address is [removed]", "reason": "x"},
    )
    assert ok.status_code == 302 and world.get(Post, reply.id).body == "My address is [removed]"


def test_moderator_user_listing_after_decision(world, reported):
    _, author, post, mod = reported
    world.decide(post, mod, "hidden", "Advertising")
    page = text(world.client(mod).get(f"/moderation/people/{author.id}"))
    assert "Moderation record: Owen Price" in page and "Post hidden by Tom Byrne" in page
    assert world.client(mod).get("/moderation/people/99999").status_code == 404
    with world.app.app_context():
        assert db.session.get(User, author.id) is not None


def test_queue_page_ids_are_unique(world, reported):
    board, author, post, mod = reported
    world.held(board, world.user())
    hidden = world.thread(board, author)
    world.decide(hidden, mod, "hidden", "Rude")
    world.client(author).post(
        f"/moderation/decisions/{world.events('moderation.hidden')[0].id}/appeal",
        data={"reason": "Please look again"},
    )
    world.suspend(author, world.moderator(), 1, post)
    page = text(world.client(mod).get("/moderation/"))
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert page.count('class="queue-item"') == 3
