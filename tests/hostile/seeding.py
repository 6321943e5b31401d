"""Hostile data written through the services: one object per payload, so that a list page shows
many payloads in one render.

Each function runs inside a Seeder (tests/hostile/conftest.py): an app context, committed after,
and returns plain values (ids and the texts written), never ORM objects.

Single-line fields get the payload collapsed (as the forms' `collapse` filter leaves it) and only
when it fits the field's limit: a payload too long for a field is left out of that field.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from app.boards import services as boards
from app.extensions import db
from app.insights import services as insights
from app.models import Role
from app.notifications import follows
from app.timeutil import utcnow
from tests import factories
from tests.hostile.corpus import PAYLOADS, Payload


def line(payload: Payload, limit: int, fallback: str = "") -> str:
    """payload as a single-line field holds it, or fallback when it is longer than limit."""
    text = payload.text(one_line=True)
    return text if len(text) <= limit else fallback


def reached(entries) -> set[Payload]:
    """The payloads of entries, (payload, text as stored) pairs, that were stored whole: a
    coverage check, as a payload too long for a field is left out of it (see `line`)."""
    return {p for p, text in entries if text in (p.text(), p.text(one_line=True))}


def hostile_person(payload: Payload, *, roles=Role.MEMBER, **fields):
    """A member whose profile is payload: name (when it fits), pronouns, organisation, place
    and bio."""
    return factories.user(
        name=line(payload, 80, f"Member {payload.index}"),
        roles=roles,
        password=None,
        bio=payload.text(),
        pronouns=line(payload, 40),
        organisation=line(payload, 120),
        place=line(payload, 120),
        **fields,
    )


@dataclass
class Thread:
    payload: Payload
    id: int
    reply_id: int
    author_id: int
    author_name: str
    title: str
    body: str


@dataclass
class PostsWorld:
    board_id: int
    meeting_id: int
    follower_id: int
    facilitator_id: int
    threads: list[Thread] = field(default_factory=list)
    history_id: int = 0  # a question whose earlier versions are the payloads, newest first
    history_author_id: int = 0
    history: list[tuple[Payload, str, str]] = field(default_factory=list)  # (payload, title, body)


REVISED = 4  # one thread in REVISED is edited after the silent window (so it has a revision)


def posts_world(payloads: list[Payload] = PAYLOADS) -> PostsWorld:
    """A board (its meeting ended yesterday, so posts can be pinned to the insights) with, per
    payload, a question by a member named after it, title and body the payload, a reply by the
    same member, pinned to the meeting's insights; a member follows the board (so each new
    question reaches their notifications). On another meeting's board, one question written
    as the first payload and edited through all the others, then once more: every payload is
    one of its earlier versions."""
    meeting = factories.meeting(
        starts_in=timedelta(days=-1), title="Improved use of data", status="published"
    )
    board = meeting.boards[0]
    follower = factories.user(name="Nadia Follower", password=None)
    facilitator = factories.user(
        name="Priya Facilitator", roles=Role.FACILITATOR | Role.MEMBER, password=None
    )
    follows.follow(follower.id, follows.BOARD, board.id)
    world = PostsWorld(board.id, meeting.id, follower.id, facilitator.id)
    earlier = utcnow() - timedelta(hours=1)
    for payload in payloads:
        author = hostile_person(payload)
        title = line(payload, 150, f"Question {payload.index}")
        revised = payload.index % REVISED == 0
        post = boards.create_thread(
            board,
            author,
            kind="question",
            title=title,
            body="A first draft" if revised else payload.text(),
            now=earlier,
        )
        if revised:
            boards.edit_post(post, author, title=title, body=payload.text())
        reply = boards.create_reply(post, author, body=payload.text())
        insights.pin(post, facilitator)
        world.threads.append(
            Thread(payload, post.id, reply.id, author.id, author.display_name, title, post.body)
        )
    _history(world, payloads, earlier)
    db.session.flush()
    return world


def _history(world: PostsWorld, payloads: list[Payload], earlier) -> None:
    board = factories.meeting(starts_in=timedelta(days=-1), title="Edited often").boards[0]
    author = factories.user(name="Hana Historian", password=None)
    world.history = [(p, line(p, 150, f"Version {p.index}"), p.text()) for p in payloads]
    _, title, body = world.history[0]
    post = boards.create_thread(board, author, kind="question", title=title, body=body, now=earlier)
    for _, title, body in world.history[1:] + [(None, "The latest", "Written after the others.")]:
        boards.edit_post(post, author, title=title, body=body)
    world.history_id, world.history_author_id = post.id, author.id


@dataclass
class Person:
    payload: Payload
    id: int
    name: str
    pronouns: str
    organisation: str
    place: str
    bio: str


@dataclass
class Applied:
    payload: Payload
    id: int
    token: str
    status: str
    fields: dict  # name, organisation, place, job_role, criteria_statement, decision_note


@dataclass
class PeopleWorld:
    meeting_id: int
    people: list[Person] = field(default_factory=list)
    applications: list[Applied] = field(default_factory=list)


def people_world(payloads: list[Payload] = PAYLOADS) -> PeopleWorld:
    """Per payload, a member whose profile is the payload, registered for one meeting; and an
    application to join whose every field is the payload, a third each pending, approved and
    declined (the decision's note the payload too). A pending application has no note yet, so
    each of those payloads is also the note of another application, declined."""
    from app.community import services as community

    meeting = factories.meeting(title="Acknowledging root causes")
    facilitator = factories.user(
        name="Priya Facilitator", roles=Role.FACILITATOR | Role.MEMBER, password=None
    )
    world = PeopleWorld(meeting.id)
    for payload in payloads:
        person = hostile_person(payload)
        factories.registration(meeting, person)
        world.people.append(
            Person(
                payload,
                person.id,
                person.display_name,
                person.pronouns,
                person.organisation,
                person.place,
                person.bio,
            )
        )
    for payload in payloads:
        fields = {
            "name": line(payload, 80, f"Applicant {payload.index}"),
            "organisation": line(payload, 120, "Northtown Council"),
            "place": line(payload, 120, "Northtown"),
            "job_role": line(payload, 120, "Officer"),
            "criteria_statement": payload.text(),
        }
        application = factories.application(**fields)
        status = ("pending", "approved", "declined")[payload.index % 3]
        if status == "approved":
            community.approve(application, facilitator, note=payload.text())
        elif status == "declined":
            community.decline(application, facilitator, note=payload.text())
        fields["decision_note"] = application.decision_note
        world.applications.append(
            Applied(payload, application.id, application.status_token, status, fields)
        )
    for payload in [a.payload for a in world.applications if a.status == "pending"]:
        application = factories.application(name=f"Applicant {payload.index}")
        community.decline(application, facilitator, note=payload.text())
        fields = {
            name: getattr(application, name)
            for name in ("name", "organisation", "place", "job_role", "criteria_statement")
        }
        fields["decision_note"] = application.decision_note
        world.applications.append(
            Applied(payload, application.id, application.status_token, "declined", fields)
        )
    db.session.flush()
    return world


def rotated(payloads: list[Payload], index: int, step: int) -> Payload:
    """The payload `step` places after payloads[index]: when several fields of one object show
    on one page, each gets a different payload, and over all objects every payload reaches
    every field."""
    return payloads[(index + step) % len(payloads)]


ACTION_FIELDS = (
    "title", "detail", "decline reason", "comment", "edit reason", "update", "review outcome",
    "status reason", "proposer", "source",
)  # fmt: skip


@dataclass
class HostileAction:
    id: int
    status: str
    texts: dict  # field -> (payload, text as stored)


@dataclass
class ActionsWorld:
    earlier_meeting_id: int
    review_meeting_id: int
    follower_id: int
    owner_id: int  # owns the copies
    actions: list[HostileAction] = field(default_factory=list)
    # A copy of each action in the other state (title and detail), owned by one member: open
    # for a dropped one (a dropped action has no drop page), dropped with the status reason for
    # one in progress (so that every payload is the reason an action was dropped).
    copies: list[HostileAction] = field(default_factory=list)


def actions_world(payloads: list[Payload] = PAYLOADS) -> ActionsWorld:
    """Per payload an action from a meeting a month ago, with the payloads (rotated: see
    `rotated`) as its title, detail, proposer's name, source (a thread's or an agenda item's
    title), the reason an invitee declined it, a comment, the reason for a facilitator's edit,
    an update, the outcome of its review at the next meeting, and the reason for its last
    status change (dropped for even payloads, in progress for odd ones). A member follows every
    action; another owns the copies (ActionsWorld)."""
    from app.actions import reviews
    from app.actions import services as actions
    from app.agenda import services as agenda

    series = factories.series(themes=("Using data well",))
    earlier = factories.meeting(series_=series, starts_in=timedelta(days=-30), title="Data, part 1")
    review = factories.meeting(series_=series, starts_in=timedelta(days=7), title="Data, part 2")
    facilitator = factories.user(
        name="Priya Facilitator", roles=Role.FACILITATOR | Role.MEMBER, password=None
    )
    invitee = factories.user(name="Ifeoma Invitee", password=None)
    commenter = factories.user(name="Callum Commenter", password=None)
    follower = factories.user(name="Femi Follower", password=None)
    owner = factories.user(name="Olu Owner", password=None)
    world = ActionsWorld(earlier.id, review.id, follower.id, owner.id)
    today = actions.today()
    for i in range(len(payloads)):
        p = {name: rotated(payloads, i, step) for step, name in enumerate(ACTION_FIELDS)}
        texts = {name: (payload, payload.text()) for name, payload in p.items()}
        proposer = hostile_person(p["proposer"])
        texts["proposer"] = (p["proposer"], proposer.display_name)
        source_title = line(p["source"], 150, f"Source {i}")
        if i % 3 == 0:
            thread = boards.create_thread(
                earlier.boards[0], proposer, kind="question", title=source_title
            )
            source = actions.find_source("post", thread.id, proposer)
        elif i % 3 == 1:
            item = agenda.add_free_item(earlier, source_title, 5)
            source = actions.find_source("agenda_item", item.id, proposer)
        else:
            source, source_title = actions.find_source("meeting", earlier.id, proposer), ""
        texts["source"] = (p["source"], source_title)
        title = line(p["title"], 160, f"Action {i}")
        texts["title"] = (p["title"], title)
        action, _ = actions.create_action(
            title=title,
            detail=p["detail"].text(),
            due_on=today + timedelta(days=14),
            proposer=proposer,
            owners=[invitee],
            self_own=True,
            source=source,
        )
        actions.decline(action, invitee, reason=p["decline reason"].text())
        actions.add_comment(action, commenter, p["comment"].text())
        actions.edit_action(
            action,
            facilitator,
            title=title,
            detail=action.detail,
            due_on=action.due_on + timedelta(days=1),
            reason=p["edit reason"].text(),
            version=action.version,
        )
        actions.post_update(action, proposer, p["update"].text())
        reviews.record_review(action, review, facilitator, p["review outcome"].text())
        status = "dropped" if i % 2 == 0 else "in_progress"
        actions.change_status(action, proposer, status, action.version, p["status reason"].text())
        actions.set_following(action, follower, True)
        world.actions.append(HostileAction(action.id, status, texts))
        copy, _ = actions.create_action(
            title=title,
            detail=action.detail,
            due_on=today + timedelta(days=14),
            proposer=owner,
            owners=[],
            self_own=True,
            source=None,
        )
        kept = {name: texts[name] for name in ("title", "detail")}
        if status != "dropped":
            kept["status reason"] = texts["status reason"]
            actions.change_status(copy, owner, "dropped", copy.version, p["status reason"].text())
        world.copies.append(HostileAction(copy.id, copy.status, kept))
    agenda.add_actions_review(review)
    db.session.flush()
    return world


MEETING_FIELDS = (
    "series title", "series description", "theme title", "title", "description", "venue",
    "cancel reason", "narrative", "theme description",
)  # fmt: skip
MEETING_LIMITS = {"series title": 120, "theme title": 160, "title": 160, "venue": 200,
                  "cancel reason": 300}  # fmt: skip


@dataclass
class HostileMeeting:
    id: int
    series_id: int
    theme_id: int
    board_id: int
    cancelled: bool
    texts: dict  # field -> (payload, text as stored)


@dataclass
class MeetingsWorld:
    meetings: list[HostileMeeting] = field(default_factory=list)
    # A cancelled meeting cannot be edited: a draft copy of each (title, description, venue).
    drafts: list[HostileMeeting] = field(default_factory=list)
    # A meeting still on has no cancel reason: a copy of each, cancelled with it.
    called_off: list[HostileMeeting] = field(default_factory=list)


def meetings_world(payloads: list[Payload] = PAYLOADS) -> MeetingsWorld:
    """Per payload a series, a theme and a published meeting a week ahead with a board on that
    theme, the payloads (rotated) as their titles, descriptions (the theme's is plain text),
    venue and the insights narrative; odd payloads' meetings are cancelled with a payload as
    the reason, and copied as drafts in a series of their own; even payloads' meetings are
    copied into another series and cancelled with theirs, so that every payload is a reason."""
    from app.meetings import services as meetings
    from app.meetings.services import MeetingDetails

    facilitator = factories.user(
        name="Priya Facilitator", roles=Role.FACILITATOR | Role.MEMBER, password=None
    )
    world = MeetingsWorld()
    start = utcnow().replace(microsecond=0) + timedelta(days=7)
    for i in range(len(payloads)):
        p = {name: rotated(payloads, i, step) for step, name in enumerate(MEETING_FIELDS)}
        texts = {
            name: (
                payload,
                line(payload, MEETING_LIMITS[name], f"{name} {i}")
                if name in MEETING_LIMITS
                else payload.text(),
            )
            for name, payload in p.items()
        }
        text = {name: value for name, (_, value) in texts.items()}
        series = meetings.create_series(
            text["series title"], text["series description"], facilitator
        )
        theme = meetings.add_theme(
            series, text["theme title"], facilitator, text["theme description"]
        )
        details = MeetingDetails(
            title=text["title"],
            description=text["description"],
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i, minutes=90),
            online_url="",
            venue=text["venue"],
            capacity=None,
            theme_ids=[theme.id],
        )
        meeting = meetings.create_meeting(series, details, facilitator)
        meetings.publish(meeting, facilitator)
        cancelled = i % 2 == 1
        if cancelled:
            meetings.cancel(meeting, facilitator, text["cancel reason"])
        insights.save_narrative(meeting, text["narrative"], facilitator, version=0)
        world.meetings.append(
            HostileMeeting(meeting.id, series.id, theme.id, meeting.boards[0].id, cancelled, texts)
        )
    for cancelled in (False, True):
        series = meetings.create_series(
            "Meetings called off" if cancelled else "Meetings being planned", "", facilitator
        )
        theme = meetings.add_theme(series, "Planning", facilitator, "")
        names = ("title", "description", "venue") + ("cancel reason",) * cancelled
        for n, m in enumerate(m for m in world.meetings if m.cancelled != cancelled):
            kept = {name: m.texts[name] for name in names}
            details = MeetingDetails(
                title=kept["title"][1],
                description=kept["description"][1],
                starts_at=start + timedelta(days=1 + cancelled, hours=n),
                ends_at=start + timedelta(days=1 + cancelled, hours=n, minutes=90),
                online_url="",
                venue=kept["venue"][1],
                capacity=None,
                theme_ids=[theme.id],
            )
            copy = meetings.create_meeting(series, details, facilitator)
            if cancelled:
                meetings.publish(copy, facilitator)
                meetings.cancel(copy, facilitator, kept["cancel reason"][1])
            copies = world.called_off if cancelled else world.drafts
            copies.append(
                HostileMeeting(copy.id, series.id, theme.id, copy.boards[0].id, cancelled, kept)
            )
    db.session.flush()
    return world


@dataclass
class AgendaWorld:
    meeting_id: int
    items: list = field(default_factory=list)  # (item id, title shown, notes shown, payloads)
    not_taken: list = field(default_factory=list)  # (thread id, reason, payload)


def agenda_world(payloads: list[Payload] = PAYLOADS) -> AgendaWorld:
    """A published agenda of a meeting under way with, per payload, a free item titled with it
    and its outcome notes (the next payload), and a question on the meeting's board not taken
    this time, with the payload as the reason."""
    from app.agenda import running
    from app.agenda import services as agenda

    meeting = factories.meeting(starts_in=timedelta(minutes=-30), title="Sharing power")
    facilitator = factories.user(
        name="Priya Facilitator", roles=Role.FACILITATOR | Role.MEMBER, password=None
    )
    asker = factories.user(name="Asha Asker", password=None)
    world = AgendaWorld(meeting.id)
    for i, payload in enumerate(payloads):
        notes = rotated(payloads, i, 1)
        title = line(payload, 160, f"Item {i}")
        item = agenda.add_free_item(meeting, title, 5)
        running.save_outcome(item, notes.text())
        world.items.append((item.id, title, notes.text(), payload, notes))
        thread = boards.create_thread(
            meeting.boards[0], asker, kind="question", title=f"Question {i}"
        )
        reason = line(payload, 200, f"Reason {i}")
        agenda.mark_not_taken(meeting, thread, reason, facilitator)
        world.not_taken.append((thread.id, reason, payload))
    agenda.publish(meeting, facilitator)
    db.session.flush()
    return world


MODERATION_FIELDS = (
    "name", "title", "body", "flag notes", "decision reason", "appeal reason", "redacted title",
    "redacted body", "warning", "suspension reason", "lift reason",
)  # fmt: skip
MODERATION_MARKDOWN = ("body", "redacted body")


@dataclass
class Question:
    payload: Payload
    id: int
    title: str
    body: str


@dataclass
class Moderated:
    post_id: int
    author_id: int
    event_id: int | None  # the decision about the post
    warning_event_id: int
    fate: str  # "appealed", "redacted", "reported" or "suspended"
    texts: dict  # field -> (payload, text as stored)


# What a member's record holds (see moderation_world), each field a payload in turn.
RECORD_FIELDS = (
    "decision reason", "redacted title", "redacted body", "appeal reason", "flag note",
    "suspension reason", "lift reason",
)  # fmt: skip


@dataclass
class Record:
    post_id: int
    author_id: int
    event_id: int  # the redaction, appealed
    texts: dict  # field -> (payload, text as stored)


@dataclass
class ModerationWorld:
    items: list[Moderated] = field(default_factory=list)
    # Most reported posts end up hidden, and the others redacted: per payload, a question
    # nobody reported (its title and body the payload), to report and to redact.
    unreported: list[Question] = field(default_factory=list)
    # Each fate above gives a payload to some of the reasons only: per payload, a member whose
    # record holds one of each, so that every payload goes through every one of them.
    records: list[Record] = field(default_factory=list)


def moderation_world(payloads: list[Payload] = PAYLOADS) -> ModerationWorld:
    """Per payload a reported question by a member (rotated payloads as the name, title, body
    and the report's note) who is warned about it; then, by payload: hidden and appealed
    (i % 4 == 0), redacted (1), left reported and the author suspended then lifted (3), or
    hidden with the author suspended (2). Every reason, message and note is a payload. Then
    the unreported questions (ModerationWorld), all by one member; and the records: per
    payload a member's question, redacted, the redaction appealed (so it waits in the queue),
    reported once, and the member suspended then lifted, the payloads rotated over
    RECORD_FIELDS."""
    from app.models.moderation import FlagReason, Outcome
    from app.moderation import decisions, people
    from app.moderation import services as moderation

    meeting = factories.meeting(title="Root causes")
    board = meeting.boards[0]
    moderator = factories.user(
        name="Tom Moderator", roles=Role.MODERATOR | Role.MEMBER, password=None
    )
    reporters = [factories.user(name=f"Reporter {n}", password=None) for n in range(4)]
    world = ModerationWorld()
    for i in range(len(payloads)):
        p = {name: rotated(payloads, i, step) for step, name in enumerate(MODERATION_FIELDS)}
        texts = {name: (payload, payload.text()) for name, payload in p.items()}
        author = factories.user(name=line(p["name"], 80, f"Member {i}"), password=None)
        texts["name"] = (p["name"], author.display_name)
        title = line(p["title"], 150, f"Question {i}")
        texts["title"] = (p["title"], title)
        post = boards.create_thread(
            board, author, kind="question", title=title, body=p["body"].text()
        )
        fate = ("appealed", "redacted", "suspended", "reported")[i % 4]
        # The queue shows the notes of reports still open, and only posts left reported keep
        # theirs: each of those gets four, so that every payload is a note somewhere.
        notes = [rotated(payloads, i, 3 + n) for n in range(4 if fate == "reported" else 1)]
        for n, note in enumerate(notes):
            moderation.flag_post(post, reporters[n], FlagReason.OTHER, note=note.text())
        texts["flag notes"] = [(note, note.text()) for note in notes]
        warning = people.warn(author, moderator, p["warning"].text(), post=post)
        event = None
        if fate in ("appealed", "suspended"):
            event = decisions.decide(
                post, moderator, Outcome.HIDDEN, p["decision reason"].text()
            ).event
            if fate == "appealed":
                people.appeal(event, author, p["appeal reason"].text())
        elif fate == "redacted":
            redacted_title = line(p["redacted title"], 150, f"Redacted {i}")
            texts["redacted title"] = (p["redacted title"], redacted_title)
            event = decisions.decide(
                post,
                moderator,
                Outcome.REDACTED,
                p["decision reason"].text(),
                title=redacted_title,
                body=p["redacted body"].text(),
            ).event
        if fate in ("suspended", "reported"):
            people.suspend(
                author, moderator, people.ladder()[0], p["suspension reason"].text(), post=post
            )
        if fate == "reported":
            suspension = people.active_suspension(author.id)
            people.lift(suspension, moderator, p["lift reason"].text())
        world.items.append(
            Moderated(post.id, author.id, event.id if event else None, warning.id, fate, texts)
        )
    author = factories.user(name="Ola Author", password=None)
    for payload in payloads:
        title = line(payload, 150, f"Question {payload.index}")
        post = boards.create_thread(
            board, author, kind="question", title=title, body=payload.text()
        )
        world.unreported.append(Question(payload, post.id, title, post.body))
    for i in range(len(payloads)):
        p = {name: rotated(payloads, i, step) for step, name in enumerate(RECORD_FIELDS)}
        texts = {name: (payload, payload.text()) for name, payload in p.items()}
        texts["redacted title"] = (p["redacted title"], line(p["redacted title"], 150, "Redacted"))
        author = factories.user(name=f"Rhea Record {i}", password=None)
        post = boards.create_thread(
            board, author, kind="question", title=f"Record {i}", body="Before the redaction."
        )
        event = decisions.decide(
            post,
            moderator,
            Outcome.REDACTED,
            texts["decision reason"][1],
            title=texts["redacted title"][1],
            body=texts["redacted body"][1],
        ).event
        people.appeal(event, author, texts["appeal reason"][1])
        moderation.flag_post(post, reporters[0], FlagReason.OTHER, note=texts["flag note"][1])
        people.suspend(
            author, moderator, people.ladder()[0], texts["suspension reason"][1], post=post
        )
        people.lift(people.active_suspension(author.id), moderator, texts["lift reason"][1])
        world.records.append(Record(post.id, author.id, event.id, texts))
    db.session.flush()
    return world
