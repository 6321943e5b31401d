"""Jinja filters and globals shared by every template."""

from flask import Flask
from jinja2.utils import htmlsafe_json_dumps

from app.content import rich
from app.models import Role
from app.permissions import has_role
from app.timeutil import format_datetime, format_day, format_range, format_time, to_london


def register(app: Flask) -> None:
    """Install the filters and template globals."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(rich, "rich")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_time, "clock")
    app.add_template_filter(format_range, "time_range")
    app.add_template_filter(lambda moment: to_london(moment).isoformat(), "iso")
    app.add_template_global(has_role, "has_role")
    app.add_template_global(Role, "Role")
    app.jinja_env.globals["htmx_version"] = HTMX_VERSION
    # As JSON once: every page's <meta> carries it.
    app.jinja_env.globals["htmx_config_json"] = htmlsafe_json_dumps(HTMX_CONFIG)


HTMX_VERSION = "2.0.11"

# A <meta> is not a script, so it passes the CSP. allowEval off: no hx-on, js: values or
# trigger filters. Indicator styles off: htmx would inject a <style> the CSP blocks.
# Errors (4xx/5xx) are swapped because their fragments retarget themselves to #htmx-errors;
# 422 is a form re-rendered with its errors, swapped into the form's own place.
HTMX_CONFIG = {
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "historyCacheSize": 0,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": True, "error": True},
        {"code": "...", "swap": False},
    ],
}
