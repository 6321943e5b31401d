"""Small factories for tests: each adds its object to the session and flushes (no commit)."""

from datetime import timedelta
from itertools import count

from app.extensions import db
from app.models import (
    Application,
    Board,
    Meeting,
    MeetingStatus,
    Role,
    Series,
    Theme,
    User,
)
from app.timeutil import utcnow

PASSWORD = "correct horse battery"
_seq = count(1)


def _n() -> int:
    return next(_seq)


def user(*, email=None, name=None, roles=Role.MEMBER, password=PASSWORD, **fields) -> User:
    n = _n()
    person = User(
        email=(email or f"person{n}@example.org").lower(),
        display_name=name or f"Person {n}",
        roles=int(roles),
        **fields,
    )
    if password:
        person.set_password(password)
    db.session.add(person)
    db.session.flush()
    return person


def series(*, title="Levelling Up", themes=("Holistic approach",)) -> Series:
    n = _n()
    s = Series(slug=f"series-{n}", title=title)
    db.session.add(s)
    db.session.flush()
    for i, theme_title in enumerate(themes):
        db.session.add(Theme(series_id=s.id, slug=f"theme-{n}-{i}", title=theme_title))
    db.session.flush()
    return s


def meeting(
    *,
    series_=None,
    title=None,
    starts_in=timedelta(days=7),
    length=timedelta(minutes=90),
    status=MeetingStatus.PUBLISHED,
    capacity=None,
    boards=True,
    **fields,
) -> Meeting:
    s = series_ or series()
    start = utcnow() + starts_in
    m = Meeting(
        series_id=s.id,
        title=title or f"Meeting {_n()}",
        starts_at=start,
        ends_at=start + length,
        status=status,
        capacity=capacity,
        **fields,
    )
    db.session.add(m)
    db.session.flush()
    if boards:
        for position, theme in enumerate(s.themes):
            db.session.add(Board(meeting_id=m.id, theme_id=theme.id, position=position))
        db.session.flush()
    return m


def application(*, email=None, name=None, **fields) -> Application:
    n = _n()
    values = {
        "name": name or f"Applicant {n}",
        "email": (email or f"applicant{n}@example.org").lower(),
        "organisation": "Northtown Council",
        "place": "Northtown",
        "job_role": "Community development officer",
        "criteria_statement": "I lead place-based work on health and skills in Northtown.",
        "agreed_guidelines": True,
    }
    values.update(fields)
    a = Application(**values)
    db.session.add(a)
    db.session.flush()
    return a


def site_text(key, *, title=None, body="Some **Markdown** text."):
    """A published site text (about, joining_criteria, guidelines), rendered as on save."""
    from app.content import render_markdown
    from app.models import SiteText

    text = SiteText(key=key, title=title or key.replace("_", " ").capitalize(), body=body)
    text.body_html = render_markdown(body)
    db.session.add(text)
    db.session.flush()
    return text


def registration(meeting, person=None, *, status="registered", **fields):
    """A registration (or waiting-list entry) for meeting, keeping its counters in step."""
    from app.models import Registration

    person = person or user(password=None)
    r = Registration(meeting_id=meeting.id, user_id=person.id, status=status, **fields)
    db.session.add(r)
    if status == "registered":
        meeting.registered_count = (meeting.registered_count or 0) + 1
    else:
        meeting.waitlist_count = (meeting.waitlist_count or 0) + 1
    db.session.flush()
    return r


def thread(board, author=None, *, kind="question", title=None, body="", anonymous=False, now=None):
    """A question (or kind="discussion") on board, through the boards service (counts kept)."""
    from app.boards import services as boards

    return boards.create_thread(
        board,
        author or user(password=None),
        kind=kind,
        title=title or f"Question {_n()}",
        body=body or ("Something to discuss." if kind == "discussion" else ""),
        anonymous=anonymous,
        now=now,
    )


def reply(parent, author=None, *, body=None, anonymous=False, now=None):
    """A reply to parent (a thread or a reply), through the boards service."""
    from app.boards import services as boards

    return boards.create_reply(
        parent,
        author or user(password=None),
        body=body or f"Reply {_n()}",
        anonymous=anonymous,
        now=now,
    )


def vote(post, voter=None):
    """voter's (or a new member's) up-vote on a question."""
    from app.boards import services as boards

    return boards.set_vote(post, voter or user(password=None), True)


def action(
    proposer=None,
    *,
    title=None,
    owners=(),
    invited=(),
    own=True,
    status=None,
    due_in=timedelta(days=14),
    due_on=None,
    source=None,
    reason="No longer needed",
    now=None,
):
    """An action through the actions services: proposer owns it (own=True), `owners` accepted,
    `invited` still to answer; then moved to `status` (in_progress, done, dropped) by its first
    owner. source=("meeting", id) (or board, post, agenda_item) links it to where it came from."""
    from app.actions import services as actions

    proposer = proposer or user(password=None)
    found = actions.find_source(source[0], source[1], proposer) if source else None
    if source and found is None:
        raise ValueError(f"unknown source {source}")
    if due_on is None:
        due_on = actions.today() + due_in
    item, _ = actions.create_action(
        title=title or f"Action {_n()}",
        detail="Some *detail*.",
        due_on=due_on,
        proposer=proposer,
        owners=list(owners) + list(invited),
        self_own=own,
        source=found,
        now=now,
    )
    for person in owners:
        actions.accept(item, person, now=now)
    if status and status not in ("proposed", "open"):
        mover = proposer if own else (owners[0] if owners else None)
        actions.change_status(item, mover, status, item.version, reason, now=now)
    db.session.flush()
    return item


def insight_pin(post, by=None):
    """post pinned to its meeting's insights by a facilitator (through the insights service)."""
    from app.insights import services as insights

    insights.pin(post, by or user(roles=Role.FACILITATOR, password=None))
    return post


def notification(to, *, kind="reply", text=None, post=None, actor=None, key=None, now=None):
    """A notification for `to`, through the notifications service (unread count kept)."""
    from app.notifications.delivery import Draft, deliver

    draft = Draft(to.id, kind, text or f"Notification {_n()}", post_id=post.id if post else None)
    (made,) = deliver(key or f"test:{_n()}", [draft], actor_id=actor.id if actor else None, now=now)
    return made
