"""Migrations carry a database holding the demo data from the first revision to the latest and
back again, on SQLite and on PostgreSQL, with every row intact.

Where the data comes from: the demo seeder writes through today's models, which match only the
latest schema (at the first revision the email queue's table does not exist, and a later
revision may add columns the models fill). So the test seeds at the latest revision, then
downgrades to the first: that is a first-revision database holding the demo data. From there it
upgrades to the latest and downgrades again, comparing every row of every table (the full-text
tables included) at each step. The only tables allowed to lose rows are those a downgrade drops,
and the test requires them to be empty when the demo data is in place, so no data is lost.
"""

from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.reliability.conftest import differences, scratch_database, snapshot

FIRST = "0001"


# A counter, not data: each time its table is created it starts from a new random value
# (app.models.cache.fresh_start), so it is checked for its row only.
COUNTER = frozenset({"content_generation"})


def test_demo_data_survives_upgrading_from_the_first_revision_and_back(
    database_uri, tmp_path, app_on
):
    with scratch_database(database_uri, "migrations_data", tmp_path) as uri:
        app = app_on(uri)
        with app.app_context():
            upgrade()
            result = app.test_cli_runner().invoke(args=["seed-demo"])
            assert result.exit_code == 0, result.output
            db.session.remove()
            engine = db.engine
            at_head = snapshot(engine, COUNTER)
            assert len(at_head["post"]) > 10 and len(at_head["vote"]) > 10
            assert at_head["alembic_version"] != [(FIRST,)]
            assert len(snapshot(engine)["content_generation"]) == 1

            downgrade(revision=FIRST)
            at_first = snapshot(engine, COUNTER)
            assert at_first["alembic_version"] == [(FIRST,)]
            assert set(at_first) <= set(at_head)
            # The tables later revisions add hold nothing in the demo: dropping them loses nothing.
            dropped = set(at_head) - set(at_first)
            assert {name: at_head[name] for name in dropped} == dict.fromkeys(dropped, [])
            kept = {name: at_head[name] for name in at_first if name != "alembic_version"}
            at_first_data = {k: v for k, v in at_first.items() if k != "alembic_version"}
            assert differences(kept, at_first_data) == []

            upgrade()
            assert differences(at_head, snapshot(engine, COUNTER)) == []

            downgrade(revision=FIRST)
            assert differences(at_first, snapshot(engine, COUNTER)) == []
            upgrade()
            assert differences(at_head, snapshot(engine, COUNTER)) == []
            assert len(snapshot(engine)["content_generation"]) == 1
            db.session.remove()
            engine.dispose()
