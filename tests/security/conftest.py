"""Fixtures for the security sweeps: one app and one scene (a set of objects of every kind,
owned by one member) per module, clients per persona, and a snapshot of every table.

The sweeps send hundreds of requests, so they share one scene: refused requests and GETs change
nothing (the tests check exactly that), and after a request that was allowed to change
something, every table is put back as it was (`restored`), which costs far less than building
a scene for each such request.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cache

import pytest
from sqlalchemy import Text, cast, func, literal, select, union_all

from app.extensions import db
from app.models import MeetingStatus, MemberWarning, Role, Suspension, User
from tests import factories
from tests.conftest import app_on_test_database

# The people a sweep acts as. "norole" is an account without the member role (an applicant's
# account before approval, or one whose roles an admin removed): logged in, but not a member.
PERSONAS = ("visitor", "norole", "member", "owner", "facilitator", "moderator", "admin")
PERSONA_ROLES = {
    "norole": Role(0),
    "member": Role.MEMBER,
    "owner": Role.MEMBER,
    "facilitator": Role.FACILITATOR | Role.MEMBER,
    "moderator": Role.MODERATOR | Role.MEMBER,
    "admin": Role.ADMIN | Role.MEMBER,
}


@dataclass
class Scene:
    """Ids of one set of objects of every kind. `owner` owns the posts, the action, the
    notification, the warning and the appealable decision; `member` is another member who
    owns nothing (and reported the flagged post)."""

    people: dict[str, User] = field(default_factory=dict)  # persona -> detached user
    ids: dict[str, int | str] = field(default_factory=dict)  # URL parameter name -> value
    tokens: dict[str, str] = field(default_factory=dict)  # endpoint -> its secret token
    # Objects only some people may know exist, by the ids they replace: a draft meeting (its
    # board and a thread on it) and a post held for review.
    concealed: dict[str, dict[str, int]] = field(default_factory=dict)

    def with_ids(self, **ids) -> "Scene":
        return replace(self, ids={**self.ids, **ids})

    def __getattr__(self, name):
        try:
            return self.__dict__["ids"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_scene(app) -> Scene:
    """Create the objects (through the services, as the app would) and commit them."""
    from app.actions import services as action_services
    from app.agenda import services as agenda_services
    from app.boards import services as board_services
    from app.insights import queries as insight_queries
    from app.insights import services as insight_services
    from app.moderation import decisions, people
    from app.moderation import services as moderation
    from app.notifications import settings as notification_settings
    from app.tokens import password_token

    with app.app_context():
        who = {
            name: factories.user(roles=roles, password=None, name=f"The {name}")
            for name, roles in PERSONA_ROLES.items()
        }
        owner, member = who["owner"], who["member"]
        facilitator, moderator = who["facilitator"], who["moderator"]
        suspended = factories.user(password=None, name="A suspended member")

        series = factories.series(themes=("Holistic approach", "Using data well"))
        past = factories.meeting(series_=series, starts_in=timedelta(days=-10), title="Past")
        upcoming = factories.meeting(series_=series, starts_in=timedelta(days=7), title="Next")
        board = upcoming.boards[0]
        thread = factories.thread(board, owner, title="How do we share power?")
        factories.reply(thread, owner)
        flagged = factories.thread(board, owner, title="A reported question")
        moderation.flag_post(flagged, member, "spam")
        hidden = factories.thread(board, owner, title="A hidden question")
        decision = decisions.decide(hidden, moderator, "hidden", "Off topic").event
        people.warn(owner, moderator, "Please keep it kind")
        people.suspend(suspended, moderator, 1, "Repeated personal attacks")
        past_question = factories.thread(past.boards[0], owner, title="Not reached last time")
        factories.registration(upcoming, owner)
        draft = factories.meeting(
            series_=series, starts_in=timedelta(days=21), status=MeetingStatus.DRAFT
        )
        draft_thread = factories.thread(draft.boards[0], facilitator, title="Planned question")
        held = board_services.create_thread(
            board, owner, kind="question", title="Waiting for review", held_reason="first_posts"
        )
        moderation.record_hold(held)

        action = factories.action(owner, source=("meeting", past.id))
        item = agenda_services.add_free_item(upcoming, "Welcome", 5, first=True)
        agenda_services.publish(upcoming, facilitator)
        insight_services.save_narrative(upcoming, "What we heard.", facilitator, 0)
        report = insight_queries.meeting_report(upcoming, action_services.today())
        insight_services.publish(upcoming, report, facilitator)
        notification = factories.notification(owner, post=thread)
        application = factories.application()
        owner.calendar_token = f"calendar-{owner.id}-not-guessable"
        db.session.commit()

        scene = Scene()
        scene.ids = {
            "series_id": series.id,
            "theme_id": series.themes[0].id,
            "meeting_id": upcoming.id,
            "past_meeting_id": past.id,
            "board_id": board.id,
            "post_id": thread.id,
            "flagged_post_id": flagged.id,
            "past_post_id": past_question.id,
            "item_id": item.id,
            "action_id": action.id,
            "event_id": decision.id,
            "warning_id": db.session.scalar(
                select(MemberWarning.id).where(MemberWarning.user_id == owner.id)
            ),
            "suspension_id": db.session.scalar(
                select(Suspension.id).where(Suspension.user_id == suspended.id)
            ),
            "notification_id": notification.id,
            "application_id": application.id,
            "user_id": owner.id,
            "member_id": member.id,
        }
        scene.concealed = {
            "draft meeting": {
                "meeting_id": draft.id,
                "board_id": draft.boards[0].id,
                "post_id": draft_thread.id,
            },
            "held post": {"post_id": held.id},
        }
        scene.tokens = {
            "auth.reset_password": password_token(owner, "reset"),
            "auth.welcome": password_token(owner, "welcome"),
            "meetings.feed": owner.calendar_token,
            "notifications.unsubscribe": notification_settings.unsubscribe_token(owner.id, "all"),
            "community.application_status": application.status_token,
        }
        for name, person in who.items():
            db.session.refresh(person)
            db.session.expunge(person)
            scene.people[name] = person
    return scene


def client_for(app, scene: Scene, persona: str):
    """A new test client: logged out for "visitor", else logged in as the persona."""
    client = app.test_client()
    if persona != "visitor":
        with client.session_transaction() as session:
            session["_user_id"] = scene.people[persona].get_id()
            session["_fresh"] = True
    return client


@cache
def _fingerprint_query():
    """One SELECT of every row of every table, each row as text: comparing its results before
    and after a request shows any change at the cost of a single round trip."""
    parts = []
    for table in db.metadata.sorted_tables:
        row = None
        for column in table.columns:
            cell = func.coalesce(cast(column, Text), literal("(null)", Text))
            row = cell if row is None else row.op("||")(literal("|", Text)).op("||")(cell)
        parts.append(select(literal(table.name, Text).label("t"), row.label("r")))
    return union_all(*parts)


def snapshot(app) -> dict[str, list[str]]:
    """Every row of every table, as text and sorted: equal snapshots mean nothing changed (an
    update to one column as much as a new or deleted row)."""
    rows: dict[str, list[str]] = {table.name: [] for table in db.metadata.sorted_tables}
    with app.app_context():
        for name, row in db.session.execute(_fingerprint_query()):
            rows[name].append(row)
        db.session.remove()
    return {name: sorted(found) for name, found in rows.items()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table as values, in primary-key order, for restore()."""
    rows = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()
    return rows


def restore(app, rows: dict[str, list[tuple]]) -> None:
    """Put every table back to a snapshot: empty them children first, refill parents first.

    Rows keep their ids (sequences only move on); a post's parent has a lower id than its
    replies, so rows inserted in id order never point forward.
    """
    tables = db.metadata.sorted_tables
    with app.app_context(), db.engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            keys = [column.key for column in table.columns]
            if rows[table.name]:
                connection.execute(
                    table.insert(), [dict(zip(keys, row, strict=True)) for row in rows[table.name]]
                )


@pytest.fixture(scope="module")
def module_app(_schema, database_uri, tmp_path_factory):
    """One app for the whole module (its tables are emptied when the module ends)."""
    with app_on_test_database(database_uri, tmp_path_factory.mktemp("outbox")) as app:
        yield app


@pytest.fixture(scope="module")
def scene(module_app) -> Scene:
    return build_scene(module_app)


@pytest.fixture(scope="module")
def baseline(module_app, scene):
    """The tables as the scene left them: every test leaves them so, or is made to."""
    return table_rows(module_app), snapshot(module_app)


@pytest.fixture
def restored(module_app, scene, baseline):
    """The module's scene, put back as it was after the test (for requests that may change
    it: the next test must find the scene it expects)."""
    yield scene
    rows, fingerprint = baseline
    if changed_tables(fingerprint, snapshot(module_app)):
        restore(module_app, rows)
        assert not changed_tables(fingerprint, snapshot(module_app)), "the scene was not restored"
