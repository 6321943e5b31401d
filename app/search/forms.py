"""The search form: a GET form (no CSRF), so that results have a URL to share and go back to."""

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField, SelectMultipleField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import collapse
from app.models.search import DocKind
from app.search.services import MAX_QUERY, SORTS, Choices


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (the `checkboxes` macro draws one per choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SearchForm(FlaskForm):
    """What to look for, where, and in what order; unknown filter values are ignored, not
    refused (a link may outlive a meeting), so only the words can be wrong."""

    class Meta:
        csrf = False

    q = SearchField(
        "Search for",
        id="q",
        filters=[collapse],
        validators=[
            Length(max=MAX_QUERY, message=f"Search must be {MAX_QUERY} characters or fewer")
        ],
    )
    kind = MultiCheckboxField("Show", id="kind", validate_choice=False)
    series = SelectField("Series", id="series", validate_choice=False)
    meeting = SelectField("Meeting", id="meeting", validate_choice=False)
    theme = SelectField("Theme", id="theme", validate_choice=False)
    sort = SelectField(
        "Sort by",
        id="sort",
        choices=[SelectChoice(value, label) for value, label in SORTS.items()],
        validate_choice=False,
    )

    def offer(self, kinds: tuple[str, ...], choices: Choices) -> None:
        """Fill the choices this viewer may pick from (themes and meetings by series)."""
        self.kind.choices = [SelectChoice(kind, DocKind.LABELS[kind]) for kind in kinds]
        self.series.choices = [SelectChoice("", "All series")] + [
            SelectChoice(str(ident), title) for ident, title in choices.series
        ]
        self.theme.choices = _grouped("All themes", choices.themes)
        self.meeting.choices = _grouped("All meetings", choices.meetings)


def _grouped(everything: str, groups: dict[str, list[tuple[int, str]]]) -> list[SelectChoice]:
    options = [SelectChoice("", everything)]
    for group, members in groups.items():
        options.extend(SelectChoice(str(i), label, optgroup=group) for i, label in members)
    return options
