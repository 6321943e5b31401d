"""The Levelling Up demo community, written in our own words (`flask seed-demo`).

Idempotent: every object is looked up by a natural key before it is created, so a second run
changes nothing.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.content import render_markdown
from app.extensions import db
from app.models import (
    Application,
    ApplicationStatus,
    Board,
    Meeting,
    MeetingStatus,
    Role,
    Series,
    SiteText,
    Theme,
    User,
)
from app.timeutil import LONDON, london_to_utc, utcnow

DEMO_PASSWORD = "roundtable-demo"  # noqa: S105 (documented demo credential)

DEMO_ACCOUNTS = [
    ("member@example.org", (Role.MEMBER,)),
    ("member2@example.org", (Role.MEMBER,)),
    ("facilitator@example.org", (Role.MEMBER, Role.FACILITATOR)),
    ("moderator@example.org", (Role.MEMBER, Role.MODERATOR)),
    ("admin@example.org", (Role.MEMBER, Role.ADMIN)),
]

PEOPLE = {
    "member@example.org": (
        "Amara Okafor",
        "Northtown Community Trust",
        "Northtown",
        "she/her",
        "Runs a community hub and a food pantry; interested in how health and skills meet.",
    ),
    "member2@example.org": (
        "Rhys Evans",
        "Valley Skills Partnership",
        "Pontyglas",
        "he/him",
        "Works on adult skills in a former mining valley.",
    ),
    "facilitator@example.org": (
        "Priya Shah",
        "Roundtable",
        "Leeds",
        "she/her",
        "Facilitates the Levelling Up series.",
    ),
    "moderator@example.org": (
        "Tom Byrne",
        "Roundtable",
        "Belfast",
        "he/him",
        "Keeps the boards a safe place to speak.",
    ),
    "admin@example.org": (
        "Jo Mensah",
        "Roundtable",
        "Manchester",
        "they/them",
        "Looks after the community's settings and membership.",
    ),
}

ABOUT = """\
Roundtable brings together people working to make their towns and neighbourhoods fairer:
council officers, community organisers, health and skills practitioners, researchers and
residents. We meet online in short themed meetings, and keep talking on each theme's board
before and after them.

Members post the questions they want the meeting to tackle and vote up the ones they share.
Facilitators build each agenda from what rose to the top, and we leave every meeting with
actions we own together, which come back for review next time.
"""

CRITERIA = """\
Roundtable is for people who **work for or with a particular place** in the UK. You can join if:

- your work is rooted in a town, city, neighbourhood or rural area, paid or unpaid;
- you are ready to share what is and is not working there, honestly and in confidence;
- you will take part in at least one meeting a year and follow up the actions you commit to.

We welcome people from councils, the voluntary and community sector, health, education,
business, research and grassroots groups. We especially want to hear from places and people
whose voices are heard least.
"""

GUIDELINES = """\
1. **Speak from your own experience**, and let others speak from theirs.
2. **Assume good intent, and own your impact.** If you get something wrong, say so.
3. **Keep confidences.** What members share about their places stays in Roundtable unless they
   say otherwise. Do not post anyone's personal information.
4. **No harassment or discrimination.** Moderators hide posts that break these guidelines and
   explain why; every decision is logged and can be appealed.
5. **What you write stays part of the discussion.** You can edit or remove your posts; if you
   leave, your name is taken off what you wrote but the discussion is kept.
"""

SERIES = {
    "slug": "levelling-up",
    "title": "Levelling Up",
    "description": (
        "A series of meetings on what levelling up means for the places we work in, and how we "
        "make it real together."
    ),
}

THEMES = [
    (
        "holistic",
        "Taking a holistic approach",
        "Education, skills, health and wellbeing, tackled together in a place rather than as separate visions.",
    ),
    (
        "root-causes",
        "Acknowledging the root causes of injustice",
        "Should communities only look forward, or seek recognition of past oppression as part of levelling up?",
    ),
    (
        "sharing-power",
        "Sharing power, accountability and leadership",
        "How to argue for power devolved more widely than to a single local leader.",
    ),
    (
        "using-data",
        "Using data well",
        "Local data is patchy and metrics can hide the full story of a place: how do we use data well?",
    ),
]

FIRST_MEETING = {
    "title": "Taking a holistic approach to levelling up",
    "themes": ["holistic"],
    "description": """\
Levelling up is often described as a set of separate missions: one for education, one for
skills, one for health and wellbeing. In a real place these are one story. A young person's
chances depend on their school, their family's health, the jobs nearby and whether the bus runs.

In this first meeting we ask how practitioners can work **across** these boundaries in a place:

- What does a holistic approach look like on the ground, and who has made it work?
- Which funding rules and targets pull our work back into silos, and how have you got round them?
- How do we bring residents into the picture as partners, not as recipients?

Bring an example from your own place, however small.
""",
}

LATER_MEETINGS = [
    {
        "title": "Acknowledging the root causes of injustice",
        "themes": ["root-causes"],
        "days_from_today": -21,
        "description": """\
Some places carry the marks of decisions made long ago: industries closed, communities
displaced, discrimination built into housing and policing. Should levelling up only look
forward, or does it need to recognise past harm as well?

We will hear how members have opened these conversations locally, and what changed when
people's history was acknowledged rather than skipped over.
""",
    },
    {
        "title": "Sharing power, accountability and leadership",
        "themes": ["sharing-power"],
        "days_from_today": 14,
        "description": """\
Devolution often means handing power to a single mayor or leader. Many of us want power
shared more widely: with neighbourhoods, community organisations and residents themselves.

How do we make that case, and how do we hold shared leadership to account without slowing
everything down?
""",
    },
    {
        "title": "Using data well",
        "themes": ["using-data"],
        "days_from_today": 42,
        "description": """\
Local data is patchy, late, or collected for someone else's purposes, and headline metrics
can hide the full story of a place. How do we use data honestly: to see what is going on,
to make the case for change, and to pair numbers with what people tell us?
""",
    },
]

PENDING_APPLICATIONS = [
    {
        "name": "Helen Ward",
        "email": "helen.ward@example.net",
        "organisation": "Eastport Health Partnership",
        "place": "Eastport",
        "job_role": "Public health programme lead",
        "criteria_statement": (
            "I coordinate our town's work on health inequalities with the council and schools, "
            "and want to learn how others join this up with skills and jobs."
        ),
    },
    {
        "name": "Kofi Asante",
        "email": "kofi@example.net",
        "organisation": "Brightside Residents' Association",
        "place": "Brightside, Sheffield",
        "job_role": "Volunteer chair",
        "criteria_statement": (
            "Our association has run a neighbourhood plan for six years. I can share how residents "
            "took the lead, and I will come to the meetings on sharing power."
        ),
    },
]


def seed() -> bool:
    """Create whatever of the demo community is missing; True when anything was created."""
    created = False
    created |= _seed_texts()
    created |= _seed_people()
    created |= _seed_series()
    created |= _seed_meetings()
    created |= _seed_boards()
    created |= _seed_agendas()
    created |= _seed_applications()
    created |= _seed_actions()
    created |= _seed_moderation()
    created |= _seed_insights()
    created |= _seed_notifications()
    db.session.flush()
    return created


def _seed_notifications() -> bool:
    """Follows and notifications from everything above (owned by the notifications area; last)."""
    from app.notifications import demo as notifications_demo

    db.session.flush()
    return notifications_demo.seed()


def _seed_moderation() -> bool:
    """Held and reported posts and a short audit trail (owned by the moderation area; last)."""
    from app.moderation import demo as moderation_demo

    db.session.flush()
    return moderation_demo.seed()


def _seed_insights() -> bool:
    """Past meetings' places, reflections, narratives and pins (owned by the insights area; after
    everything it counts)."""
    from app.insights import demo as insights_demo

    db.session.flush()
    return insights_demo.seed()


def _seed_actions() -> bool:
    """Actions from the meetings and threads, with timelines (owned by the actions area; last)."""
    from app.actions import demo as actions_demo

    db.session.flush()
    return actions_demo.seed()


def _seed_agendas() -> bool:
    """Agendas built from the boards' top questions (owned by the agenda area; after boards)."""
    from app.agenda import demo as agenda_demo

    db.session.flush()
    return agenda_demo.seed()


def _seed_boards() -> bool:
    """Threads, replies and votes on the meetings' boards (owned by the boards area)."""
    from app.boards import demo as boards_demo

    db.session.flush()
    return boards_demo.seed()


def _seed_meetings() -> bool:
    """Registrations for the upcoming meetings (owned by the meetings area)."""
    from app.meetings import demo as meetings_demo

    db.session.flush()
    return meetings_demo.seed()


def _seed_texts() -> bool:
    created = False
    for key, title, body in (
        ("about", "About Roundtable", ABOUT),
        ("joining_criteria", "Joining criteria", CRITERIA),
        ("guidelines", "Community guidelines", GUIDELINES),
    ):
        if db.session.get(SiteText, key) is None:
            db.session.add(
                SiteText(key=key, title=title, body=body, body_html=render_markdown(body))
            )
            created = True
    return created


def _seed_people() -> bool:
    created = False
    for email, roles in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        name, organisation, place, pronouns, bio = PEOPLE[email]
        mask = Role(0)
        for role in roles:
            mask |= role
        user = User(
            email=email,
            display_name=name,
            organisation=organisation,
            place=place,
            pronouns=pronouns,
            bio=bio,
            roles=int(mask),
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        created = True
    db.session.flush()
    return created


def _seed_series() -> bool:
    series = db.session.scalar(select(Series).where(Series.slug == SERIES["slug"]))
    if series is not None:
        return False
    series = Series(
        slug=SERIES["slug"],
        title=SERIES["title"],
        description=SERIES["description"],
        description_html=render_markdown(SERIES["description"]),
    )
    db.session.add(series)
    db.session.flush()
    themes = {}
    for slug, title, description in THEMES:
        theme = Theme(series_id=series.id, slug=slug, title=title, description=description)
        db.session.add(theme)
        themes[slug] = theme
    db.session.flush()

    start = london_to_utc(datetime(2022, 2, 24).date(), time(12, 0))
    _add_meeting(series, themes, FIRST_MEETING, start)
    today = utcnow().astimezone(LONDON).date()
    for spec in LATER_MEETINGS:
        day = today + timedelta(days=spec["days_from_today"])
        day += timedelta(days=(3 - day.weekday()) % 7)  # the series meets on Thursdays
        _add_meeting(series, themes, spec, london_to_utc(day, time(12, 0)))
    return True


def _add_meeting(series: Series, themes: dict, spec: dict, start: datetime) -> Meeting:
    meeting = Meeting(
        series_id=series.id,
        title=spec["title"],
        description=spec["description"],
        description_html=render_markdown(spec["description"]),
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        online_url="https://meet.example.org/roundtable-levelling-up",
        capacity=60,
        status=MeetingStatus.PUBLISHED,
    )
    db.session.add(meeting)
    db.session.flush()
    for position, slug in enumerate(spec["themes"]):
        db.session.add(Board(meeting_id=meeting.id, theme_id=themes[slug].id, position=position))
    return meeting


def _seed_applications() -> bool:
    created = False
    for spec in PENDING_APPLICATIONS:
        exists = db.session.scalar(select(Application.id).where(Application.email == spec["email"]))
        if exists is None:
            db.session.add(
                Application(**spec, agreed_guidelines=True, status=ApplicationStatus.PENDING)
            )
            created = True
    return created
