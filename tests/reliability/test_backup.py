"""`flask backup` writes a consistent copy of the database while the app is serving, and
`flask restore` brings it back: every row of every table (SQLite's online backup API; pg_dump
and pg_restore on PostgreSQL)."""

import stat
import threading
from itertools import cycle

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select, text, update

from app import backup as backups
from app import mail
from app.boards import services as boards
from app.extensions import db
from app.mail import send_email
from app.models import Post, PostKind, User, Vote
from tests.reliability.conftest import differences, scratch_database, snapshot

# Questions whose count disagrees with their vote rows: none in any consistent state.
MISCOUNTED = text(
    "SELECT count(*) FROM post WHERE vote_count <> "
    "(SELECT count(*) FROM vote WHERE vote.post_id = post.id)"
)


def flask(app, *args: str, input: str | None = None):
    """Run `flask <args>` against app, as its operator would."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


@pytest.fixture
def demo_app(database_uri, tmp_path, app_on):
    """An app on a database of its own, migrated to the latest revision, with the demo data."""
    with scratch_database(database_uri, "backup", tmp_path) as uri:
        app = app_on(uri)
        with app.app_context():
            upgrade()
        result = flask(app, "seed-demo")
        assert result.exit_code == 0, result.output
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# The content generation (app.content_generation): a restore gives it a fresh value on purpose.
COUNTER_TABLE = "content_generation"
COUNTER = frozenset({COUNTER_TABLE})


def test_restore_brings_back_every_row_of_every_table(demo_app, tmp_path):
    path = tmp_path / "roundtable.backup"
    result = flask(demo_app, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert f"backed up to {path}" in result.output
    with demo_app.app_context():
        before_counter = snapshot(db.engine)[COUNTER_TABLE]
        before = snapshot(db.engine, COUNTER)
        assert sum(len(rows) for rows in before.values()) > 100  # the demo data is there

        # Then much changes: votes go, a person is renamed, an email waits in the queue.
        db.session.execute(delete(Vote))
        db.session.execute(update(User).values(display_name="Someone else"))
        send_email("amara@example.org", "Queued", "Hello")
        db.session.info.pop(mail.QUEUED)  # left in the queue, unsent
        db.session.commit()
        changed = snapshot(db.engine, COUNTER)
        assert len(differences(before, changed)) >= 3

    refused = flask(demo_app, "restore", str(path), input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    with demo_app.app_context():
        assert differences(changed, snapshot(db.engine, COUNTER)) == []

    result = flask(demo_app, "restore", str(path), input="y\n")
    assert result.exit_code == 0, result.output
    assert f"restored from {path}" in result.output
    with demo_app.app_context():
        assert differences(before, snapshot(db.engine, COUNTER)) == []
        # Pages kept by versions from before the restore are never found again.
        assert snapshot(db.engine)[COUNTER_TABLE] != before_counter
    # The running app carries on with the restored data.
    page = demo_app.test_client().get("/meetings/")
    assert page.status_code == 200 and "Levelling Up" in page.get_data(as_text=True)

    again = flask(demo_app, "backup", str(path))
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_backup_taken_while_members_vote_is_consistent(demo_app, tmp_path):
    path = tmp_path / "busy.backup"
    stop = threading.Event()
    commits = []
    errors = []

    def members_voting():
        # Each vote is one transaction writing two tables: the vote row and the question's count.
        try:
            with demo_app.app_context():
                questions = db.session.scalars(
                    select(Post).where(Post.kind == PostKind.QUESTION).limit(6)
                ).all()
                people = db.session.scalars(select(User).limit(6)).all()
                pairs = cycle([(q, p) for q in questions for p in people])
                want = cycle([True, True, False])
                while not stop.is_set():
                    question, person = next(pairs)
                    boards.set_vote(question, person, next(want))
                    db.session.commit()
                    commits.append(1)
        except Exception as error:  # surfaced in the test's own thread
            errors.append(error)

    writer = threading.Thread(target=members_voting)
    writer.start()
    try:
        while len(commits) < 5 and writer.is_alive():
            threading.Event().wait(0.01)
        before = len(commits)
        result = flask(demo_app, "backup", str(path))
        assert result.exit_code == 0, result.output
        # Keep voting a little after the copy, then stop.
        after = len(commits)
        while len(commits) < after + 5 and writer.is_alive():
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert errors == []
    assert before >= 5 and len(commits) > after  # members voted before and after the backup

    result = flask(demo_app, "restore", "--yes", str(path))
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        # Every count agrees with its rows: no vote is in the copy without its count, or the
        # other way round.
        assert db.session.scalar(MISCOUNTED) == 0
        assert db.session.scalar(select(func.count()).select_from(Vote)) > 0


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Not a database")
    result = flask(app, "restore", "--yes", str(path))
    assert result.exit_code == 1
    assert "is not a" in result.output and "backup (made by `flask backup`)" in result.output


def _fake_tool(folder, name: str, version: int) -> None:
    tool = folder / name
    tool.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version}.3"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


def test_pg_dump_of_the_servers_version_or_a_clear_error(app, tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)  # nothing on PATH
    app.config["PG_BIN_DIR"] = str(tmp_path)
    with app.app_context():
        with pytest.raises(backups.BackupError) as missing:
            backups.pg_tool("pg_dump", 98)
        assert "pg_dump was not found" in str(missing.value)
        assert "apt-get install postgresql-client-98" in str(missing.value)

        _fake_tool(tmp_path, "pg_dump", 97)
        with pytest.raises(backups.BackupError) as other:
            backups.pg_tool("pg_dump", 98)
        assert "must be of the server's major version, 98" in str(other.value)
        assert f"{tmp_path / 'pg_dump'} is version 97" in str(other.value)

        _fake_tool(tmp_path, "pg_restore", 98)
        assert backups.pg_tool("pg_restore", 98) == str(tmp_path / "pg_restore")
