"""Forms of the notifications area: email settings, following."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, ValidationError

from app.forms import strip
from app.models.notifications import EmailMode, Kind
from app.notifications.settings import MEETING_DIGEST_DAYS_MAX

MODE_CHOICES = [SelectChoice(mode, EmailMode.LABELS[mode]) for mode in EmailMode.ALL]
# "Select how to email you about replies to your posts"
MODE_MESSAGES = {
    kind: f"Select how to email you about {Kind.LABELS[kind].lower()}" for kind in Kind.EMAILED
}


def _mode_field(kind: str) -> RadioField:
    message = MODE_MESSAGES[kind]
    return RadioField(
        Kind.LABELS[kind],
        choices=MODE_CHOICES,
        validate_choice=False,
        # No InputRequired (it would add a browser `required`): an empty or unknown choice
        # fails AnyOf with the same message; a missing one keeps the current setting.
        validators=[AnyOf(EmailMode.ALL, message)],
    )


class SettingsForm(FlaskForm):
    """One fieldset per kind of notification, then the digest before meetings."""

    reply = _mode_field(Kind.REPLY)
    mention = _mode_field(Kind.MENTION)
    follow = _mode_field(Kind.FOLLOW)
    agenda = _mode_field(Kind.AGENDA)
    action = _mode_field(Kind.ACTION)
    meeting = _mode_field(Kind.MEETING)
    meeting_digest = RadioField(
        "Before each meeting you registered for, email you its top questions and the actions "
        "it will review?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validate_choice=False,
        validators=[AnyOf(("yes", "no"), "Select whether to email you before meetings")],
    )
    digest_days = StringField("How many days before the meeting", filters=[strip])

    def validate_digest_days(self, field):
        if self.meeting_digest.data != "yes":
            return
        value = field.data or ""
        if not value:
            raise ValidationError("Enter how many days before the meeting to send it")
        if not value.isdigit():
            raise ValidationError("Days before the meeting must be a whole number, like 3")
        if not 1 <= int(value) <= MEETING_DIGEST_DAYS_MAX:
            raise ValidationError(
                f"Days before the meeting must be between 1 and {MEETING_DIGEST_DAYS_MAX}"
            )

    @property
    def modes(self) -> dict[str, str]:
        return {kind: getattr(self, kind).data for kind in Kind.EMAILED}

    @property
    def days(self) -> int:
        return int(self.digest_days.data) if self.meeting_digest.data == "yes" else 0


class FollowForm(FlaskForm):
    """Follow (1) or stop following (0): the desired state, so a repeated click changes nothing."""

    follow = HiddenField(validators=[AnyOf(("0", "1"))])
