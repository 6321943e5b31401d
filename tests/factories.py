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
