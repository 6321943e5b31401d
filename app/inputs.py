"""Control characters never get past the request: one answer for every form, query and URL.

A browser sends none of the C0 control characters from what a person types, tab, line feed and
carriage return aside; a script or a paste from a PDF can, and PostgreSQL refuses a NUL in any
text (the request then ends in a 500, whichever field held it). Rather than a filter on each of
the app's fields, form and query values are cleaned as the request parses them: the characters
are invisible, so what the person sees of their text is what is stored. A URL whose variable
parts hold one names nothing, and is not found.
"""

import re

from flask import Flask, Request, abort
from werkzeug.datastructures import ImmutableMultiDict

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(value):
    """value with its control characters (all of C0 but tab and line breaks, and DEL) removed;
    anything but a string (an uploaded file) unchanged."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class CleanMultiDict(ImmutableMultiDict):
    """The request's args and form, with control characters removed from every value."""

    def __init__(self, mapping=None):
        super().__init__(mapping)
        for key, values in list(dict.items(self)):
            dict.__setitem__(self, key, [without_controls(value) for value in values])


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict


def init_app(app: Flask) -> None:
    """Clean every request's form and query values; answer 404 for a URL holding a control
    character in a variable part (a token, a key)."""
    app.request_class = CleanRequest

    @app.url_value_preprocessor
    def refuse_controls_in_urls(endpoint, values):
        if values and any(
            isinstance(value, str) and CONTROL_CHARACTERS.search(value) for value in values.values()
        ):
            abort(404)
