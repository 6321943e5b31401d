"""Demo registrations: demo members have places at the upcoming Levelling Up meetings.

Run by app.demo.seed() after the people and meetings exist. Idempotent: registering someone who
already has a place changes nothing, so a second run creates nothing.
"""

from sqlalchemy import select

from app.extensions import db
from app.meetings.registration import register, registration_for
from app.models import Meeting, MeetingStatus, User
from app.timeutil import utcnow

# Who registers for which upcoming meeting (0 = the next one).
DEMO_REGISTRATIONS = {
    "member@example.org": (0,),
    "member2@example.org": (0, 1),
    "facilitator@example.org": (0, 1),
    "moderator@example.org": (1,),
}


def seed() -> bool:
    """Register the demo members for the upcoming meetings; True when anything was created."""
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.status == MeetingStatus.PUBLISHED, Meeting.ends_at > utcnow())
        .order_by(Meeting.starts_at)
        .limit(5)
    ).all()
    created = False
    for email, positions in DEMO_REGISTRATIONS.items():
        person = db.session.scalar(select(User).where(User.email == email))
        if person is None:
            continue
        for position in positions:
            if position >= len(upcoming):
                continue
            meeting = upcoming[position]
            if registration_for(meeting.id, person.id) is None:
                register(meeting, person)
                created = True
    db.session.flush()
    return created
