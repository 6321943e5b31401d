"""Who is told what about agendas, actions, meetings and applications; email settings and the
unsubscribe tokens."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AgendaItem, ItemStatus, Notification, NotificationSettings
from app.models.notifications import EmailMode, Kind
from app.notifications import delivery, settings
from app.notifications import services as notify


def told(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def board(make, **fields):
    return make.meeting(**fields).boards[0]


# Agendas, actions, meetings, applications ----------------------------------------------------


def test_question_authors_hear_when_the_agenda_is_published_and_when_discussed(make):
    from app.agenda import running
    from app.agenda import services as agenda

    facilitator, author = make.user(password=None), make.user(password=None)
    b = board(make, title="Levelling up, part 2")
    question = make.thread(b, author, title="Who holds power?")
    item, _ = agenda.add_question(b.meeting, question)
    assert notify.agenda_changed(b.meeting, facilitator) == []  # a draft agenda says nothing

    agenda.publish(b.meeting, facilitator)
    notify.agenda_changed(b.meeting, facilitator)
    notify.agenda_changed(b.meeting, facilitator)
    (n,) = told(author)
    assert n.kind == Kind.AGENDA and n.meeting_id == b.meeting.id
    assert n.text == (
        "Your question \u201cWho holds power?\u201d is on the agenda for Levelling up, part 2"
    )

    running.set_status(item, ItemStatus.DISCUSSED)
    notify.question_discussed(item, facilitator)
    notify.question_discussed(item, facilitator)
    assert [n.text.split(" was ")[-1] for n in told(author)][
        -1
    ] == "discussed at Levelling up, part 2"
    assert len(told(author)) == 2
    assert db.session.get(AgendaItem, item.id).status == ItemStatus.DISCUSSED


def test_actions_invitations_status_changes_and_comments(make):
    from app.actions import services as actions
    from app.models import ActionEvent, EventKind

    proposer, invitee, follower = (
        make.user(password=None, name="Priya Shah"),
        make.user(password=None),
        make.user(password=None),
    )
    action = make.action(proposer, title="Map local data", invited=[invitee])
    for entry in db.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action.id)):
        notify.action_event(action, entry)
    (invite,) = told(invitee)
    assert invite.kind == Kind.ACTION_INVITE and invite.email == ""
    assert invite.text == "Priya Shah invited you to own the action \u201cMap local data\u201d"
    assert told(proposer) == []

    actions.set_following(action, follower, True)
    entry = actions.add_comment(action, invitee, "Happy to help")
    notify.action_event(action, entry)
    assert [n.kind for n in told(follower)] == [Kind.ACTION]
    assert [n.kind for n in told(proposer)] == [Kind.ACTION]  # the owner
    actions.change_status(action, proposer, "in_progress", action.version)
    status = db.session.scalar(
        select(ActionEvent)
        .where(ActionEvent.kind == EventKind.STATUS)
        .order_by(ActionEvent.id.desc())
    )
    notify.action_event(action, status)
    assert (
        told(follower)[-1].text
        == "Priya Shah moved the action \u201cMap local data\u201d to In progress"
    )
    assert [n.kind for n in told(proposer)] == [Kind.ACTION]  # not told of their own change


def test_registrants_hear_of_changes_and_cancellations(make):
    facilitator = make.user(password=None)
    meeting = make.meeting(title="Using data well")
    registered, waiting = make.user(password=None), make.user(password=None)
    make.registration(meeting, registered)
    make.registration(meeting, waiting, status="waitlisted")
    make.registration(meeting, facilitator)

    notify.meeting_changed(meeting, facilitator)
    meeting.sequence += 1
    notify.meeting_changed(meeting, facilitator)
    assert [n.kind for n in told(registered)] == [Kind.MEETING, Kind.MEETING]
    assert told(waiting)[0].text.startswith(
        "\u201cUsing data well\u201d has changed: it is now on "
    )
    assert told(facilitator) == []

    meeting.cancel_reason = "The speaker is ill"
    notify.meeting_cancelled(meeting, facilitator)
    last = told(registered)[-1]
    assert last.text.endswith("is cancelled") and last.excerpt == "The speaker is ill"
    assert last.email == ""  # the meetings area emails cancellations itself


def test_an_approved_application_welcomes_the_new_account(make):
    from app.community import services as community

    application = make.application(name="Dana Cole", decision_note="Welcome aboard")
    decider = make.user(password=None)
    decided = community.approve(application, decider, "Welcome aboard")
    notify.application_approved(application, decided.user, decider)
    (n,) = told(decided.user)
    assert n.kind == Kind.APPLICATION and n.excerpt == "Welcome aboard"


# Settings and email modes --------------------------------------------------------------------


def test_new_notifications_take_the_members_email_mode(make):
    me = make.user(password=None)
    settings.save(me, {Kind.REPLY: EmailMode.IMMEDIATE, Kind.MENTION: EmailMode.OFF}, 3)
    reply = make.notification(me, kind=Kind.REPLY)
    mention = make.notification(me, kind=Kind.MENTION)
    follow = make.notification(me, kind=Kind.FOLLOW)
    assert (reply.email, mention.email, follow.email) == ("immediate", "", "daily")


def test_turning_a_kind_off_cancels_its_waiting_emails(make):
    me = make.user(password=None)
    waiting = make.notification(me, kind=Kind.FOLLOW)
    assert waiting.email == EmailMode.DAILY
    settings.save(me, {Kind.FOLLOW: EmailMode.OFF}, 0)
    db.session.refresh(waiting)
    assert waiting.email == ""
    row = db.session.get(NotificationSettings, me.id)
    assert row.follow == EmailMode.OFF and row.meeting_digest_days == 0
    assert row.reply == EmailMode.DAILY  # untouched kinds keep their defaults


@pytest.mark.parametrize(
    ("what", "off"),
    [
        (Kind.REPLY, {Kind.REPLY}),
        ("digest", {Kind.REPLY, Kind.MENTION, Kind.FOLLOW, Kind.AGENDA, Kind.ACTION}),
        ("all", set(Kind.EMAILED)),
    ],
)
def test_unsubscribe_stops_what_the_link_names(make, what, off):
    me = make.user(password=None)
    settings.unsubscribe(me, what)
    saved = settings.settings_for(me.id)
    assert {k for k in Kind.EMAILED if saved.mode(k) == EmailMode.OFF} == off
    assert saved.meeting_digest_days == (0 if what == "all" else 3)


def test_unsubscribe_tokens_are_signed_and_for_unsubscribing_only(make):
    from app.tokens import password_token

    me = make.user(password=None)
    token = settings.unsubscribe_token(me.id, Kind.REPLY)
    assert settings.read_unsubscribe_token(token) == (me, Kind.REPLY)
    assert settings.read_unsubscribe_token(token[:-2] + "xx") is None
    assert settings.read_unsubscribe_token(password_token(me, "reset")) is None
    assert settings.read_unsubscribe_token("nonsense") is None


def test_silenced_notifications_are_never_emailed(make):
    me = make.user(password=None)
    settings.save(me, {Kind.REPLY: EmailMode.IMMEDIATE}, 3)
    made = make.notification(me, kind=Kind.REPLY)
    assert delivery.silence_created() >= 1
    db.session.refresh(made)
    assert made.email == ""
