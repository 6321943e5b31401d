"""Who may do what: the role and ownership checks every blueprint uses, on the server."""

import functools
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import LoginManager, current_user
from sqlalchemy import Select, bindparam, select

from app import content_generation
from app.extensions import db, login_manager
from app.htmx import hx_redirect, is_htmx
from app.models import Role, User
from app.models.moderation import Notice, Standing, has_notices, standing_query
from app.timeutil import utcnow


def safe_next(target: str | None, default: str = "/") -> str:
    """Return target when it is a path on this site, else default (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def _return_path() -> str:
    """Where a visitor sent to log in should come back to afterwards."""
    if is_htmx():
        # The fragment URL is no place to land: go back to the page htmx was on.
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        if parts.netloc == request.host:
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return "/"
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/"


def init_login(app: Flask, manager: LoginManager) -> None:
    """Bind Flask-Login: load users by id and session generation; send visitors to log in."""
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = "Log in to continue."
    manager.login_message_category = "info"

    @manager.user_loader
    def load_user(identity: str):
        user_id, _, generation = identity.partition(":")
        if not user_id.isdigit() or not generation.isdigit():
            return None
        params = {"user_id": int(user_id), "now": utcnow()}
        row = db.session.execute(_member_query(), params).first()
        if row is None:
            return None
        user, noticed, generation_now = row
        if user.session_gen != int(generation) or not user.active:
            return None
        content_generation.remember(generation_now)
        if not noticed:  # nothing for standing() to read this request
            g.setdefault("_rt_standing", {})[user.id] = Standing()
        return user

    @manager.unauthorized_handler
    def unauthorized():
        target = url_for("auth.login", next=_return_path())
        if is_htmx():
            return hx_redirect(target, status=401)
        return redirect(target)


@functools.cache
def _member_query() -> Select:
    """The member with whether they have warnings or a suspension to see: every member's page
    needs both, and most members have neither, so standing() then has nothing to read. Also
    the content generation, which every kept page's key needs (app.content_generation)."""
    user_id = bindparam("user_id")
    noticed = has_notices(user_id).label("noticed")
    return select(User, noticed, content_generation.column()).where(User.id == user_id)


def role_required(role: Role):
    """Decorate a view so that only people holding role (or admins) reach it.

    A visitor is sent to log in and back; a logged-in person without the role gets 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


member_required = role_required(Role.MEMBER)
facilitator_required = role_required(Role.FACILITATOR)
moderator_required = role_required(Role.MODERATOR)
admin_required = role_required(Role.ADMIN)


def has_role(role: Role) -> bool:
    """True when the current person is logged in and holds role (for views and templates)."""
    return current_user.is_authenticated and current_user.has_role(role)


def require(condition: bool) -> None:
    """Abort with 403 unless condition holds (ownership and state checks in routes)."""
    if not condition:
        abort(403)


def standing(user) -> Standing:
    """The person's unseen warnings and any suspension in force: one query a request.

    Kept in `g` for the rest of the request (the moderation blueprint forgets it when the
    request ends). Visitors have no standing.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Standing()
    cache = g.setdefault("_rt_standing", {})
    if user.id not in cache:
        rows = db.session.execute(standing_query(), {"user_id": user.id, "now": utcnow()}).all()
        notices = [Notice(row.kind, row.id, row.moment, row.text) for row in rows]
        warnings = tuple(sorted((n for n in notices if n.kind == "warning"), key=lambda n: n.id))
        suspensions = [n for n in notices if n.kind == "suspension"]
        suspension = max(suspensions, key=lambda n: n.moment) if suspensions else None
        cache[user.id] = Standing(warnings, suspension)
    return cache[user.id]


def can_participate(user) -> bool:
    """The one check before posting, voting, reporting or registering: a suspended member can
    read everything but take part in nothing until the suspension ends or is lifted."""
    return standing(user).suspension is None
