"""Settings from the environment: database URL, secret key, rate limits, cookies."""

import importlib

import pytest
from sqlalchemy import text

from app import create_app
from app.config import database_url, load_secret_key
from app.extensions import db


def test_database_url_defaults_to_sqlite_under_instance():
    assert database_url(None).startswith("sqlite:///")
    assert database_url(None).endswith("instance/roundtable.db")


@pytest.mark.parametrize(
    "given",
    ["postgres://u@h/db", "postgresql://u@h/db"],
)
def test_postgres_urls_use_psycopg3(given):
    assert database_url(given) == "postgresql+psycopg://u@h/db"


def test_other_urls_pass_through():
    assert database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert len(first) >= 40
    assert load_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def _fresh_config(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import app.config

    return importlib.reload(app.config).Config


def test_environment_settings(monkeypatch):
    try:
        config = _fresh_config(
            monkeypatch,
            BASE_URL="https://roundtable.example.org/",
            REDIS_URL="redis://127.0.0.1:6379/3",
            RATELIMIT_ENABLED="false",
            DATABASE_URL="postgres://u@h/db",
        )
        assert config.BASE_URL == "https://roundtable.example.org"
        assert config.SESSION_COOKIE_SECURE is True
        assert config.REMEMBER_COOKIE_SECURE is True
        assert config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/3"
        assert config.RATELIMIT_ENABLED is False
        assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"
    finally:
        monkeypatch.undo()
        import app.config

        importlib.reload(app.config)


def test_rate_limits_on_by_default(monkeypatch):
    monkeypatch.delenv("RATELIMIT_ENABLED", raising=False)
    try:
        config = _fresh_config(monkeypatch)
        assert config.RATELIMIT_ENABLED is True
        assert config.RATELIMIT_STORAGE_URI in ("memory://",) or config.REDIS_URL
        assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
        assert config.MAX_CONTENT_LENGTH > 0
    finally:
        monkeypatch.undo()
        import app.config

        importlib.reload(app.config)


def test_sqlite_connections_get_wal_and_foreign_keys(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": True})
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        db.engine.dispose()


def test_proxy_hops_trust_the_forwarded_client_address(tmp_path):
    from flask import request

    def remote_addr(app):
        @app.get("/whoami")
        def whoami():
            return request.remote_addr

        return (
            app.test_client()
            .get(
                "/whoami",
                headers={"X-Forwarded-For": "203.0.113.9"},
                environ_base={"REMOTE_ADDR": "10.0.0.1"},
            )
            .get_data(as_text=True)
        )

    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "SECRET_KEY": "x"}
    assert remote_addr(create_app(settings)) == "10.0.0.1"
    assert remote_addr(create_app({**settings, "PROXY_HOPS": 1})) == "203.0.113.9"
