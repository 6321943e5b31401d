"""Migrations build the schema from empty, agree with the models, and come back down."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from app.models.search import include_object
from tests.conftest import _test_settings
from tests.reliability.conftest import scratch_database


@pytest.fixture
def empty_database_uri(database_uri, tmp_path):
    """A database of its own, empty: a SQLite file, or a new PostgreSQL database."""
    with scratch_database(database_uri, "migrations", tmp_path) as uri:
        yield uri


@pytest.fixture
def migrated_app(empty_database_uri):
    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_from_empty_matches_the_models(migrated_app):
    with migrated_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": False,
                    # As migrations/env.py does: the full-text objects are not models.
                    "include_object": include_object,
                },
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"


def test_downgrade_to_empty_and_back(migrated_app):
    with migrated_app.app_context():
        upgrade()
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        assert "user" in inspect(db.engine).get_table_names()
