"""Who is told what: the calls other areas make, one line each, when something happens.

    from app.notifications import services as notify
    notify.reply_posted(reply)

Each call runs inside the caller's transaction (it flushes, never commits) and creates at most
one notification per member per event, so calling it twice, or again when a held post is
approved, tells nobody twice. Nobody is told about their own doing, and nothing is said about a
post others cannot read (held, hidden, removed) or about a draft meeting's boards.
"""

import re

from flask import current_app
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.extensions import db
from app.models import (
    ActionFollower,
    ActionOwner,
    ActionStatus,
    Agenda,
    AgendaItem,
    EventKind,
    ItemStatus,
    MeetingStatus,
    Notification,
    OwnerState,
    Post,
    Registration,
    User,
)
from app.models.notifications import Kind
from app.notifications import follows
from app.notifications.delivery import Draft, deliver, plain, quoted, withdraw

MENTION_LINK = re.compile(r'<a class="mention" href="([^"]+)"')
OUTCOME_TEXTS = {
    "approved": "The moderators approved your {}",
    "hidden": "The moderators hid your {}",
    "restored": "The moderators restored your {}",
    "redacted": "The moderators removed personal information from your {}",
}


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "Roundtable"


def _author_name(post: Post) -> str:
    """Who wrote post, as members may know it: anonymous posts never name their author."""
    return "A member" if post.anonymous else _name(post.author)


def _thread(post: Post) -> Post:
    return post if post.is_thread else post.root


def _others_may_read(post: Post) -> bool:
    return (
        post.is_published
        and not post.is_removed
        and post.board.meeting.status != MeetingStatus.DRAFT
    )


def mentioned_ids(body_html: str) -> list[int]:
    """The members a post's mention links point to (the boards link exactly the people meant,
    and leave an ambiguous first name unlinked), in order, without repeats."""
    adapter = current_app.url_map.bind("localhost")
    found: list[int] = []
    for path in MENTION_LINK.findall(body_html or ""):
        try:
            endpoint, args = adapter.match(path, method="GET")
        except (HTTPException, RequestRedirect):
            continue
        values = list(args.values())
        if endpoint == "community.member" and len(values) == 1 and values[0] not in found:
            found.append(values[0])
    return found


# Posts ---------------------------------------------------------------------------------------


def thread_created(post: Post) -> list:
    """A new question or discussion: its author follows it; once others may read it, the
    members it mentions and the board's followers are told."""
    follows.follow(post.author_id, follows.THREAD, post.id)
    return _post_published(post, now=post.created_at)


def reply_posted(reply: Post) -> list:
    """A new reply: the author of the post replied to, the members it mentions and the thread's
    followers are told (once others may read it)."""
    return _post_published(reply, now=reply.created_at)


def _post_published(post: Post, now=None) -> list:
    if not _others_may_read(post):
        return []
    actor = _author_name(post)
    thread = _thread(post)
    title = quoted(thread.title)
    excerpt = plain(post.body_html) or (post.title if post.is_thread else "")
    common = {"excerpt": excerpt, "post_id": post.id}
    drafts = [
        Draft(uid, Kind.MENTION, f"{actor} mentioned you in {title}", **common)
        for uid in mentioned_ids(post.body_html)
    ]
    if post.is_thread:
        board = post.board
        drafts += [
            Draft(
                uid,
                Kind.FOLLOW,
                f"{actor} started {title} on {board.theme.title}, a board you follow",
                **common,
            )
            for uid in follows.followers(follows.BOARD, board.id)
        ]
    else:
        parent = post.parent
        if not parent.is_removed:
            if parent.is_thread:
                what = "question" if parent.is_question else "discussion"
                text = f"{actor} replied to your {what} {title}"
            else:
                text = f"{actor} replied to your reply in {title}"
            drafts.append(Draft(parent.author_id, Kind.REPLY, text, **common))
        drafts += [
            Draft(uid, Kind.FOLLOW, f"{actor} replied in {title}, a thread you follow", **common)
            for uid in follows.followers(follows.THREAD, thread.id)
        ]
    return deliver(f"post:{post.id}", drafts, actor_id=post.author_id, now=now)


def post_edited(post: Post) -> list:
    """An edited post: members it now mentions, and were not told about it yet, are told."""
    if not _others_may_read(post):
        return []
    title = quoted(_thread(post).title)
    drafts = [
        Draft(
            uid,
            Kind.MENTION,
            f"{_author_name(post)} mentioned you in {title}",
            excerpt=plain(post.body_html),
            post_id=post.id,
        )
        for uid in mentioned_ids(post.body_html)
    ]
    return deliver(f"post:{post.id}", drafts, actor_id=post.author_id)


def post_removed(post: Post) -> int:
    """Its author removed a post: what others were told about it goes from their lists."""
    return withdraw(post)


def post_hidden(post: Post) -> int:
    """Members' reports hid a post (no moderator decision yet): what others were told about it
    goes from their lists, as for a decision to hide it."""
    return withdraw(post)


def moderation_decision(post: Post, event) -> list:
    """A moderator decided about post (event: the decision's AuditEvent): its author is told
    (the moderation area emails them itself). A held post now approved is announced as new; a
    post now hidden is taken back from everyone else's notifications."""
    outcome = event.action.rpartition(".")[2]
    told = []
    if outcome in OUTCOME_TEXTS:
        what = f"post {quoted(post.title)}" if post.is_thread else "reply in "
        if not post.is_thread:
            what += quoted(_thread(post).title)
        text = OUTCOME_TEXTS[outcome].format(what)
        draft = Draft(post.author_id, Kind.MODERATION, text, excerpt=event.reason or "")
        draft.post_id = post.id
        told = deliver(
            f"moderation:{event.id}", [draft], actor_id=event.actor_id, emailed_elsewhere=True
        )
    if not post.is_published:
        withdraw(post)
    elif post.held_reason:
        # It was held when written, so nobody was told then: tell them now (once).
        told += _post_published(post)
    return told


# Agendas -------------------------------------------------------------------------------------


def agenda_changed(meeting, actor=None, now=None) -> list:
    """Once a meeting's agenda is published, the authors of its questions are told, each once
    per item (call after publishing, and after adding questions to a published agenda)."""
    published = db.session.scalar(
        select(Agenda.published_at).where(Agenda.meeting_id == meeting.id)
    )
    if published is None:
        return []
    rows = db.session.execute(
        select(AgendaItem.id, Post)
        .join(Post, Post.id == AgendaItem.post_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    ).all()
    keys = [f"agenda:{item_id}" for item_id, _ in rows]
    done = set(db.session.scalars(select(Notification.key).where(Notification.key.in_(keys))))
    told = []
    for item_id, post in rows:
        if f"agenda:{item_id}" not in done and post.is_published and not post.is_removed:
            text = f"Your question {quoted(post.title)} is on the agenda for {meeting.title}"
            draft = Draft(post.author_id, Kind.AGENDA, text, post_id=post.id, meeting_id=meeting.id)
            key, actor_id = f"agenda:{item_id}", actor.id if actor else None
            told += deliver(key, [draft], actor_id=actor_id, now=now)
    return told


def question_discussed(item: AgendaItem, actor=None, now=None) -> list:
    """An agenda item marked discussed: the author of its question is told (once)."""
    if item.status != ItemStatus.DISCUSSED or item.post_id is None:
        return []
    post = db.session.get(Post, item.post_id)
    if post is None or not post.is_published or post.is_removed:
        return []
    meeting = item.agenda.meeting
    text = f"Your question {quoted(post.title)} was discussed at {meeting.title}"
    draft = Draft(
        post.author_id,
        Kind.AGENDA,
        text,
        excerpt=plain(item.notes_html),
        post_id=post.id,
        meeting_id=meeting.id,
    )
    key = f"discussed:{item.id}"
    return deliver(key, [draft], actor_id=actor.id if actor else None, now=now)


# Actions -------------------------------------------------------------------------------------


def action_event(action, entry) -> list:
    """A line added to an action's timeline (entry: an ActionEvent): an invitation tells the
    person invited (the actions area emails them itself); a status change, progress update or
    comment tells the action's owners and followers."""
    kinds = (EventKind.INVITED, EventKind.STATUS, EventKind.UPDATE, EventKind.COMMENT)
    if entry.kind not in kinds:
        return []
    db.session.flush()  # the entry's id names the event
    actor = db.session.get(User, entry.actor_id) if entry.actor_id else None
    title = quoted(action.title)
    common = {"excerpt": plain(entry.text_html), "action_id": action.id}
    key, when = f"action_event:{entry.id}", entry.created_at
    if entry.kind == EventKind.INVITED:
        text = f"{_name(actor)} invited you to own the action {title}"
        draft = Draft(entry.subject_user_id, Kind.ACTION_INVITE, text, **common)
        return deliver(key, [draft], actor_id=entry.actor_id, now=when, emailed_elsewhere=True)
    if entry.kind == EventKind.STATUS:
        label = ActionStatus.LABELS.get(entry.to_status, entry.to_status)
        text = f"{_name(actor)} moved the action {title} to {label}"
    elif entry.kind == EventKind.UPDATE:
        text = f"{_name(actor)} posted an update on the action {title}"
    else:
        text = f"{_name(actor)} commented on the action {title}"
    owners = select(ActionOwner.user_id).where(
        ActionOwner.action_id == action.id, ActionOwner.state == OwnerState.ACCEPTED
    )
    watchers = select(ActionFollower.user_id).where(ActionFollower.action_id == action.id)
    people = db.session.scalars(owners.union(watchers)).all()
    drafts = [Draft(uid, Kind.ACTION, text, **common) for uid in sorted(people)]
    return deliver(key, drafts, actor_id=entry.actor_id, now=when)


# Meetings and membership ---------------------------------------------------------------------


def _registrants(meeting) -> list[int]:
    """Everyone registered or waiting for the meeting."""
    return list(
        db.session.scalars(
            select(Registration.user_id)
            .where(Registration.meeting_id == meeting.id)
            .order_by(Registration.id)
        )
    )


def meeting_changed(meeting, actor=None) -> list:
    """A meeting's date, place, link or description changed (its calendar sequence moved):
    everyone registered or waiting is told, once per change."""
    text = f"{quoted(meeting.title)} has changed: it is now on {meeting.when}"
    drafts = [
        Draft(uid, Kind.MEETING, text, meeting_id=meeting.id) for uid in _registrants(meeting)
    ]
    key = f"meeting:{meeting.id}:{meeting.sequence}"
    return deliver(key, drafts, actor_id=actor.id if actor else None)


def meeting_cancelled(meeting, actor=None) -> list:
    """A meeting was cancelled: everyone registered or waiting is told in the app (the meetings
    area emails each of them itself)."""
    text = f"{quoted(meeting.title)} on {meeting.when} is cancelled"
    drafts = [
        Draft(uid, Kind.MEETING, text, excerpt=meeting.cancel_reason or "", meeting_id=meeting.id)
        for uid in _registrants(meeting)
    ]
    return deliver(
        f"cancelled:{meeting.id}",
        drafts,
        actor_id=actor.id if actor else None,
        emailed_elsewhere=True,
    )


def application_approved(application, user: User, decider=None) -> list:
    """An approved application: the member's account is welcomed in the app (the community
    area emails the welcome link itself). A declined one has no account to tell."""
    draft = Draft(
        user.id,
        Kind.APPLICATION,
        "Welcome to Roundtable: your application to join was approved",
        excerpt=application.decision_note or "",
    )
    return deliver(
        f"application:{application.id}",
        [draft],
        actor_id=decider.id if decider else None,
        emailed_elsewhere=True,
    )
