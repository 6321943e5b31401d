"""Forms for the admin area: roles, the people search, and the site texts."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.community.forms import NO_BROWSER_CHECKS, unix_newlines
from app.forms import collapse, strip
from app.models import ALL_ROLES

ROLE_CHOICES = [SelectChoice(role.name.lower(), role.label) for role in ALL_ROLES]
TEXT_MAX = 20000


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (the forms macro `checkboxes` renders it)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RolesForm(FlaskForm):
    """The roles a person holds, one checkbox each; unticking a box revokes the role."""

    roles = MultiCheckboxField("Roles", choices=ROLE_CHOICES)


class PeopleFilterForm(FlaskForm):
    """Search and filter for the people list (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("Name or email address", filters=[collapse])
    role = SelectField(
        "Role", choices=[SelectChoice("", "Any role"), *ROLE_CHOICES], validate_choice=False
    )


class TextForm(FlaskForm):
    """A site text: its title and its Markdown body."""

    title = StringField(
        "Title",
        render_kw=NO_BROWSER_CHECKS,
        filters=[collapse],
        validators=[
            DataRequired("Enter a title"),
            Length(max=120, message="Title must be 120 characters or fewer"),
        ],
    )
    body = TextAreaField(
        "Text",
        render_kw=NO_BROWSER_CHECKS,
        filters=[strip, unix_newlines],
        validators=[
            DataRequired("Enter the text"),
            Length(max=TEXT_MAX, message=f"Text must be {TEXT_MAX} characters or fewer"),
        ],
    )
