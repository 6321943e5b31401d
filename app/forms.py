"""Form pieces shared by several areas."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions (vote, approve, publish)."""


def strip(value):
    """WTForms filter: trim surrounding whitespace so "  " counts as empty."""
    return value.strip() if isinstance(value, str) else value


def collapse(value):
    """WTForms filter for one-line fields: trim and collapse runs of spaces and newlines."""
    return " ".join(value.split()) if isinstance(value, str) else value
