"""The one table of who may use each endpoint, and how the sweeps build a request for it.

ACCESS names, for every endpoint of the app, the least role allowed; a tuple means any of
them (an action's owner, or any facilitator, may drop it). The levels:

    visitor      anyone, logged in or not
    account      anyone logged in, member or not (their own password, profile)
    member       a member
    owner        the member the object belongs to (their post, their action, their notification,
                 the decision about them); nobody else, admins included
    facilitator  a facilitator (or an admin)
    moderator    a moderator (or an admin)
    admin        an admin

An endpoint added to the app without a line here fails test_permissions, and one whose URL
cannot be built from the scene fails every sweep: that is how a later route gets covered.
"""

import re
from functools import cache

from tests.security.conftest import PERSONAS, Scene

ACCESS: dict[str, str | tuple[str, ...]] = {
    # Public pages and files
    "main.home": "visitor",
    "main.healthz": "visitor",
    "static": "visitor",
    "search.index": "visitor",
    "community.criteria": "visitor",
    "community.guidelines": "visitor",
    "community.apply": "visitor",
    "meetings.index": "visitor",
    "meetings.meeting": "visitor",
    "meetings.series": "visitor",
    "meetings.calendar": "visitor",
    "boards.board": "visitor",
    "boards.threads": "visitor",
    "boards.similar": "visitor",
    "boards.live": "visitor",
    "boards.theme": "visitor",
    "boards.thread": "visitor",
    "boards.thread_live": "visitor",
    "agenda.agenda": "visitor",
    "agenda.live": "visitor",
    "agenda.pack": "visitor",
    "agenda.pack_md": "visitor",
    "agenda.minutes_md": "visitor",
    # Logging in and out, and links whose secret token is the credential
    "auth.login": "visitor",
    "auth.logout": "visitor",
    "auth.forgot_password": "visitor",
    "auth.reset_password": "visitor",
    "auth.welcome": "visitor",
    "meetings.feed": "visitor",
    "notifications.unsubscribe": "visitor",
    "community.application_status": "visitor",
    # One's own account
    "auth.profile": "account",
    "auth.edit_profile": "account",
    "auth.change_password": "account",
    "account.export": "member",
    "account.close": "member",
    # Members
    "community.member": "member",
    "meetings.register": "member",
    "meetings.unregister": "member",
    "meetings.reset_feed": "member",
    "boards.new_thread": "member",
    "boards.reply": "member",
    "boards.reply_form": "member",
    "boards.preview": "member",
    "boards.vote": "member",
    "moderation.flag": "member",
    "moderation.mine": "member",
    "moderation.report": "member",
    "actions.board": "member",
    "actions.mine": "member",
    "actions.export": "member",
    "actions.new": "member",
    "actions.action": "member",
    "actions.comment": "member",
    "actions.follow": "member",
    "insights.summary": "member",
    "notifications.index": "member",
    "notifications.bell": "member",
    "notifications.read_all": "member",
    "notifications.settings": "member",
    "notifications.follow": "member",
    # The owner of the object
    "boards.edit": "owner",
    "boards.remove": "owner",
    "boards.revisions": ("owner", "moderator"),
    "actions.status": "owner",
    "actions.update": "owner",
    "actions.accept": "owner",
    "actions.decline": "owner",
    "actions.drop": ("owner", "facilitator"),
    "actions.invite": ("owner", "facilitator"),
    "moderation.appeal": "owner",
    "moderation.dismiss_warning": "owner",
    "notifications.open_notification": "owner",
    # Facilitators
    "community.applications": "facilitator",
    "community.application": "facilitator",
    "community.approve": "facilitator",
    "community.decline": "facilitator",
    "meetings.new_series": "facilitator",
    "meetings.add_theme": "facilitator",
    "meetings.create": "facilitator",
    "meetings.edit": "facilitator",
    "meetings.publish": "facilitator",
    "meetings.cancel": "facilitator",
    "meetings.registrants": "facilitator",
    "meetings.registrants_csv": "facilitator",
    "boards.close": "facilitator",
    "boards.reopen": "facilitator",
    "boards.hold_posts": "facilitator",
    "boards.hide_votes": "facilitator",
    "agenda.add_question": "facilitator",
    "agenda.add_item": "facilitator",
    "agenda.edit_item": "facilitator",
    "agenda.move_item": "facilitator",
    "agenda.remove_item": "facilitator",
    "agenda.fill": "facilitator",
    "agenda.not_taken": "facilitator",
    "agenda.reconsider": "facilitator",
    "agenda.publish": "facilitator",
    "agenda.present": "facilitator",
    "agenda.start_item": "facilitator",
    "agenda.advance": "facilitator",
    "agenda.set_status": "facilitator",
    "agenda.outcome": "facilitator",
    "agenda.attendance": "facilitator",
    "agenda.carry": "facilitator",
    "actions.edit": "facilitator",
    "actions.review": "facilitator",
    "actions.record_review": "facilitator",
    "insights.series": "facilitator",
    "insights.series_csv": "facilitator",
    "insights.meeting": "facilitator",
    "insights.meeting_csv": "facilitator",
    "insights.narrative": "facilitator",
    "insights.pins": "facilitator",
    "insights.pin": "facilitator",
    "insights.publish": "facilitator",
    "insights.withdraw": "facilitator",
    # Moderators
    "moderation.queue": "moderator",
    "moderation.item": "moderator",
    "moderation.claim": "moderator",
    "moderation.decide": "moderator",
    "moderation.redact": "moderator",
    "moderation.warn": "moderator",
    "moderation.suspend": "moderator",
    "moderation.lift": "moderator",
    "moderation.person": "moderator",
    "moderation.trail": "moderator",
    "moderation.trail_csv": "moderator",
    # Admins
    "admin.index": "admin",
    "admin.people": "admin",
    "admin.roles": "admin",
    "admin.edit_text": "admin",
}

# Who holds each level; the first named is the one a sweep acts as to show the level suffices.
QUALIFIED = {
    "visitor": PERSONAS,
    "account": ("norole", "member", "owner", "facilitator", "moderator", "admin"),
    "member": ("member", "owner", "facilitator", "moderator", "admin"),
    "owner": ("owner",),
    "facilitator": ("facilitator", "admin"),
    "moderator": ("moderator", "admin"),
    "admin": ("admin",),
}


def levels(endpoint: str) -> tuple[str, ...]:
    level = ACCESS[endpoint]
    return level if isinstance(level, tuple) else (level,)


def allowed(endpoint: str) -> set[str]:
    return {persona for level in levels(endpoint) for persona in QUALIFIED[level]}


def refused(endpoint: str) -> list[str]:
    """The personas below the endpoint's least role (in PERSONAS order)."""
    return [persona for persona in PERSONAS if persona not in allowed(endpoint)]


def minimum(level: str) -> str:
    return QUALIFIED[level][0]


# URL parameters that are not the scene's usual object of that name.
URL_VALUES = {
    "agenda.carry": lambda s: {"meeting_id": s.past_meeting_id, "post_id": s.past_post_id},
    "admin.roles": lambda s: {"user_id": s.member_id},
    "admin.edit_text": lambda s: {"key": "about"},
    "notifications.follow": lambda s: {"kind": "thread", "ident": s.post_id},
    "static": lambda s: {"filename": "css/app.css"},
    **{
        f"moderation.{name}": (lambda s: {"post_id": s.flagged_post_id})
        for name in ("item", "claim", "decide", "redact", "warn", "suspend")
    },
}

# Form data for POSTs that need a choice (without it the view answers 400, which would prove
# nothing); with it, the least role's request goes through. Others get an empty form, which
# the least role may answer 422: it passed the permission check and failed validation.
FORM_DATA = {
    "boards.hold_posts": lambda s: {"hold": "1"},
    "boards.hide_votes": lambda s: {"hide": "1"},
    "actions.follow": lambda s: {"follow": "1"},
    "actions.status": lambda s: {
        f"a{s.action_id}-status": "in_progress",
        f"a{s.action_id}-version": "1",
    },
    "notifications.follow": lambda s: {"follow": "1"},
    "agenda.add_item": lambda s: {"preset": "break"},
    "agenda.move_item": lambda s: {"direction": "down"},
    "agenda.advance": lambda s: {"direction": "next"},
    "agenda.set_status": lambda s: {"status": "discussed"},
    "moderation.decide": lambda s: {"decision": "approved"},
}

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}

# Endpoints the sweeps cannot send a meaningful request to, each with the reason (none today).
# Everything else must build from the scene, or the sweeps fail: that is how they keep up.
NOT_SWEPT: dict[str, str] = {}


@cache
def all_rules() -> tuple:
    """Every (endpoint, rule, method) of the app, from an app built once for collection."""
    from app import create_app
    from tests.conftest import _test_settings

    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return tuple(found)


def rules() -> tuple:
    """The (endpoint, rule, method) cases the sweeps send requests for."""
    return tuple(case for case in all_rules() if case[0] not in NOT_SWEPT)


def case_id(case) -> str:
    endpoint, rule, method = case
    twins = sum(1 for e, _, m in rules() if e == endpoint and m == method)
    return f"{method} {endpoint}" + (f" {rule}" if twins > 1 else "")


def build_url(app, scene: Scene, endpoint: str, rule_text: str) -> str:
    """The URL of this rule for the scene's objects; fails when a parameter has no value."""
    (rule,) = [
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text
    ]
    values = {}
    extra = URL_VALUES.get(endpoint, lambda s: {})(scene)
    for name in rule.arguments:
        if name in extra:
            values[name] = extra[name]
        elif name == "token" and endpoint in scene.tokens:
            values[name] = scene.tokens[endpoint]
        elif name in scene.ids:
            values[name] = scene.ids[name]
        else:
            raise AssertionError(
                f"{endpoint} ({rule_text}): no value for <{name}>; add one to the scene or to "
                "URL_VALUES in tests/security/matrix.py"
            )
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"{endpoint}: could not build {rule_text} from {values}"
    return built[1]


class _Names:
    """Stands in for a Scene to find out which of its ids a URL_VALUES entry reads."""

    def __init__(self):
        self.read: set[str] = set()

    def __getattr__(self, name):
        self.read.add(name)
        return 1


def url_names(endpoint: str, rule_text: str) -> set[str]:
    """The scene ids the URL of this rule is built from (known before any scene exists)."""
    names = set(re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule_text))
    if endpoint in URL_VALUES:
        recorder = _Names()
        names = (names - set(URL_VALUES[endpoint](recorder))) | recorder.read
    return names


def form_data(endpoint: str, scene: Scene) -> dict:
    return FORM_DATA.get(endpoint, lambda s: {})(scene)
