"""Forms of the insights pages: the narrative, and the pin toggle."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from app.forms import strip
from app.models.insights import NARRATIVE_MAX

NARRATIVE_HINT = (
    f"What the numbers do not say: who came, what moved, what is still open. Markdown works. "
    f"You can enter up to {NARRATIVE_MAX:,} characters."
)


def _required(form, field):
    if not field.data:
        raise StopValidation("Enter the narrative")


def _short_enough(form, field):
    if field.data and len(field.data) > NARRATIVE_MAX:
        raise ValidationError(f"Narrative must be {NARRATIVE_MAX:,} characters or fewer")


class NarrativeForm(FlaskForm):
    """The facilitators' narrative beside a meeting's figures; `version` catches a colleague's
    save made while this form was open."""

    # Not id "narrative": that is the section's heading, where a saved form returns to; a
    # label pointing at a duplicate id labels the heading instead of the text box.
    narrative = TextAreaField(
        "Narrative", id="narrative-text", filters=[strip], validators=[_required, _short_enough]
    )
    version = HiddenField()

    @property
    def loaded_version(self) -> int:
        """The version the form was loaded at (-1 when missing: treated as stale)."""
        value = self.version.data or ""
        return int(value) if value.isdigit() else -1


class PinForm(FlaskForm):
    """Pin or unpin a post: `pin` says which, so that a double submit cannot flip it back."""

    pin = HiddenField()
    next = HiddenField()

    @property
    def wants_pin(self) -> bool:
        return self.pin.data != "0"
