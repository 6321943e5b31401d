"""Roundtable: a forum for a place-based community of practice."""

from pathlib import Path

from flask import Flask
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import INSTANCE, Config, load_secret_key, secure_when_https

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages, filters, commands."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_filters(app)
    register_commands(app)
    register_shellcontext(app)
    return app


def configure(app: Flask, config: type | dict | None) -> None:
    """Load Config (or the class or mapping given), then give the app its secret key."""
    if isinstance(config, dict):
        app.config.from_object(Config)
        app.config.update(config)
    else:
        app.config.from_object(config or Config)
    secure_when_https(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))
    if hops := app.config.get("PROXY_HOPS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    # The app's own loggers (app.*) speak at INFO: emails written to the outbox are logged.
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    if app.config.get("TEMPLATES_STRICT"):
        app.jinja_env.undefined = StrictUndefined


def register_extensions(app: Flask) -> None:
    from app import assets, content_generation, fragments, inputs, layout, security
    from app.extensions import compress, csrf, db, limiter, login_manager, migrate
    from app.permissions import init_login

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app, login_manager)
    security.init_app(app)
    inputs.init_app(app)
    assets.init_app(app)
    compress.init_app(app)
    fragments.init_app(app)  # after Compress: fills holes before the answer is compressed
    content_generation.init_app(app)
    layout.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.account import bp as account_bp
    from app.actions import bp as actions_bp
    from app.admin import bp as admin_bp
    from app.agenda import bp as agenda_bp
    from app.auth import bp as auth_bp
    from app.boards import bp as boards_bp
    from app.community import bp as community_bp
    from app.insights import bp as insights_bp
    from app.main import bp as main_bp
    from app.meetings import bp as meetings_bp
    from app.moderation import bp as moderation_bp
    from app.notifications import bp as notifications_bp
    from app.search import bp as search_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(boards_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(account_bp)

    from app.boards.live import PollShortcut

    app.wsgi_app = PollShortcut(app)


def register_errorhandlers(app: Flask) -> None:
    from app.main.errors import register

    register(app)


def register_template_filters(app: Flask) -> None:
    from app import filters

    filters.register(app)


def register_commands(app: Flask) -> None:
    from app import cli

    cli.register(app)


def register_shellcontext(app: Flask) -> None:
    from app import models
    from app.extensions import db

    def shell_context():
        return {"db": db, **{name: getattr(models, name) for name in models.__all__}}

    app.shell_context_processor(shell_context)
