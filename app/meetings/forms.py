"""Forms for planning meetings: the meeting itself, cancelling it, series and themes.

Dates are three text fields (GOV.UK date input) and times are HH:MM text, both entered in UK local
time; MeetingForm.validate() turns them into UTC instants and explains any problem next to the
field that has it.
"""

import re
from datetime import date, datetime, time
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import collapse, strip
from app.timeutil import LONDON, london_to_utc

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
TIME_PATTERN = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")
MAX_CAPACITY = 100_000


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered by the `checkboxes` macro, one per choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_month(text: str) -> int | None:
    """1-12 from "3", "03", "mar" or "March"; None when it is not a month."""
    text = text.strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(text)


def parse_clock(text: str) -> time | None:
    """A wall-clock time from "12:00", "9:30", "14.15" or "1415"; None when it is not one."""
    match = TIME_PATTERN.match(text.strip())
    if not match:
        return None
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def exists_in_london(day: date, clock: time) -> bool:
    """False for a wall-clock time the clocks skip (01:00-01:59 on the last Sunday in March)."""
    local = london_to_utc(day, clock).astimezone(LONDON)
    return (local.date(), local.time()) == (day, clock)


def format_long_date(day: date) -> str:
    """'Sunday 29 March 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _optional_url(form, field):
    """Only web links: a javascript: or mailto: link must never reach a member's browser."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError("Enter a link that starts with http:// or https://")


class MeetingForm(FlaskForm):
    """A meeting's details; after validate(), starts_at, ends_at and capacity_value are set."""

    title = StringField(
        "Title",
        filters=[collapse],
        validators=[
            DataRequired("Enter a title"),
            Length(max=160, message="Title must be 160 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Length(max=10000, message="Description must be 10000 characters or fewer")],
    )
    start_day = StringField("Day", filters=[strip])
    start_month = StringField("Month", filters=[strip])
    start_year = StringField("Year", filters=[strip])
    start_time = StringField("Start time", filters=[strip])
    end_time = StringField("End time", filters=[strip])
    online_url = StringField(
        "Online link",
        filters=[strip],
        validators=[
            Length(max=500, message="Online link must be 500 characters or fewer"),
            _optional_url,
        ],
    )
    venue = StringField(
        "Venue",
        filters=[collapse],
        validators=[Length(max=200, message="Venue must be 200 characters or fewer")],
    )
    capacity = StringField("Capacity", filters=[strip])
    # Choices are the series' themes, set by the view; checked in validate() for a GOV.UK message.
    themes = MultiCheckboxField("Themes", coerce=int, validate_choice=False)
    new_theme = StringField(
        "New theme",
        filters=[collapse],
        validators=[Length(max=160, message="Theme title must be 160 characters or fewer")],
    )

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity_value: int | None = None

    def validate(self, extra_validators=None) -> bool:
        """Check every field, then the date, times, capacity and where the meeting happens."""
        valid = super().validate(extra_validators)
        day = self._validate_date()
        start = self._validate_clock(self.start_time, "start", day)
        end = self._validate_clock(self.end_time, "end", day)
        if start and end and end <= start:
            self.end_time.errors.append("End time must be after the start time")
        elif day and start and end:
            self.starts_at = london_to_utc(day, start)
            self.ends_at = london_to_utc(day, end)
        self._validate_capacity()
        offered = {value for value, _label in self.themes.choices or []}
        if any(theme_id not in offered for theme_id in self.themes.data or []):
            self.themes.errors.append("Select themes from the list")
        if not self.online_url.errors and not self.online_url.data and not self.venue.data:
            self.online_url.errors.append("Enter an online link or a venue")
        return valid and not any(field.errors for field in self)

    def _validate_date(self) -> date | None:
        """GOV.UK's date rules; the error sits on the first part that needs fixing."""
        parts = {"day": self.start_day, "month": self.start_month, "year": self.start_year}
        missing = [name for name, field in parts.items() if not field.data]
        if len(missing) == 3:
            self.start_day.errors.append("Enter the start date")
            return None
        if missing:
            parts[missing[0]].errors.append(f"Start date must include a {' and '.join(missing)}")
            return None
        month = parse_month(self.start_month.data)
        if not self.start_day.data.isdigit():
            self.start_day.errors.append("Start date must be a real date")
            return None
        if month is None:
            self.start_month.errors.append("Start date must be a real date")
            return None
        if not (self.start_year.data.isdigit() and len(self.start_year.data) == 4):
            self.start_year.errors.append("Year must include 4 numbers")
            return None
        try:
            return date(int(self.start_year.data), month, int(self.start_day.data))
        except ValueError:
            self.start_day.errors.append("Start date must be a real date")
            return None

    def _validate_clock(self, field, which: str, day: date | None) -> time | None:
        if not field.data:
            field.errors.append(f"Enter {'a' if which == 'start' else 'an'} {which} time")
            return None
        clock = parse_clock(field.data)
        if clock is None:
            field.errors.append(
                f"{which.capitalize()} time must be a real time, like 09:30 or 14:00"
            )
            return None
        if day is not None and not exists_in_london(day, clock):
            field.errors.append(
                f"There is no {clock:%H:%M} on {format_long_date(day)} in the UK: the clocks go "
                "forward from 01:00 to 02:00. Enter a time before 01:00 or from 02:00"
            )
            return None
        return clock

    def _validate_capacity(self) -> None:
        text = self.capacity.data or ""
        if not text:
            self.capacity_value = None
        elif not text.isdigit():
            self.capacity.errors.append("Capacity must be a whole number, 0 or more")
        elif int(text) > MAX_CAPACITY:
            self.capacity.errors.append("Capacity must be 100000 or fewer")
        else:
            self.capacity_value = int(text)

    def fill_from(self, meeting) -> None:
        """Show a saved meeting's values, in UK local time, for editing."""
        start = meeting.starts_at.astimezone(LONDON)
        end = meeting.ends_at.astimezone(LONDON)
        self.title.data = meeting.title
        self.description.data = meeting.description
        self.start_day.data = str(start.day)
        self.start_month.data = str(start.month)
        self.start_year.data = str(start.year)
        self.start_time.data = f"{start:%H:%M}"
        self.end_time.data = f"{end:%H:%M}"
        self.online_url.data = meeting.online_url
        self.venue.data = meeting.venue
        self.capacity.data = "" if meeting.capacity is None else str(meeting.capacity)
        self.themes.data = [board.theme_id for board in meeting.boards]


class CancelMeetingForm(FlaskForm):
    reason = TextAreaField(
        "Why is the meeting cancelled?",
        filters=[strip],
        validators=[
            DataRequired("Enter a reason for cancelling the meeting"),
            Length(max=300, message="Reason must be 300 characters or fewer"),
        ],
    )


class SeriesForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[collapse],
        validators=[
            DataRequired("Enter a title"),
            Length(max=120, message="Title must be 120 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Length(max=10000, message="Description must be 10000 characters or fewer")],
    )


class ThemeForm(FlaskForm):
    title = StringField(
        "Theme title",
        filters=[collapse],
        validators=[
            DataRequired("Enter a theme title"),
            Length(max=160, message="Theme title must be 160 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip],
        validators=[Length(max=2000, message="Description must be 2000 characters or fewer")],
    )
