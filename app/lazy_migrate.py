"""Flask-Migrate, loaded only when something migrates: it imports Alembic and Mako, about 11 MB
in every web worker, which never does."""

import click
from flask import Flask


class _Pending:
    """app.extensions["migrate"] until first use, then the real Flask-Migrate entry."""

    def __init__(self, bind):
        self._bind = bind

    def __getattr__(self, name: str):
        return getattr(self._bind(), name)


class _LazyGroup(click.Group):
    """The `flask db` group as `flask --help` lists it; running it binds Flask-Migrate and hands
    the command line to Flask-Migrate's own group (its options included)."""

    def __init__(self, bind, **kwargs):
        super().__init__(**kwargs)
        self._bind = bind

    def make_context(self, info_name, args, parent=None, **extra):
        self._bind()
        from flask_migrate.cli import db

        return db.make_context(info_name, args, parent=parent, **extra)


class LazyMigrate:
    """Stands in for flask_migrate.Migrate: the same options and init_app, with the import (and
    the real init_app) put off until `flask db` runs or app.extensions["migrate"] is read, as
    flask_migrate.upgrade() and the other functions do."""

    def __init__(self, **options):
        self.options = options

    def init_app(self, app: Flask, db, directory: str) -> None:
        def bind():
            if isinstance(app.extensions.get("migrate"), _Pending):
                from flask_migrate import Migrate

                Migrate(**self.options).init_app(app, db, directory=directory)
            return app.extensions["migrate"]

        app.extensions["migrate"] = _Pending(bind)
        app.cli.add_command(_LazyGroup(bind, name="db", help="Perform database migrations."))
