"""Emails: immediate ones after commit, the daily digest and the digest before each meeting,
each sent once however often `flask notifications send-digests` runs."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import DigestRun, Notification
from app.models.notifications import EmailMode, Kind
from app.notifications import digests, settings
from app.notifications import services as notify
from app.timeutil import utcnow
from tests.conftest import email_body

# 09:00 in London in winter: after the default digest hour (07:00).
MORNING = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def member(make, **fields):
    return make.user(password=None, **fields)


def test_an_immediate_notification_is_emailed_once_when_the_transaction_commits(make, outbox):
    me = member(make, name="Amara Okafor", email="amara@example.org")
    settings.save(me, {Kind.REPLY: EmailMode.IMMEDIATE}, 3)
    thread = make.thread(make.meeting().boards[0], me, title="Data gaps")
    reply = make.reply(thread, member(make, name="Rhys Evans"), body="Try the census.")
    notify.reply_posted(reply)
    assert outbox() == []  # nothing before the commit
    db.session.commit()

    (message,) = outbox()
    assert message["To"] == "amara@example.org"
    assert message["Subject"] == "Rhys Evans replied to your question \u201cData gaps\u201d"
    body = email_body(message)
    assert "Try the census." in body
    assert f"http://localhost/boards/threads/{reply.id}#post-{reply.id}" in body
    assert "http://localhost/notifications/settings" in body
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost/notifications/unsubscribe/")
    assert unsubscribe.strip("<>") in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert db.session.scalar(select(Notification.emailed_at)) is not None
    assert digests.run(MORNING).immediate == 0  # the sweep finds nothing left
    assert len(outbox()) == 1


def test_a_rolled_back_notification_is_never_emailed(make, outbox):
    me = member(make)
    settings.save(me, {Kind.MEETING: EmailMode.IMMEDIATE}, 3)
    db.session.commit()
    make.notification(me, kind=Kind.MEETING)
    db.session.rollback()
    db.session.commit()
    assert outbox() == []


def test_the_sweep_sends_immediate_emails_left_behind(make, outbox):
    me = member(make)
    settings.save(me, {Kind.MEETING: EmailMode.IMMEDIATE}, 3)
    make.notification(me, kind=Kind.MEETING)
    db.session.info.pop("notifications_to_email")  # as if the send after commit had failed
    db.session.commit()
    assert outbox() == []
    assert digests.run(MORNING).immediate == 1
    assert digests.run(MORNING).immediate == 0
    assert len(outbox()) == 1


def test_daily_digest_is_sent_once_a_day_with_what_is_waiting(make, outbox, runner):
    me = member(make, name="Amara Okafor")
    other = member(make)
    first = make.notification(me, kind=Kind.REPLY, text="Rhys replied to your question")
    make.notification(me, kind=Kind.FOLLOW, text="Jo replied in a thread you follow")
    make.notification(other, kind=Kind.MENTION)
    settings.save(other, {Kind.MENTION: EmailMode.OFF}, 3)
    db.session.commit()

    assert digests.run(MORNING).daily == 1
    assert digests.run(MORNING).daily == 0  # run twice: one email
    (message,) = outbox()
    assert message["Subject"] == "Your Roundtable digest: 2 new notifications"
    body = email_body(message)
    assert "Rhys replied to your question" in body and "Jo replied in a thread" in body
    assert "Thursday 15 January 2026" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run = db.session.scalar(select(DigestRun))
    assert (run.kind, run.key, run.items) == ("daily", "2026-01-15", 2)
    db.session.refresh(first)
    assert first.emailed_at is not None

    # New notifications later that day wait for tomorrow's digest.
    make.notification(me, kind=Kind.REPLY)
    db.session.commit()
    assert digests.run(MORNING + timedelta(hours=5)).daily == 0
    assert digests.run(MORNING + timedelta(days=1)).daily == 1
    assert len(outbox()) == 2


def test_no_daily_digest_before_the_digest_hour(make, outbox):
    make.notification(member(make), kind=Kind.REPLY)
    db.session.commit()
    assert digests.run(MORNING.replace(hour=6)).daily == 0
    assert outbox() == []


def test_the_digest_leaves_out_posts_hidden_since(make, outbox):
    me = member(make)
    thread = make.thread(make.meeting().boards[0], me)
    reply = make.reply(thread, member(make))
    notify.reply_posted(reply)
    reply.hidden_at = utcnow()  # hidden directly, without the moderation call
    db.session.commit()
    assert digests.run(MORNING).daily == 0
    assert outbox() == []


def test_the_command_runs_from_the_cli(runner, make, outbox):
    make.notification(member(make), kind=Kind.REPLY)
    db.session.commit()
    result = runner.invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0
    assert "immediate" in result.output and "meeting digest emails sent." in result.output


# Before a meeting ----------------------------------------------------------------------------


def meeting_with_questions(make, starts_in=timedelta(days=2)):
    meeting = make.meeting(title="Sharing power", starts_in=starts_in)
    board = meeting.boards[0]
    author = member(make)
    top = make.thread(board, author, title="Who decides locally?")
    make.thread(board, author, title="A quieter question")
    for _ in range(3):
        make.vote(top)
    removed = make.thread(board, author, title="Removed one")
    removed.removed_at = utcnow()
    return meeting


def test_registered_members_get_one_digest_before_each_meeting(make, outbox):
    meeting = meeting_with_questions(make)
    me = member(make, name="Amara Okafor")
    make.registration(meeting, me)
    make.registration(meeting, member(make), status="waitlisted")
    db.session.commit()

    now = utcnow()
    assert digests.run(now).meetings == 1
    assert digests.run(now).meetings == 0
    (message,) = outbox()
    assert message["Subject"] == "Before Sharing power: top questions and actions to review"
    body = email_body(message)
    assert body.index("Who decides locally? (3 votes)") < body.index("A quieter question (0 votes)")
    assert "Removed one" not in body
    assert f"http://localhost/boards/{meeting.boards[0].id}?sort=top" in body
    assert f"http://localhost/meetings/{meeting.id}" in body
    assert message["List-Unsubscribe"].startswith("<http://localhost/notifications/unsubscribe/")


def test_the_meeting_digest_waits_for_the_members_chosen_day(make, outbox):
    meeting = meeting_with_questions(make, starts_in=timedelta(days=2, hours=1))
    early, late, off = member(make), member(make), member(make)
    for person in (early, late, off):
        make.registration(meeting, person)
    settings.save(late, {}, 1)
    settings.save(off, {}, 0)
    db.session.commit()

    assert digests.run(utcnow()).meetings == 1
    assert [m["To"] for m in outbox()] == [early.email]
    assert digests.run(utcnow() + timedelta(days=1, hours=2)).meetings == 1
    assert [m["To"] for m in outbox()][-1] == late.email


def test_the_meeting_digest_lists_actions_to_review(make, outbox):
    series = make.series()
    past = make.meeting(series_=series, starts_in=-timedelta(days=20))
    coming = make.meeting(series_=series, title="Part two", starts_in=timedelta(days=1))
    make.action(title="Publish the data audit", source=("meeting", past.id))
    me = member(make)
    make.registration(coming, me)
    db.session.commit()
    assert digests.run(utcnow()).meetings == 1
    body = email_body(outbox()[0])
    assert "Actions the meeting will review:" in body
    assert "Publish the data audit (Open, due " in body


def test_the_meeting_digest_keeps_hidden_vote_counts_hidden(make, outbox):
    meeting = meeting_with_questions(make)
    meeting.boards[0].hide_votes_until_start = True
    make.registration(meeting, member(make))
    db.session.commit()
    digests.run(utcnow())
    body = email_body(outbox()[0])
    assert "(3 votes)" not in body and "(0 votes)" not in body
    assert "votes are counted in secret until the meeting" in body
    # Newest first: the order would otherwise give the counts away.
    assert body.index("A quieter question") < body.index("Who decides locally?")


def test_a_savepoint_inside_the_transaction_sends_nothing_early(make, outbox):
    me = member(make)
    settings.save(me, {Kind.MEETING: EmailMode.IMMEDIATE}, 3)
    make.notification(me, kind=Kind.MEETING)
    with db.session.begin_nested():
        make.notification(me, kind=Kind.MEETING)
    assert outbox() == []
    db.session.commit()
    assert len(outbox()) == 2


def test_a_rolled_back_savepoint_keeps_the_rest_queued(make, outbox):
    me = member(make)
    settings.save(me, {Kind.MEETING: EmailMode.IMMEDIATE}, 3)
    make.notification(me, kind=Kind.MEETING)
    nested = db.session.begin_nested()
    make.notification(me, kind=Kind.MEETING)
    nested.rollback()
    db.session.commit()
    assert len(outbox()) == 1
