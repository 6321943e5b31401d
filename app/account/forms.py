"""Closing an account: the current password, so that a session left open cannot do it."""

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import ValidationError

from app.auth.forms import Required


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        "Your password", validators=[Required("Enter your password to close your account")]
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field) -> None:
        if not self.user.check_password(field.data or ""):
            raise ValidationError("Your password is not correct")
