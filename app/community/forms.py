"""Forms for joining the community and for deciding applications."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.forms import collapse, strip

NOTE_MAX = 2000
STATEMENT_MIN = 20
STATEMENT_MAX = 3000


# Checks happen on the server after submit (ACCESSIBILITY.md): WTForms would otherwise turn the
# validators into required/maxlength attributes, and maxlength silently cuts pasted text short.
NO_BROWSER_CHECKS = {"required": False, "maxlength": False, "minlength": False}


def lower(value):
    """WTForms filter: email addresses are compared and stored lower-cased."""
    return value.lower() if isinstance(value, str) else value


def unix_newlines(value):
    """WTForms filter: browsers send CRLF; count and store each line break as one character."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _max(label: str, limit: int) -> Length:
    return Length(max=limit, message=f"{label} must be {limit} characters or fewer")


class ApplicationForm(FlaskForm):
    """What a visitor tells us when they apply to join."""

    name = StringField(
        "Full name",
        render_kw=NO_BROWSER_CHECKS,
        filters=[collapse],
        validators=[DataRequired("Enter your full name"), _max("Name", 80)],
    )
    email = EmailField(
        "Email address",
        render_kw=NO_BROWSER_CHECKS,
        filters=[strip, lower],
        validators=[
            DataRequired("Enter your email address"),
            _max("Email address", 254),
            Email("Enter an email address in the correct format, like name@example.com"),
        ],
    )
    organisation = StringField(
        "Organisation",
        render_kw=NO_BROWSER_CHECKS,
        filters=[collapse],
        validators=[DataRequired("Enter your organisation"), _max("Organisation", 120)],
    )
    place = StringField(
        "Place or locality",
        render_kw=NO_BROWSER_CHECKS,
        filters=[collapse],
        validators=[DataRequired("Enter the place you work for or with"), _max("Place", 120)],
    )
    job_role = StringField(
        "Your role",
        render_kw=NO_BROWSER_CHECKS,
        filters=[collapse],
        validators=[DataRequired("Enter your role"), _max("Role", 120)],
    )
    criteria_statement = TextAreaField(
        "How you meet the joining criteria",
        render_kw=NO_BROWSER_CHECKS,
        filters=[strip, unix_newlines],
        validators=[
            DataRequired("Enter how you meet the joining criteria"),
            Length(
                min=STATEMENT_MIN,
                message=f"How you meet the criteria must be {STATEMENT_MIN} characters or more",
            ),
            _max("How you meet the criteria", STATEMENT_MAX),
        ],
    )
    agreed_guidelines = BooleanField(
        "I agree to follow the community guidelines",
        render_kw=NO_BROWSER_CHECKS,
        validators=[DataRequired("Confirm that you agree to follow the community guidelines")],
    )


class ApproveForm(FlaskForm):
    """Approve an application; the note is optional and is shown to the applicant."""

    approve_note = TextAreaField(
        "Note to the applicant (optional)",
        render_kw=NO_BROWSER_CHECKS,
        filters=[strip, unix_newlines],
        validators=[Optional(), _max("Note", NOTE_MAX)],
    )


class DeclineForm(FlaskForm):
    """Decline an application; the applicant is owed a reason."""

    decline_note = TextAreaField(
        "Note to the applicant",
        render_kw=NO_BROWSER_CHECKS,
        filters=[strip, unix_newlines],
        validators=[
            DataRequired("Enter a note telling the applicant why"),
            _max("Note", NOTE_MAX),
        ],
    )
