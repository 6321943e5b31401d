"""Forms for reports, decisions, warnings, suspensions, appeals and the trail's filter.

Several of these appear once per post on one page (a thread's report forms, the queue's
decision forms), so each is built for a post: for_post() gives its fields the stable ids the
pages and browser tests rely on (#decision-reason-<post id>, ...).
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from app.boards.forms import at_most, required
from app.forms import collapse, strip
from app.models import FlagReason
from app.moderation.services import NOTE_MAX, REASON_MAX

REASON_LIMIT = f"{REASON_MAX:,}"


def for_post(form: FlaskForm, post_id: int, ids: dict[str, str]) -> FlaskForm:
    """Give form's fields ids unique to post_id: ids maps field name to an id stem."""
    for name, stem in ids.items():
        getattr(form, name).id = f"{stem}-{post_id}"
    return form


class FlagForm(FlaskForm):
    """Report a post. Built with prefix="flag-<post id>": a thread page holds one per post."""

    reason = RadioField(
        "Why are you reporting this post?",
        choices=[SelectChoice(value, label) for value, label in FlagReason.LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField(
        "Tell the moderators more",
        filters=[strip],
        validators=[at_most(NOTE_MAX, f"Your note must be {NOTE_MAX:,} characters or fewer")],
    )

    def validate_reason(self, field):
        if field.data not in FlagReason.ALL:
            raise StopValidation("Select why you are reporting this post")

    def validate_note(self, field):
        if self.reason.data == FlagReason.OTHER and not field.data:
            raise StopValidation("Tell the moderators what is wrong with this post")


DECISIONS = ("approved", "restored", "hidden")
NEEDS_REASON = {
    "hidden": "Enter a reason for hiding this post",
    "restored": "Enter a reason for restoring this post",
}


class DecisionForm(FlaskForm):
    """Approve, restore or hide a post: one form, one reason, a button per decision.

    review is the queue review the moderator was looking at (a stale one is refused);
    take_over confirms deciding on an item another moderator has claimed.
    """

    reason = TextAreaField(
        "Reason",
        filters=[strip],
        validators=[at_most(REASON_MAX, f"Reason must be {REASON_LIMIT} characters or fewer")],
    )
    decision = HiddenField()
    review = HiddenField()
    take_over = HiddenField()
    next = HiddenField()

    def validate_decision(self, field):
        if field.data not in DECISIONS:
            raise StopValidation("Choose a decision")

    def validate_reason(self, field):
        message = NEEDS_REASON.get(self.decision.data)
        if message and not field.data:
            raise StopValidation(message)


class RedactForm(FlaskForm):
    """The post's text as the moderator edits it, without the personal information."""

    title = StringField(
        "Title",
        filters=[collapse],
        validators=[at_most(150, "Title must be 150 characters or fewer")],
    )
    body = TextAreaField(
        "Text without the personal information",
        filters=[strip],
        validators=[at_most(10_000, "Text must be 10,000 characters or fewer")],
    )
    reason = TextAreaField(
        "Reason, for the author",
        filters=[strip],
        validators=[
            required("Enter a reason for removing information from this post"),
            at_most(REASON_MAX, f"Reason must be {REASON_LIMIT} characters or fewer"),
        ],
    )
    review = HiddenField()
    take_over = HiddenField()

    def __init__(self, *args, is_thread: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_thread = is_thread

    def validate_title(self, field):
        if self.is_thread and not field.data:
            raise StopValidation("Enter a title")

    def validate_body(self, field):
        if not self.is_thread and not field.data:
            raise StopValidation("Enter the text to keep")


class WarnForm(FlaskForm):
    """A warning the author reads on their next page."""

    message = TextAreaField(
        "Message to the author",
        filters=[strip],
        validators=[
            required("Enter the warning to send"),
            at_most(REASON_MAX, f"Warning must be {REASON_LIMIT} characters or fewer"),
        ],
    )


class SuspendForm(FlaskForm):
    """Suspend the author; the lengths come from MODERATION_SUSPENSION_DAYS."""

    days = RadioField("How long for?", validate_choice=False)
    reason = TextAreaField(
        "Reason, for the author",
        filters=[strip],
        validators=[
            required("Enter a reason for the suspension"),
            at_most(REASON_MAX, f"Reason must be {REASON_LIMIT} characters or fewer"),
        ],
    )

    def __init__(self, *args, lengths=(1,), suggested: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lengths = list(lengths)
        self.days.choices = [
            SelectChoice(
                str(n),
                f"{n} day{'' if n == 1 else 's'}" + (" (suggested)" if n == suggested else ""),
            )
            for n in self.lengths
        ]

    def validate_days(self, field):
        if field.data not in {str(n) for n in self.lengths}:
            raise StopValidation("Select how long to suspend them for")


class LiftForm(FlaskForm):
    reason = TextAreaField(
        "Reason for lifting the suspension",
        filters=[strip],
        validators=[
            required("Enter a reason for lifting the suspension"),
            at_most(REASON_MAX, f"Reason must be {REASON_LIMIT} characters or fewer"),
        ],
    )


class AppealForm(FlaskForm):
    reason = TextAreaField(
        "Why should the decision change?",
        filters=[strip],
        validators=[
            required("Enter why the decision should change"),
            at_most(REASON_MAX, f"Your appeal must be {REASON_LIMIT} characters or fewer"),
        ],
    )


def parse_day(text: str) -> date | None:
    """A date typed as 27 3 2026, 27/3/2026 or 2026-03-27; ValueError when not a real date."""
    parts = [p for p in text.replace("/", " ").replace("-", " ").replace(".", " ").split() if p]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    numbers = [int(p) for p in parts]
    if len(parts[0]) == 4:
        year, month, day = numbers
    else:
        day, month, year = numbers
    return date(year, month, day)


def date_check(message: str):
    def check(form, field):
        if field.data:
            try:
                parse_day(field.data)
            except ValueError:
                raise ValidationError(message) from None

    return check


class TrailFilterForm(FlaskForm):
    """Filter the audit trail (a GET form: no CSRF, clean query strings)."""

    class Meta:
        csrf = False

    action = SelectField("Action", id="trail-action", validate_choice=False)
    actor = SelectField("Done by", id="trail-actor", validate_choice=False)
    person = StringField("About (name or email address)", id="trail-person", filters=[collapse])
    start = StringField(
        "From",
        id="trail-start",
        filters=[collapse],
        validators=[date_check("Enter a real date in From, for example 27 3 2026")],
    )
    end = StringField(
        "To",
        id="trail-end",
        filters=[collapse],
        validators=[date_check("Enter a real date in To, for example 27 3 2026")],
    )

    def validate_end(self, field):
        if not (self.start.data and field.data) or self.start.errors:
            return
        try:
            backwards = parse_day(field.data) < parse_day(self.start.data)
        except ValueError:  # a bad date, already explained by date_check
            return
        if backwards:
            raise ValidationError("To must be the same as or after From")
