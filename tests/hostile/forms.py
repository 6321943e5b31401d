"""Every form of the app, found on the pages that show it and filled in as a browser would.

`FORM_PAGES` names, for each role, the pages holding the app's forms (in a small world built by
`forms_world`); `forms_on` reads a page's forms (action, method and controls) from its HTML, so
that prefixed field names (reply-3-body), hidden values (version, next) and the choices of radios
and selects come from the real page. `fill` then puts a value into every text control, keeping
the rest valid, as the test for each form posts it.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from app.extensions import db
from app.models import Role
from app.timeutil import utcnow
from tests import factories

TEXT_TYPES = {"text", "search", "email", "password", "url", "tel", None, ""}


@dataclass
class Control:
    name: str
    kind: str  # text, textarea, hidden, radio, checkbox, select, submit
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [c.name for c in self.controls if c.kind in ("text", "textarea")]


class _FormReader(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Control | None = None
        self.textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = Form(
                self.page, a.get("action") or self.page, a.get("method", "get").lower()
            )
            self.forms.append(self.form)
        if self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self.select.options.append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            kind = "text" if kind in TEXT_TYPES else kind
            existing = next((c for c in self.form.controls if c.name == name), None)
            if kind in ("radio", "checkbox") and existing is not None:
                existing.options.append(a.get("value", "on"))
                return
            control = Control(name, kind, a.get("value", ""))
            if kind in ("radio", "checkbox"):
                control.options.append(a.get("value", "on"))
            self.form.controls.append(control)
        elif tag == "textarea":
            self.textarea = Control(name, "textarea")
            self.form.controls.append(self.textarea)
        elif tag == "select":
            self.select = Control(name, "select")
            self.form.controls.append(self.select)
        elif tag == "button":
            self.form.controls.append(Control(name, "submit", a.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_on(html: str, page: str) -> list[Form]:
    reader = _FormReader(page)
    reader.feed(html)
    return reader.forms


def fill(form: Form, value: str, *, only: str | None = None) -> dict:
    """The data a browser would send with value typed into every text control (or only one),
    the first choice of each radio and select, every checkbox ticked and hidden values kept."""
    data: dict[str, list[str]] = {}
    for control in form.controls:
        if control.kind in ("text", "textarea"):
            typed = value if only in (None, control.name) else (control.value or "Some text")
            data.setdefault(control.name, []).append(typed)
        elif control.kind == "radio" and control.options:
            data[control.name] = [control.options[0]]
        elif control.kind == "checkbox":
            data[control.name] = control.options[:1]
        elif control.kind == "select":
            choices = [o for o in control.options if o] or control.options
            data[control.name] = choices[:1]
        elif control.kind == "hidden":
            data.setdefault(control.name, []).append(control.value)
    return data


@dataclass
class FormsWorld:
    ids: dict
    pages: dict  # role -> [path]
    people: dict  # role -> user id


def forms_world() -> FormsWorld:
    """The smallest world in which every form shows: a series with a meeting a month ago (its
    board, a question to carry forward, an action for review), one under way (an agenda with a
    started item) and one ahead (a board with a member's question and reply, a draft to edit);
    a member's own action and one they are invited to; a warning, an appeal to make, a
    suspension to lift; an application to decide; tokens for the emailed links."""
    from app.actions import services as actions
    from app.agenda import running
    from app.agenda import services as agenda
    from app.auth.services import RESET, WELCOME
    from app.insights import queries as insight_queries
    from app.insights import services as insights
    from app.models.moderation import Outcome
    from app.moderation import decisions, people
    from app.moderation import services as moderation
    from app.notifications.settings import unsubscribe_token
    from app.tokens import password_token

    member = factories.user(name="Amara Okafor")
    other = factories.user(name="Rhys Evans", password=None)
    suspended = factories.user(name="Sam Suspended", password=None)
    facilitator = factories.user(
        name="Priya Shah", roles=Role.FACILITATOR | Role.MEMBER, password=None
    )
    moderator = factories.user(name="Tom Byrne", roles=Role.MODERATOR | Role.MEMBER, password=None)
    admin = factories.user(name="Jo Mensah", roles=Role.ADMIN | Role.MEMBER, password=None)
    series = factories.series(themes=("Holistic approach", "Sharing power"))
    past = factories.meeting(series_=series, starts_in=timedelta(days=-30), title="Past")
    live = factories.meeting(series_=series, starts_in=timedelta(minutes=-20), title="Live")
    ahead = factories.meeting(series_=series, starts_in=timedelta(days=7), title="Ahead")
    board = ahead.boards[0]
    thread = factories.thread(board, member, title="How do we share power?")
    reply = factories.reply(thread, member, body="By asking.")
    others = factories.thread(board, other, title="What data do we lack?")
    carried = factories.thread(past.boards[0], other, title="Still open?")
    insights.pin(carried, facilitator)
    own, _ = actions.create_action(
        title="Map the local data",
        detail="",
        due_on=actions.today() + timedelta(days=14),
        proposer=member,
        owners=[],
        self_own=True,
        source=actions.find_source("meeting", past.id, member),
    )
    invited, _ = actions.create_action(
        title="Write to the council",
        detail="",
        due_on=actions.today() + timedelta(days=14),
        proposer=other,
        owners=[member],
        self_own=True,
        source=None,
    )
    item = agenda.add_free_item(live, "Welcome", 5)
    running.start_item(agenda.ensure_agenda(live), item)
    ahead_item = agenda.add_free_item(ahead, "Introductions", 5)
    hidden = factories.thread(board, member, title="A hidden question")
    event = decisions.decide(hidden, moderator, Outcome.HIDDEN, "Off topic").event
    people.warn(member, moderator, "Please keep to the theme.")
    suspension_event = people.suspend(suspended, moderator, people.ladder()[0], "Spam")
    # Controls that only show in a later state: reconsider a question not taken, reopen a
    # closed board, withdraw a published summary, unregister, claim a reported post.
    not_taken = factories.thread(board, other, title="Not this time?")
    agenda.mark_not_taken(ahead, not_taken, "Covered last time", facilitator)
    past.boards[0].closed_at = utcnow()
    insights.save_narrative(past, "What we heard.", facilitator, version=0)
    insights.publish(past, insight_queries.meeting_report(past, actions.today()), facilitator)
    factories.registration(ahead, member)
    later = factories.meeting(series_=series, starts_in=timedelta(days=14), title="Later")
    moderation.flag_post(others, suspended, "spam")
    application = factories.application()
    draft = factories.meeting(series_=series, status="draft", title="Draft")
    db.session.flush()
    ids = {
        "series": series.id,
        "past": past.id,
        "live": live.id,
        "ahead": ahead.id,
        "draft": draft.id,
        "later": later.id,
        "board": board.id,
        "thread": thread.id,
        "reply": reply.id,
        "others": others.id,
        "carried": carried.id,
        "past_board": past.boards[0].id,
        "own": own.id,
        "invited": invited.id,
        "item": item.id,
        "ahead_item": ahead_item.id,
        "hidden": hidden.id,
        "event": event.id,
        "suspended": suspended.id,
        "suspension_event": suspension_event.id,
        "application": application.id,
        # Its own person: a reset sets the password the sweep typed, and the account-closing
        # form would then accept it.
        "reset": password_token(factories.user(name="Rosa Reset", password=None), RESET),
        "welcome": password_token(other, WELCOME),
        "unsubscribe": unsubscribe_token(member.id, "all"),
    }
    i = ids
    pages = {
        "visitor": [
            "/auth/login",
            "/auth/forgot-password",
            "/community/apply",
            f"/auth/reset-password/{i['reset']}",
            f"/auth/welcome/{i['welcome']}",
            f"/notifications/unsubscribe/{i['unsubscribe']}",
        ],
        "member": [
            f"/boards/{i['board']}",
            f"/boards/threads/{i['thread']}",
            f"/boards/threads/{i['others']}",
            f"/boards/posts/{i['thread']}/edit",
            f"/boards/posts/{i['reply']}/edit",
            f"/boards/posts/{i['thread']}/remove",
            f"/boards/posts/{i['thread']}/reply",
            f"/moderation/posts/{i['others']}/flag",
            f"/moderation/decisions/{i['event']}/appeal",
            "/moderation/decisions",
            "/auth/profile/edit",
            "/auth/change-password",
            "/account/close",
            "/actions/new",
            f"/actions/{i['own']}",
            f"/actions/{i['own']}/drop",
            f"/actions/{i['invited']}",
            "/actions/",
            "/notifications/settings",
            "/notifications/",
            f"/meetings/{i['ahead']}",
            f"/meetings/{i['later']}",
            "/meetings/",
            "/search/",
        ],
        "facilitator": [
            "/meetings/series/new",
            f"/meetings/series/{i['series']}",
            f"/meetings/series/{i['series']}/meetings/new",
            f"/meetings/{i['draft']}",
            f"/meetings/{i['ahead']}/edit",
            f"/meetings/{i['ahead']}/cancel",
            f"/boards/{i['board']}",
            f"/agenda/{i['ahead']}",
            f"/agenda/{i['live']}/present",
            f"/agenda/{i['past']}",
            f"/agenda/{i['ahead']}/items/{i['ahead_item']}/edit",
            f"/agenda/{i['past']}/questions/{i['carried']}/carry",
            f"/actions/{i['own']}/edit",
            f"/actions/review/{i['ahead']}",
            f"/community/applications/{i['application']}",
            f"/insights/meetings/{i['past']}",
            f"/boards/threads/{i['carried']}",
            f"/boards/{i['past_board']}",
        ],
        "moderator": [
            "/moderation/",
            f"/moderation/posts/{i['others']}",
            f"/moderation/posts/{i['hidden']}",
            f"/moderation/posts/{i['others']}/redact",
            f"/moderation/people/{i['suspended']}",
            "/moderation/trail",
        ],
        "admin": [
            "/admin/texts/about",
            f"/admin/people/{member.id}/roles",
            "/admin/people",
        ],
    }
    people_ids = {
        "member": member.id,
        "facilitator": facilitator.id,
        "moderator": moderator.id,
        "admin": admin.id,
    }
    return FormsWorld(ids, pages, people_ids)
