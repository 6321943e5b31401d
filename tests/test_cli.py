"""`flask seed-demo` and `flask create-admin`."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.extensions import db
from app.models import Application, ApplicationStatus, Meeting, Role, Series, User
from app.timeutil import utcnow


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def test_seed_demo_builds_the_levelling_up_community(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for email, _ in DEMO_ACCOUNTS:
        assert email in result.output
    assert DEMO_PASSWORD in result.output
    with app.app_context():
        series = db.session.scalar(select(Series).where(Series.slug == "levelling-up"))
        meetings = series.meetings
        first = meetings[0]
        assert first.title == "Taking a holistic approach to levelling up"
        assert first.starts_at == datetime(2022, 2, 24, 12, 0, tzinfo=UTC)
        assert first.when == "Thursday 24 February 2022, 12:00-13:30 GMT"
        assert first.description_html.startswith("<p>")
        assert len(meetings) == 4
        assert any(m.starts_at > utcnow() for m in meetings)
        titles = " ".join(m.title for m in meetings).lower()
        for theme in ("root causes of injustice", "sharing power", "data"):
            assert theme in titles
        assert all(m.boards for m in meetings)
        pending = db.session.scalar(
            select(func.count()).where(Application.status == ApplicationStatus.PENDING)
        )
        assert pending >= 2


def test_demo_accounts_have_their_roles_and_password(app, runner):
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        for email, roles in DEMO_ACCOUNTS:
            user = db.session.scalar(select(User).where(User.email == email))
            assert user.check_password(DEMO_PASSWORD)
            assert user.holds(Role.MEMBER)
            for role in roles:
                assert user.holds(role)


def test_seed_demo_twice_changes_nothing(app, runner):
    runner.invoke(args=["seed-demo"])
    before = _row_counts(app)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "nothing changed" in result.output
    assert _row_counts(app) == before


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, runner, make):
    make.user()
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not added" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_create_admin_from_environment(app, runner, monkeypatch):
    monkeypatch.setenv("ROUNDTABLE_ADMIN_PASSWORD", "a long admin passphrase")
    result = runner.invoke(args=["create-admin", "Boss@Example.org"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.org"))
        assert user.holds(Role.ADMIN) and user.holds(Role.MEMBER)
        assert user.check_password("a long admin passphrase")


def test_create_admin_prompts_and_promotes_an_existing_member(app, runner, make, monkeypatch):
    monkeypatch.delenv("ROUNDTABLE_ADMIN_PASSWORD", raising=False)
    make.user(email="amara@example.org", roles=Role.MEMBER | Role.FACILITATOR)
    db.session.commit()
    result = runner.invoke(
        args=["create-admin", "amara@example.org"],
        input="another long passphrase\nanother long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "amara@example.org"))
        assert user.holds(Role.ADMIN) and user.holds(Role.FACILITATOR)


def test_create_admin_refuses_a_weak_password(app, runner, monkeypatch):
    monkeypatch.setenv("ROUNDTABLE_ADMIN_PASSWORD", "short")
    result = runner.invoke(args=["create-admin", "boss@example.org"])
    assert result.exit_code != 0
    assert "10 characters" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
