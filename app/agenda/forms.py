"""Forms for building and running an agenda.

No HTML `required` or `maxlength` (GOV.UK: people paste, then edit down): limits are told in
hints and checked here, with messages in GOV.UK's words.
"""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from app.agenda.services import MINUTES_MAX, MINUTES_MIN, NOTES_MAX, REASON_MAX, TITLE_MAX
from app.forms import collapse, strip

MINUTES_HINT = f"A whole number of minutes, from {MINUTES_MIN} to {MINUTES_MAX}."


def required(message: str):
    """Stop with message when the field is empty (after its filters)."""

    def check(form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(message)

    return check


def at_most(limit: int, message: str):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(message)

    return check


def whole_number(low: int, high: int, message: str, range_message: str):
    """Accept digits only ("10", not "10.5" or "ten"), between low and high inclusive."""

    def check(form, field):
        text = (field.data or "").strip()
        if not text.isdigit():
            raise StopValidation(message)
        if not low <= int(text) <= high:
            raise StopValidation(range_message)

    return check


class ItemForm(FlaskForm):
    """An item's title and minutes (a free item, or editing any item)."""

    title = StringField(
        "Title",
        filters=[collapse],
        validators=[
            required("Enter a title for the item"),
            at_most(TITLE_MAX, f"Title must be {TITLE_MAX} characters or fewer"),
        ],
    )
    minutes = StringField(
        "Minutes",
        filters=[strip],
        validators=[
            required("Enter how many minutes the item takes"),
            whole_number(
                MINUTES_MIN,
                MINUTES_MAX,
                "Minutes must be a whole number, like 10",
                f"Minutes must be between {MINUTES_MIN} and {MINUTES_MAX}",
            ),
        ],
    )

    @property
    def minutes_value(self) -> int:
        return int(self.minutes.data)


class NotTakenForm(FlaskForm):
    """Why a candidate question is not taken this time (shown to members)."""

    reason = StringField(
        "Reason",
        filters=[collapse],
        validators=[
            required("Enter why this question is not taken this time"),
            at_most(REASON_MAX, f"Reason must be {REASON_MAX} characters or fewer"),
        ],
    )


class OutcomeForm(FlaskForm):
    """What came out of an item, in Markdown."""

    notes = TextAreaField(
        "Outcome notes",
        filters=[strip],
        validators=[at_most(NOTES_MAX, f"Outcome notes must be {NOTES_MAX:,} characters or fewer")],
    )


class AttendanceForm(FlaskForm):
    """How many people took part in the meeting."""

    attendance = StringField(
        "How many people took part",
        filters=[strip],
        validators=[
            required("Enter how many people took part"),
            whole_number(
                0,
                100_000,
                "The number of people must be a whole number, like 24",
                "The number of people must be 100,000 or fewer",
            ),
        ],
    )


class CarryForm(FlaskForm):
    """Which board of the next meeting a question goes to."""

    board = RadioField(
        "Board",
        coerce=int,
        validate_choice=False,
        validators=[required("Select the board to carry the question to")],
    )

    def validate_board(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Select the board to carry the question to")


class ThemeFilterForm(FlaskForm):
    """The candidates' theme filter (a GET form: no CSRF, clean query strings)."""

    class Meta:
        csrf = False

    theme = SelectField("Theme", id="theme-filter", validate_choice=False)

    @classmethod
    def for_themes(cls, themes, theme_id: int | None) -> "ThemeFilterForm":
        form = cls(formdata=None, data={"theme": str(theme_id) if theme_id else ""})
        form.theme.choices = [("", "All themes")] + [(str(t.id), t.title) for t in themes]
        return form
