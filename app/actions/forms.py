"""Forms for actions: proposing one, owners, status, updates, comments, edits and reviews.

No HTML `required` or `maxlength` (GOV.UK: people paste, then edit down): limits are told in the
hints and checked here. The due date is three text fields, parsed as the meetings area does.
"""

import functools
from datetime import date

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import Select

from app.actions.services import (
    DETAIL_MAX,
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    resolve_owners,
    split_names,
)
from app.forms import collapse, strip
from app.meetings.forms import parse_month
from app.models import ActionStatus


def required(message: str):
    def check(form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(message)

    return check


def at_most(limit: int, message: str):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(message)

    return check


def _version(form, field):
    if not (field.data or "").isdigit():
        raise StopValidation("Reload the page and try again")


def _due_fields():
    """Day, Month and Year, declared in each form's body so they keep their place in its order."""
    return (
        StringField("Day", filters=[strip]),
        StringField("Month", filters=[strip]),
        StringField("Year", filters=[strip]),
    )


class DueDateMixin:
    """validate_due() checks the form's due_day, due_month and due_year and sets due_on."""

    due_on: date | None = None

    def validate_due(self, today: date, *, allow: date | None = None) -> date | None:
        """GOV.UK's date rules, and today or later (an unchanged `allow` date may be past)."""
        parts = {"day": self.due_day, "month": self.due_month, "year": self.due_year}
        missing = [name for name, f in parts.items() if not f.data]
        if len(missing) == 3:
            self.due_day.errors.append("Enter the due date")
            return None
        if missing:
            parts[missing[0]].errors.append(f"Due date must include a {' and '.join(missing)}")
            return None
        month = parse_month(self.due_month.data)
        if not self.due_day.data.isdigit():
            self.due_day.errors.append("Due date must be a real date")
            return None
        if month is None:
            self.due_month.errors.append("Due date must be a real date")
            return None
        if not (self.due_year.data.isdigit() and len(self.due_year.data) == 4):
            self.due_year.errors.append("Year must include 4 numbers")
            return None
        try:
            due = date(int(self.due_year.data), month, int(self.due_day.data))
        except ValueError:
            self.due_day.errors.append("Due date must be a real date")
            return None
        if due < today and due != allow:
            self.due_day.errors.append("Due date must be today or in the future")
            return None
        self.due_on = due
        return due

    def fill_due(self, due: date) -> None:
        self.due_day.data, self.due_month.data, self.due_year.data = (
            str(due.day),
            str(due.month),
            str(due.year),
        )


def _title_field():
    return StringField(
        "Title",
        filters=[collapse],
        validators=[
            required("Enter a title"),
            at_most(TITLE_MAX, f"Title must be {TITLE_MAX} characters or fewer"),
        ],
    )


def _detail_field():
    return TextAreaField(
        "Detail (optional)",
        filters=[strip],
        validators=[at_most(DETAIL_MAX, f"Detail must be {DETAIL_MAX} characters or fewer")],
    )


class ActionForm(DueDateMixin, FlaskForm):
    """Propose an action; after validate(today), due_on and owner_users are set."""

    title = _title_field()
    detail = _detail_field()
    due_day, due_month, due_year = _due_fields()
    own = BooleanField("I will own this")
    owners = TextAreaField("Other owners (optional)", filters=[strip])

    owner_users: list = []

    def validate(self, extra_validators=None, *, today: date | None = None) -> bool:
        valid = super().validate(extra_validators)
        if today is not None:
            self.validate_due(today)
        self.owner_users = []
        if not self.owners.errors:
            people, problems = resolve_owners(self.owners.data or "")
            if problems:
                self.owners.errors.append(problems[0])
            elif not people and not self.own.data:
                self.owners.errors.append(
                    "Enter at least one owner, or select \u201cI will own this\u201d"
                )
            self.owner_users = people
        return valid and not any(f.errors for f in self)


class InviteForm(FlaskForm):
    """Invite more owners by name or email address."""

    owners = TextAreaField("Invite more owners", filters=[strip])
    owner_users: list = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.owner_users = []
        if not split_names(self.owners.data or ""):
            self.owners.errors.append("Enter the name or email address of a member to invite")
        else:
            people, problems = resolve_owners(self.owners.data)
            if problems:
                self.owners.errors.append(problems[0])
            self.owner_users = people
        return valid and not any(f.errors for f in self)


STATUS_CHOICES = [SelectChoice(s, ActionStatus.LABELS[s]) for s in ActionStatus.CHOOSABLE]


def shown_status(status: str) -> str:
    """What a fresh status form has selected: the action's status, or "open" for a proposed
    action (its owners move it on from there)."""
    return status if status in ActionStatus.CHOOSABLE else ActionStatus.OPEN


@functools.cache
def status_options(status: str) -> Markup:
    """A fresh status form's options, as StatusForm renders them. Lists of cards write their
    fresh forms out: through WTForms, the forms cost most of drawing the board (a test keeps
    the two the same)."""
    chosen = shown_status(status)
    return Markup(  # noqa: S704 (labels from ActionStatus, escaped anyway)
        "".join(
            f'<option{" selected" if c.value == chosen else ""} value="{c.value}">'
            f"{escape(c.label)}</option>"
            for c in STATUS_CHOICES
        )
    )


class StatusForm(FlaskForm):
    """An owner moves their action; the version says which state they were looking at."""

    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False)
    version = HiddenField(validators=[_version])
    reason = TextAreaField("Why is it dropped?", filters=[strip])
    next = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.status.data not in ActionStatus.CHOOSABLE:
            self.status.errors.append("Select a status from the list")
        elif self.status.data == ActionStatus.DROPPED and not self.reason.data:
            self.reason.errors.append("Enter why the action is dropped")
        if self.reason.data and len(self.reason.data) > REASON_MAX:
            self.reason.errors.append(f"Reason must be {REASON_MAX} characters or fewer")
        return valid and not any(f.errors for f in self)


class DropForm(FlaskForm):
    """A facilitator (or an owner) drops the action, saying why."""

    reason = TextAreaField(
        "Why is the action dropped?",
        filters=[strip],
        validators=[
            required("Enter why the action is dropped"),
            at_most(REASON_MAX, f"Reason must be {REASON_MAX} characters or fewer"),
        ],
    )
    version = HiddenField(validators=[_version])


class EditForm(DueDateMixin, FlaskForm):
    """A facilitator's correction of the title, detail or due date, with a reason."""

    title = _title_field()
    detail = _detail_field()
    due_day, due_month, due_year = _due_fields()
    reason = TextAreaField(
        "Reason for the change",
        filters=[strip],
        validators=[
            required("Enter the reason for the change"),
            at_most(REASON_MAX, f"Reason must be {REASON_MAX} characters or fewer"),
        ],
    )
    version = HiddenField(validators=[_version])

    def validate(self, extra_validators=None, *, today=None, current_due=None) -> bool:
        valid = super().validate(extra_validators)
        if today is not None:
            self.validate_due(today, allow=current_due)
        return valid and not any(f.errors for f in self)


def _text_form(label: str, empty: str, name: str):
    class TextForm(FlaskForm):
        text = TextAreaField(
            label,
            filters=[strip],
            validators=[
                required(empty),
                at_most(TEXT_MAX, f"{name} must be {TEXT_MAX} characters or fewer"),
            ],
        )

    return TextForm


UpdateForm = _text_form("Progress update", "Enter your progress update", "Update")
CommentForm = _text_form("Comment", "Enter your comment", "Comment")


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Why are you declining? (optional)",
        filters=[strip],
        validators=[at_most(REASON_MAX, f"Reason must be {REASON_MAX} characters or fewer")],
    )


class ReviewForm(FlaskForm):
    """The facilitator's outcome when reviewing an action at a meeting."""

    outcome = TextAreaField(
        "Outcome of the review",
        filters=[strip],
        validators=[
            required("Enter the outcome of the review"),
            at_most(2000, "Outcome must be 2000 characters or fewer"),
        ],
    )


class LongSelect(Select):
    """WTForms' Select, writing each plain option directly: the same markup (value, then
    selected), without building an attribute dict for each of the board's hundreds of options."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        # An f-string of escaped parts: Markup.format() escapes through a Formatter, several
        # times slower, and the owner list alone has hundreds of options.
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{escape(choice.value)}">{label}</option>')  # noqa: S704


class BoardFilterForm(FlaskForm):
    """The actions board's filter (a GET form: no CSRF, clean query strings)."""

    class Meta:
        csrf = False

    series = SelectField("Series", id="filter-series", validate_choice=False)
    meeting = SelectField(
        "Meeting", id="filter-meeting", widget=LongSelect(), validate_choice=False
    )
    theme = SelectField("Theme", id="filter-theme", widget=LongSelect(), validate_choice=False)
    owner = SelectField("Owner", id="filter-owner", widget=LongSelect(), validate_choice=False)
    overdue = BooleanField("Only overdue actions", id="filter-overdue")
