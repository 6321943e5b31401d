"""Forms for logging in, setting passwords and editing one's own profile."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from app.auth.passwords import password_problem
from app.forms import collapse, strip

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
# Only the shape of an address. Logging in and asking for a link look an address up; a
# stricter check (as for applications) could lock out an account created as admin@localhost.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+$")


class Required(DataRequired):
    """DataRequired without the HTML `required` attribute.

    Forms are novalidate and the server says what is missing next to the field, as GOV.UK does.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.field_flags = {}


class MaxLength(Length):
    """Length(max=...) without the HTML `maxlength` attribute.

    People may paste more and then edit it down, instead of the browser silently cutting their
    text off (ACCESSIBILITY.md, character count).
    """

    def __init__(self, max: int, message: str):
        super().__init__(max=max, message=message)
        self.field_flags = {}


def _email_shape(form, field) -> None:
    if not _EMAIL_SHAPE.match(field.data or ""):
        raise ValidationError(EMAIL_FORMAT)


def _acceptable_password(form, field) -> None:
    if problem := password_problem(field.data or ""):
        raise ValidationError(problem)


def _normalise_newlines(value):
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _email_field() -> EmailField:
    return EmailField(
        "Email address",
        filters=[strip],
        validators=[
            Required("Enter your email address"),
            MaxLength(254, message="Email address must be 254 characters or fewer"),
            _email_shape,
        ],
    )


class LoginForm(FlaskForm):
    email = _email_field()
    # No strip filter on passwords: spaces are part of them.
    password = PasswordField("Password", validators=[Required("Enter your password")])
    remember = BooleanField("Remember me on this device")


class ForgotPasswordForm(FlaskForm):
    email = _email_field()


def _new_password_field() -> PasswordField:
    return PasswordField(
        "New password", validators=[Required("Enter a new password"), _acceptable_password]
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        validators=[
            Required("Enter your new password again"),
            EqualTo("password", message="Passwords do not match"),
        ],
    )


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (reset and welcome links)."""

    password = _new_password_field()
    confirm = _confirm_field()


class ChangePasswordForm(FlaskForm):
    """The current password first, so that a session left open cannot take over the account."""

    current_password = PasswordField(
        "Current password", validators=[Required("Enter your current password")]
    )
    password = _new_password_field()
    confirm = _confirm_field()

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field) -> None:
        if not self.user.check_password(field.data or ""):
            raise ValidationError("Your current password is not correct")


class ProfileForm(FlaskForm):
    display_name = StringField(
        "Display name",
        filters=[collapse],
        validators=[
            Required("Enter your display name"),
            MaxLength(80, message="Display name must be 80 characters or fewer"),
        ],
    )
    pronouns = StringField(
        "Pronouns (optional)",
        filters=[collapse],
        validators=[
            Optional(),
            MaxLength(40, message="Pronouns must be 40 characters or fewer"),
        ],
    )
    organisation = StringField(
        "Organisation (optional)",
        filters=[collapse],
        validators=[
            Optional(),
            MaxLength(120, message="Organisation must be 120 characters or fewer"),
        ],
    )
    place = StringField(
        "Place (optional)",
        filters=[collapse],
        validators=[Optional(), MaxLength(120, message="Place must be 120 characters or fewer")],
    )
    bio = TextAreaField(
        "About you (optional)",
        filters=[_normalise_newlines, strip],
        validators=[
            Optional(),
            MaxLength(1000, message="About you must be 1000 characters or fewer"),
        ],
    )
