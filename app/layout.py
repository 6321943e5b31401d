"""The page header every page shares, kept per kind of viewer.

The header (site name, main navigation, search) reads the same for everyone with the same
roles on the same page, except the member's name, their unread count, the moderators' queue
count and the log-out form's token. Drawing it cost as much as a kept board list, so it is
drawn once per (page, roles) and kept (app.fragments), those four being holes each request
fills (`fragments.value`). In debug mode it is drawn every time: templates change then.
"""

import functools

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from app import fragments


def site_header() -> Markup:
    """The header's HTML for this viewer."""
    html, _ = fragments.cached(_key(), lambda: (render_template("_partials/header.html"), {}))
    return html


def _key() -> tuple | None:
    if current_app.debug:
        return None
    user = current_user._get_current_object()
    roles = int(user.roles or 0) if user.is_authenticated else None
    config = current_app.config
    # The key holds everything the header template reads besides its holes.
    return ("site-header", request.script_root, request.endpoint, roles,
            config["NOTIFICATIONS_POLL_SECONDS"])  # fmt: skip


@fragments.value("display_name")
def _display_name() -> str:
    return str(escape(current_user.display_name))


@fragments.value("unread_notifications")
def _unread() -> str:
    return _unread_html(current_app._get_current_object(), current_user.unread_notifications)


@functools.lru_cache(maxsize=64)
def _unread_html(app: Flask, unread: int) -> str:
    # A handful of counts cover nearly every member; rendering the template was a visible share
    # of a kept page's time.
    return app.jinja_env.get_template("notifications/_count.html").render(unread=unread, oob=False)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.globals["value_hole"] = fragments.value_hole
