"""Forms for threads, replies, edits and votes.

Validators here set no HTML flags: GOV.UK asks for no `required` and no hard `maxlength`
(people paste, then edit down), so the limits are told in each field's hint and checked on
the server.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError

from app.boards.services import BODY_MAX, TITLE_MAX
from app.forms import collapse, strip
from app.models import PostKind

TITLE_HINT = f"You can enter up to {TITLE_MAX} characters."
BODY_LIMIT = f"{BODY_MAX:,}"


def required(message: str):
    """Stop with message when the field is empty (after filters)."""

    def check(form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(message)

    return check


def at_most(limit: int, message: str):
    """Fail with message when the text is longer than limit characters."""

    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(message)

    return check


def one_of(values, message: str):
    def check(form, field):
        if field.data not in values:
            raise StopValidation(message)

    return check


CHOOSE_KIND = "Select whether you are asking a question or starting a discussion"


class ThreadForm(FlaskForm):
    """Start a thread: a question (may be voted up) or a discussion."""

    kind = RadioField(
        "What are you posting?",
        choices=[
            SelectChoice(PostKind.QUESTION, "A question for the meeting"),
            SelectChoice(PostKind.DISCUSSION, "A discussion"),
        ],
        validate_choice=False,
        validators=[one_of(PostKind.THREADS, CHOOSE_KIND)],
    )
    title = StringField(
        "Title",
        filters=[collapse],
        validators=[
            required("Enter a title"),
            at_most(TITLE_MAX, f"Title must be {TITLE_MAX} characters or fewer"),
        ],
    )
    body = TextAreaField(
        "Details",
        filters=[strip],
        validators=[at_most(BODY_MAX, f"Details must be {BODY_LIMIT} characters or fewer")],
    )
    anonymous = BooleanField("Post anonymously")

    def validate_body(self, field):
        """A question may be its title alone; a discussion needs something to discuss."""
        if self.kind.data == PostKind.DISCUSSION and not field.data:
            raise StopValidation("Enter what you want to discuss")


class ReplyForm(FlaskForm):
    """Reply to a post. Built with prefix="reply-<id>" so that every form on a page has its
    own field ids."""

    body = TextAreaField(
        "Your reply",
        filters=[strip],
        validators=[
            required("Enter your reply"),
            at_most(BODY_MAX, f"Reply must be {BODY_LIMIT} characters or fewer"),
        ],
    )
    anonymous = BooleanField("Post anonymously")


class EditThreadForm(FlaskForm):
    """Edit a thread's title and text (the body is optional for a question)."""

    title = ThreadForm.title
    body = TextAreaField(
        "Details",
        filters=[strip],
        validators=[at_most(BODY_MAX, f"Details must be {BODY_LIMIT} characters or fewer")],
    )

    def __init__(self, *args, needs_body: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_body = needs_body

    def validate_body(self, field):
        if self.needs_body and not field.data:
            raise StopValidation("Enter what you want to discuss")


class EditReplyForm(FlaskForm):
    """Edit a reply's text."""

    body = ReplyForm.body


class VoteForm(FlaskForm):
    """A vote toggle: `want` says what the button showed ("add" or "remove"), so a double
    submission cannot undo itself; `next` is the page to go back to without JavaScript."""

    want = HiddenField()
    next = HiddenField()
