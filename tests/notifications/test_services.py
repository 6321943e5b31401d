"""Who is told what: the event calls, unread counts, follows, settings and unsubscribe tokens."""

from sqlalchemy import func, select

from app.boards import services as boards
from app.extensions import db
from app.models import (
    AuditEvent,
    Follow,
    MeetingStatus,
    Notification,
    User,
)
from app.models.notifications import Kind
from app.notifications import delivery, follows
from app.notifications import services as notify
from app.timeutil import utcnow


def told(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def count(user) -> int:
    return delivery.unread_count(user.id)


def board(make, **fields):
    return make.meeting(**fields).boards[0]


# Replies, mentions, follows ------------------------------------------------------------------


def test_a_reply_tells_the_author_of_the_post_replied_to_once(make):
    author, replier = (
        make.user(password=None, name="Amara Okafor"),
        make.user(password=None, name="Rhys Evans"),
    )
    thread = make.thread(board(make), author, title="Data gaps in small places")
    reply = make.reply(thread, replier, body="We map *our own* data.")

    notify.reply_posted(reply)
    notify.reply_posted(reply)  # a second call tells nobody twice

    (n,) = told(author)
    assert n.kind == Kind.REPLY and n.post_id == reply.id and n.actor_id == replier.id
    assert n.text == "Rhys Evans replied to your question \u201cData gaps in small places\u201d"
    assert n.excerpt == "We map our own data."
    assert count(author) == 1
    assert told(replier) == []


def test_an_anonymous_reply_never_names_its_author(make):
    author = make.user(password=None)
    thread = make.thread(board(make), author, title="Root causes")
    reply = make.reply(
        thread, make.user(password=None, name="Secret Person"), body="Hello", anonymous=True
    )
    notify.reply_posted(reply)
    (n,) = told(author)
    assert n.text.startswith("A member replied") and "Secret" not in n.text


def test_nobody_is_told_about_their_own_reply(make):
    author = make.user(password=None)
    thread = make.thread(board(make), author)
    notify.reply_posted(make.reply(thread, author))
    assert told(author) == [] and count(author) == 0


def test_a_reply_to_a_reply_tells_its_author(make):
    author, first, second = (
        make.user(password=None),
        make.user(password=None),
        make.user(password=None, name="Sam Lee"),
    )
    thread = make.thread(board(make), author, title="Power")
    mid = make.reply(thread, first)
    notify.reply_posted(make.reply(mid, second))
    (n,) = told(first)
    assert n.text == "Sam Lee replied to your reply in \u201cPower\u201d"


def test_a_mention_tells_the_member_named_and_wins_over_a_reply(make):
    author = make.user(password=None, name="Amara Okafor")
    rhys = make.user(password=None, name="Rhys Evans")
    thread = make.thread(board(make), author, title="Skills")
    reply = make.reply(
        thread, make.user(password=None, name="Priya Shah"), body="@Amara and @Rhys Evans agree"
    )
    notify.reply_posted(reply)

    assert [n.kind for n in told(author)] == [Kind.MENTION]  # one notification, the mention
    (n,) = told(rhys)
    assert n.kind == Kind.MENTION and n.text == "Priya Shah mentioned you in \u201cSkills\u201d"


def test_an_edit_tells_newly_mentioned_members_only(make):
    author, rhys = make.user(password=None), make.user(password=None, name="Rhys Evans")
    thread = make.thread(board(make), author)
    reply = make.reply(thread, make.user(password=None), body="No mention yet")
    notify.reply_posted(reply)
    boards.edit_post(reply, reply.author, title="", body="Now @Rhys Evans")
    notify.post_edited(reply)
    notify.post_edited(reply)
    assert [n.kind for n in told(rhys)] == [Kind.MENTION]
    assert [n.kind for n in told(author)] == [Kind.REPLY]


def test_authors_follow_their_threads_and_followers_hear_of_replies(make):
    author, follower, replier = (
        make.user(password=None),
        make.user(password=None),
        make.user(password=None, name="Jo Mensah"),
    )
    thread = make.thread(board(make), author, title="Using data")
    notify.thread_created(thread)
    follows.follow(follower.id, follows.THREAD, thread.id)
    assert follows.is_following(author.id, follows.THREAD, thread.id)

    notify.reply_posted(make.reply(thread, replier))

    assert [n.kind for n in told(author)] == [Kind.REPLY]  # told once, as the author
    (n,) = told(follower)
    assert n.kind == Kind.FOLLOW
    assert n.text == "Jo Mensah replied in \u201cUsing data\u201d, a thread you follow"


def test_board_followers_hear_of_new_threads(make):
    b = board(make)
    follower = make.user(password=None)
    follows.follow(follower.id, follows.BOARD, b.id)
    follows.follow(follower.id, follows.BOARD, b.id)  # twice is harmless
    assert db.session.scalar(select(func.count(Follow.id))) == 1

    thread = make.thread(b, make.user(password=None, name="Tom Byrne"), title="Devolution")
    notify.thread_created(thread)
    (n,) = told(follower)
    assert n.kind == Kind.FOLLOW and "Tom Byrne started \u201cDevolution\u201d" in n.text

    follows.unfollow(follower.id, follows.BOARD, b.id)
    notify.thread_created(make.thread(b, make.user(password=None)))
    assert len(told(follower)) == 1


def test_draft_meetings_boards_tell_nobody(make):
    author = make.user(password=None)
    thread = make.thread(board(make, status=MeetingStatus.DRAFT), author)
    notify.reply_posted(make.reply(thread, make.user(password=None)))
    assert told(author) == []


def test_closed_accounts_are_not_told(make):
    author = make.user(password=None, active=False)
    thread = make.thread(board(make), author)
    notify.reply_posted(make.reply(thread, make.user(password=None)))
    assert told(author) == []


# Moderation: held, approved, hidden ----------------------------------------------------------


def decision(post, moderator, outcome, reason="Checked"):
    event = AuditEvent(
        actor_id=moderator.id,
        action=f"moderation.{outcome}",
        subject_type="post",
        subject_id=post.id,
        subject_user_id=post.author_id,
        reason=reason,
    )
    db.session.add(event)
    db.session.flush()
    return event


def test_a_held_reply_tells_nobody_until_it_is_approved_then_once(make):
    author, replier, moderator = (
        make.user(password=None),
        make.user(password=None, name="New Member"),
        make.user(password=None),
    )
    thread = make.thread(board(make), author)
    reply = boards.create_reply(thread, replier, body="My first post", held_reason="first_posts")
    notify.reply_posted(reply)
    assert told(author) == []

    reply.held_at = None  # what the moderators' approval does
    notify.moderation_decision(reply, decision(reply, moderator, "approved"))
    notify.moderation_decision(reply, decision(reply, moderator, "approved"))
    assert [n.kind for n in told(author)] == [Kind.REPLY]
    kinds = [n.kind for n in told(replier)]
    assert kinds == [Kind.MODERATION, Kind.MODERATION]  # one per decision
    assert told(replier)[0].text.startswith("The moderators approved your reply in")
    assert told(replier)[0].email == ""  # the moderation area emails decisions itself


def test_hiding_a_post_takes_back_what_others_were_told(make):
    author, follower, moderator = (
        make.user(password=None),
        make.user(password=None),
        make.user(password=None),
    )
    thread = make.thread(board(make), author)
    follows.follow(follower.id, follows.THREAD, thread.id)
    reply = make.reply(thread, make.user(password=None))
    notify.reply_posted(reply)
    assert count(author) == 1 and count(follower) == 1
    delivery.mark_read(told(follower)[0])

    reply.hidden_at = utcnow()
    notify.moderation_decision(reply, decision(reply, moderator, "hidden"))

    assert told(author) == [] and told(follower) == []
    assert count(author) == 0 and count(follower) == 0
    assert [n.kind for n in told(reply.author)] == [Kind.MODERATION]


def test_a_post_removed_by_its_author_is_taken_back(make):
    author = make.user(password=None)
    thread = make.thread(board(make), author)
    reply = make.reply(thread, make.user(password=None))
    notify.reply_posted(reply)
    assert notify.post_removed(reply) == 1
    assert count(author) == 0


# Read state ----------------------------------------------------------------------------------


def test_marking_read_moves_the_count_exactly_once(make):
    me = make.user(password=None)
    first, second, third = (make.notification(me) for _ in range(3))
    assert count(me) == 3
    assert delivery.mark_read(first) is True
    assert delivery.mark_read(first) is False
    assert count(me) == 2
    assert delivery.mark_all_read(me) == 2
    assert delivery.mark_all_read(me) == 0
    assert count(me) == 0
    assert all(n.read_at for n in told(me))


def test_counts_match_the_rows_after_many_changes(make):
    people = [make.user(password=None) for _ in range(3)]
    for i, person in enumerate(people):
        for _ in range(i + 2):
            make.notification(person)
    delivery.mark_read(told(people[0])[0])
    delivery.mark_all_read(people[1])
    for person in people:
        unread = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == person.id, Notification.read_at.is_(None)
            )
        )
        assert db.session.get(User, person.id).unread_notifications == unread
    assert count(people[2]) == 4


def test_follow_says_whether_it_added_a_row(make):
    me, b = make.user(password=None), board(make)
    assert follows.follow(me.id, follows.BOARD, b.id) is True
    assert follows.follow(me.id, follows.BOARD, b.id) is False
    assert follows.unfollow(me.id, follows.BOARD, b.id) is True
    assert follows.unfollow(me.id, follows.BOARD, b.id) is False
