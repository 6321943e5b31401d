"""axe-core on every page type (issue 9, point 11): logged out and as each role, on one shared set
of objects, and again after each htmx swap. Any serious or critical violation fails.

The pages come from app.url_map: a GET endpoint added later fails
test_every_get_endpoint_is_walked_or_excluded until it gets a URL builder in PAGES or a reasoned
entry in NOT_PAGES. One live server, one set of data and one browser context per role serve
the whole module, which keeps the walk to under half a second a page.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from playwright.sync_api import expect

from app.agenda import running
from app.agenda import services as agenda
from app.auth import services as auth
from app.boards import services as boards
from app.extensions import db
from app.insights import queries as insight_queries
from app.insights import services as insights
from app.meetings import registration
from app.models import FlagReason, MeetingStatus, Role
from app.models.moderation import Outcome
from app.moderation import decisions, people
from app.moderation import services as moderation
from app.notifications import settings as notification_settings
from app.timeutil import utcnow
from app.tokens import password_token
from tests import factories
from tests.e2e import axe
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import log_in

ROLES = ("visitor", "member", "facilitator", "moderator", "admin")
EVERYONE = ROLES
VISITOR = ("visitor",)
MEMBERS = ("member", "facilitator", "moderator", "admin")
FACILITATORS = ("facilitator", "admin")
MODERATORS = ("moderator", "admin")
ADMIN = ("admin",)
# Pages for people who are not logged in (applying, a forgotten password, links from emails).
# Logged in, they are the same page under the header, which every other page checks per role.
OUTSIDE = ("visitor", "member")
# The member is the author and owner of what only an author or owner may change.
OWNER = ("member",)
# Who logs in as each role (the visitor does not).
PEOPLE = {
    "member": ("Amara Okafor", Role.MEMBER),
    "facilitator": ("Priya Shah", Role.FACILITATOR),
    "moderator": ("Tom Byrne", Role.MODERATOR),
    "admin": ("Jo Mensah", Role.ADMIN),
}


@dataclass
class World:
    """Ids of the objects the pages show, built once for the module."""

    emails: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["ids"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(app) -> World:
    """A series with a past, a running and an upcoming meeting; boards with questions, replies
    and votes; agendas (published, with outcomes, and a draft); actions for review; a flagged
    post in the moderation queue and a decision the member may appeal; an application; a
    warning and notifications for the member; a published meeting summary."""
    world = World()
    ids = world.ids
    now = utcnow()
    with app.app_context():
        person = {
            role: factories.user(name=name, roles=roles | Role.MEMBER)
            for role, (name, roles) in PEOPLE.items()
        }
        world.emails = {role: user.email for role, user in person.items()}
        amara, priya, tom = person["member"], person["facilitator"], person["moderator"]
        rhys = factories.user(name="Rhys Evans", password=None)
        ids["rhys"] = rhys.id
        series = factories.series(themes=("Holistic approach", "Sharing power"))
        ids["series"], ids["theme"] = series.id, series.themes[0].id

        # Before: a meeting in a fortnight (its board open for questions), after: one that
        # ended a fortnight ago, during: one running now (its pages poll a live notice).
        past = factories.meeting(
            series_=series, title="Taking a holistic approach", starts_in=-timedelta(days=14)
        )
        running_now = factories.meeting(
            series_=series, title="Root causes of injustice", starts_in=-timedelta(minutes=30)
        )
        upcoming = factories.meeting(
            series_=series, title="Sharing power", starts_in=timedelta(days=14)
        )
        draft = factories.meeting(
            series_=series,
            title="Improved use of data",
            starts_in=timedelta(days=42),
            status=MeetingStatus.DRAFT,
        )
        ids.update(past=past.id, running=running_now.id, upcoming=upcoming.id, draft=draft.id)
        ids.update(
            past_board=past.boards[0].id,
            running_board=running_now.boards[0].id,
            board=upcoming.boards[0].id,
        )

        # The past meeting: questions (one reached, one not), a published agenda with an
        # outcome, an action from it, and a published summary.
        reached = factories.thread(
            past.boards[0],
            rhys,
            title="How do we join up health and skills?",
            now=now - timedelta(days=20),
        )
        missed = factories.thread(
            past.boards[0],
            amara,
            title="Who funds the joined-up work?",
            now=now - timedelta(days=19),
        )
        factories.vote(reached, amara)
        factories.reply(
            reached,
            amara,
            body="In our town the NHS trust co-funds a post.",
            now=now - timedelta(days=18),
        )
        ids["missed"] = missed.id
        agenda.add_free_item(
            past, *agenda.PRESETS["welcome"][:2], first=True, now=now - timedelta(days=17)
        )
        item, _ = agenda.add_question(past, reached, now=now - timedelta(days=17))
        agenda.publish(past, priya, now=now - timedelta(days=16))
        item.started_at = past.starts_at
        running.set_status(item, "discussed")
        running.save_outcome(item, "Three councils will compare their joint posts.")
        action = factories.action(
            amara, title="Compare joint health and skills posts", source=("meeting", past.id)
        )
        ids["action"] = action.id
        factories.action(
            rhys,
            title="Ask the trust about co-funding",
            owners=[amara],
            source=("meeting", past.id),
            status="in_progress",
        )
        insights.save_narrative(past, "We agreed to **join up** our evidence.", priya, 0)
        insights.pin(reached, priya)
        insights.publish(past, insight_queries.meeting_report(past, now.date()), priya)

        # The running meeting: a question, an agenda being presented.
        live_question = factories.thread(
            running_now.boards[0], rhys, title="Should we look back as well as forward?"
        )
        item_now = agenda.add_free_item(running_now, *agenda.PRESETS["welcome"][:2], first=True)
        agenda.add_question(running_now, live_question)
        agenda.publish(running_now, priya)
        running.start_item(item_now.agenda, item_now)

        # The upcoming meeting: a question with nested replies and votes, a discussion by the
        # member (edited, so it has a revision), a flagged post, a draft agenda.
        board = upcoming.boards[0]
        question = factories.thread(
            board,
            rhys,
            title="How do we share power beyond a single mayor?",
            body="Our combined authority has one leader and little else.",
            now=now - timedelta(days=2),
        )
        first = factories.reply(
            question, amara, body="Neighbourhood forums with budgets.", now=now - timedelta(days=2)
        )
        factories.reply(first, rhys, body="Which budgets, though?", now=now - timedelta(days=1))
        factories.vote(question, amara)
        factories.vote(question)
        ids.update(question=question.id, reply=first.id)
        own = factories.thread(
            board,
            amara,
            kind="discussion",
            title="Tools for sharing decisions",
            body="What have you tried?",
            now=now - timedelta(days=3),
        )
        boards.edit_post(own, amara, title=own.title, body="What have you tried? Any *data*?")
        ids["own"] = own.id
        ids["fresh"] = factories.thread(board, rhys, title="Who sits on the new town board?").id
        flagged = factories.thread(board, rhys, title="Is the town deal reaching the estates?")
        moderation.flag_post(flagged, amara, FlagReason.OFF_TOPIC, "Not about power.")
        ids["flagged"] = flagged.id
        hidden = factories.reply(question, amara, body="Everyone at the council is useless.")
        decided = decisions.decide(
            hidden,
            tom,
            Outcome.HIDDEN,
            "Please criticise ideas, not people.",
        )
        ids["decision"] = decided.event.id
        people.warn(amara, tom, "Please keep to the guidelines.", post=hidden)
        welcome = agenda.add_free_item(upcoming, *agenda.PRESETS["welcome"][:2], first=True)
        agenda.add_question(upcoming, question)
        ids["agenda_item"] = welcome.id
        registration.register(upcoming, amara)

        factories.notification(amara, post=first, actor=rhys, text="Rhys Evans replied to you")
        application = factories.application(name="Sam Patel")
        ids["application"] = application.id
        world.tokens = {
            "application": application.status_token,
            "reset": password_token(amara, auth.RESET),
            "welcome": password_token(rhys, auth.WELCOME),
            "unsubscribe": notification_settings.unsubscribe_token(amara.id, "all"),
        }
        db.session.commit()
    return world


@dataclass(frozen=True)
class Page:
    """A page to check: its endpoint, the URL values it needs, who may see it, and the status
    it answers with."""

    endpoint: str
    values: Callable[[World], dict] | None = None  # url_for values
    roles: tuple[str, ...] = EVERYONE
    variant: str = ""
    status: int = 200

    @property
    def id(self) -> str:
        return self.endpoint + (f"[{self.variant}]" if self.variant else "")


def _v(**names):
    """URL values read from the world: _v(meeting_id="past") gives {"meeting_id": world.past}."""

    return lambda world: {key: getattr(world, name) for key, name in names.items()}


def _token(kind):
    return lambda world: {"token": world.tokens[kind]}


PAGES = [
    # Public
    Page("main.home"),
    Page("meetings.index"),
    Page("meetings.series", _v(series_id="series")),
    Page("meetings.meeting", _v(meeting_id="upcoming"), variant="before"),
    Page("meetings.meeting", _v(meeting_id="running"), variant="during"),
    Page("meetings.meeting", _v(meeting_id="past"), variant="after"),
    Page("boards.theme", _v(theme_id="theme")),
    Page("boards.board", _v(board_id="board"), variant="before"),
    Page("boards.board", _v(board_id="running_board"), variant="during"),
    Page("boards.board", _v(board_id="past_board"), variant="after"),
    Page("boards.thread", _v(post_id="question")),
    Page("boards.similar", lambda w: {"board_id": w.board, "title": "power mayor"}),
    Page("agenda.agenda", _v(meeting_id="upcoming"), variant="draft"),
    Page("agenda.agenda", _v(meeting_id="past"), variant="published"),
    Page("agenda.pack", _v(meeting_id="past")),
    Page("search.index", lambda w: {"q": "power"}),
    Page("community.criteria"),
    Page("community.guidelines"),
    Page("community.apply", roles=OUTSIDE),
    Page("community.application_status", _token("application"), OUTSIDE),
    # Logged in, the log-in page sends people home.
    Page("auth.login", roles=VISITOR),
    Page("auth.forgot_password", roles=OUTSIDE),
    Page("auth.reset_password", _token("reset"), OUTSIDE),
    Page("auth.reset_password", lambda w: {"token": "expired"}, OUTSIDE, "invalid", 400),
    Page("auth.welcome", _token("welcome"), OUTSIDE),
    Page("notifications.unsubscribe", _token("unsubscribe"), OUTSIDE),
    # Members
    Page("auth.profile", roles=MEMBERS),
    Page("auth.edit_profile", roles=MEMBERS),
    Page("auth.change_password", roles=MEMBERS),
    Page("account.close", roles=MEMBERS),
    Page("community.member", _v(user_id="rhys"), MEMBERS),
    Page("boards.reply_form", _v(post_id="question"), MEMBERS),
    Page("boards.edit", _v(post_id="own"), OWNER),
    Page("boards.remove", _v(post_id="own"), OWNER),
    Page("boards.revisions", _v(post_id="own"), OWNER + MODERATORS),
    Page("moderation.flag", _v(post_id="question"), MEMBERS),
    Page("moderation.mine", roles=MEMBERS),
    Page("moderation.appeal", _v(event_id="decision"), OWNER),
    Page("moderation.report", roles=MEMBERS),
    Page("notifications.index", roles=MEMBERS),
    Page("notifications.settings", roles=MEMBERS),
    Page("actions.board", roles=MEMBERS),
    Page("actions.mine", roles=MEMBERS),
    Page("actions.new", roles=MEMBERS),
    Page("actions.action", _v(action_id="action"), MEMBERS),
    Page("actions.edit", _v(action_id="action"), FACILITATORS),
    Page("actions.drop", _v(action_id="action"), OWNER + FACILITATORS),
    Page("insights.summary", _v(meeting_id="past"), MEMBERS),
    # Facilitators
    Page("meetings.new_series", roles=FACILITATORS),
    Page("meetings.create", _v(series_id="series"), FACILITATORS),
    Page("meetings.edit", _v(meeting_id="upcoming"), FACILITATORS),
    Page("meetings.cancel", _v(meeting_id="upcoming"), FACILITATORS),
    Page("meetings.meeting", _v(meeting_id="draft"), FACILITATORS, "draft"),
    Page("meetings.registrants", _v(meeting_id="upcoming"), FACILITATORS),
    Page("agenda.edit_item", _v(meeting_id="upcoming", item_id="agenda_item"), FACILITATORS),
    Page("agenda.present", _v(meeting_id="running"), FACILITATORS),
    Page("agenda.carry", _v(meeting_id="past", post_id="missed"), FACILITATORS),
    Page("actions.review", _v(meeting_id="upcoming"), FACILITATORS),
    Page("community.applications", roles=FACILITATORS),
    Page("community.application", _v(application_id="application"), FACILITATORS),
    Page("insights.series", _v(series_id="series"), FACILITATORS),
    Page("insights.meeting", _v(meeting_id="past"), FACILITATORS),
    # Moderators
    Page("moderation.queue", roles=MODERATORS),
    Page("moderation.item", _v(post_id="flagged"), MODERATORS),
    Page("moderation.redact", _v(post_id="flagged"), MODERATORS),
    Page("moderation.person", _v(user_id="rhys"), MODERATORS),
    Page("moderation.trail", roles=MODERATORS),
    # Admins
    Page("admin.index", roles=ADMIN),
    Page("admin.people", roles=ADMIN),
    Page("admin.roles", _v(user_id="rhys"), ADMIN),
    Page("admin.edit_text", lambda w: {"key": "about"}, ADMIN),
]

# GET endpoints that are not pages a person reads, each with the reason. Fragments polled or
# swapped in are checked in place: the live notices on the "during" pages above, the rest by
# the swap tests below.
NOT_PAGES = {
    "static": "stylesheets, scripts and images",
    "main.healthz": "plain-text health check for the load balancer",
    "account.export": "JSON download of the member's own data",
    "actions.export": "CSV download",
    "insights.meeting_csv": "CSV download",
    "insights.series_csv": "CSV download",
    "meetings.registrants_csv": "CSV download",
    "moderation.trail_csv": "CSV download",
    "meetings.calendar": "iCalendar download",
    "meetings.feed": "iCalendar feed",
    "agenda.minutes_md": "Markdown download",
    "agenda.pack_md": "Markdown download",
    "boards.live": "live notice polled by the board page (checked on boards.board[during])",
    "boards.thread_live": "live notice polled by a thread page while its meeting runs",
    "agenda.live": "current-item notice polled by the meeting page (meetings.meeting[during])",
    "notifications.bell": "unread count polled by the header on every member's page",
    "boards.threads": "htmx-only next page of threads; a plain GET redirects to boards.board",
    "insights.pins": "htmx-only pins list; a plain GET redirects to insights.meeting",
}


# Fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(module_live_app):
    return build_world(module_live_app)


@pytest.fixture(scope="module")
def tabs(browser, browser_context_args, module_live_server, world):
    """One page per role, logged in once (the visitor's is logged out), reused by every test."""
    opened = {}

    def tab(role):
        if role not in opened:
            context = browser.new_context(**browser_context_args)
            axe.install(context)
            page = context.new_page()
            if role != "visitor":
                log_in(page, module_live_server.url, world.emails[role])
            opened[role] = page
        return opened[role]

    yield tab
    for page in opened.values():
        page.context.close()


def page_url(app, page: Page, world: World) -> str:
    values = page.values(world) if page.values else {}
    with app.test_request_context():
        return url_for(page.endpoint, **values)


# The walk ------------------------------------------------------------------------------------


def test_every_get_endpoint_is_walked_or_excluded(module_live_app):
    endpoints = {
        rule.endpoint for rule in module_live_app.url_map.iter_rules() if "GET" in rule.methods
    }
    walked = {page.endpoint for page in PAGES}
    assert walked & NOT_PAGES.keys() == set()
    assert endpoints - walked - NOT_PAGES.keys() == set(), "add these to PAGES or NOT_PAGES"
    assert (walked | NOT_PAGES.keys()) - endpoints == set(), "these endpoints are gone"
    ids = [page.id for page in PAGES]
    assert len(ids) == len(set(ids))


WALK = [(role, page) for role in ROLES for page in PAGES if role in page.roles]


@pytest.mark.parametrize(("role", "page"), WALK, ids=[f"{r}-{p.id}" for r, p in WALK])
def test_page_has_no_serious_violations(
    role, page, tabs, world, module_live_app, module_live_server
):
    tab = tabs(role)
    url = page_url(module_live_app, page, world)
    response = tab.goto(module_live_server.url + url)
    assert response.status == page.status, f"{role} got {response.status} from {url}"
    assert urlsplit(tab.url).path == urlsplit(url).path, f"{role} was sent on to {tab.url}"
    assert_accessible(tab)


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [("visitor", "/meetings/999999", 404), ("member", "/admin/", 403)],
    ids=["not-found", "forbidden"],
)
def test_error_pages_have_no_serious_violations(role, path, status, tabs, module_live_server):
    tab = tabs(role)
    assert tab.goto(module_live_server.url + path).status == status
    assert_accessible(tab)


# After htmx swaps: axe on the swapped region, then on the whole page (a swap can duplicate
# ids or leave a stale live region). Each swap's result is awaited before axe runs.


def _after_swap(tab, region: str) -> None:
    assert_accessible(tab, region)
    assert_accessible(tab)


def _open(tab, server, path: str) -> None:
    tab.goto(server.url + path)
    assert_accessible(tab)


def test_voting_swaps(tabs, world, module_live_server):
    tab = tabs("member")
    _open(tab, module_live_server, f"/boards/{world.board}")
    vote = tab.locator(f"#vote-{world.question}")
    pressed = vote.get_attribute("aria-pressed")
    for _ in range(2):
        vote.click()
        expect(vote).not_to_have_attribute("aria-pressed", pressed)
        expect(tab.locator("#sr-status")).not_to_be_empty()
        _after_swap(tab, f"#thread-{world.question}")
        pressed = vote.get_attribute("aria-pressed")


def test_posting_a_question_swaps(tabs, world, module_live_server):
    tab = tabs("member")
    _open(tab, module_live_server, f"/boards/{world.board}")
    # Nothing filled in: the form comes back (422) with its error summary.
    tab.locator("#new-thread-submit").click()
    expect(tab.locator("#new-thread-form .error-summary")).to_be_focused()
    _after_swap(tab, "#new-thread-form")
    tab.locator("#kind-0").check()
    tab.locator("#title").fill("Can a parish council hold real power?")
    tab.locator("#new-thread-submit").click()
    new_post = tab.locator("article[id^=post-]", has_text="Can a parish council hold")
    expect(new_post).to_be_focused()
    _after_swap(tab, "#new-thread-form")


def test_replying_and_flagging_swaps(tabs, world, module_live_server):
    tab = tabs("member")
    _open(tab, module_live_server, f"/boards/threads/{world.question}")
    tab.locator(f"#reply-form-{world.question} textarea").fill("Ward budgets, in our case.")
    tab.locator(f"#reply-submit-{world.question}").click()
    reply = tab.locator("article[id^=post-]", has_text="Ward budgets, in our case.")
    expect(reply).to_be_focused()
    _after_swap(tab, f"#reply-form-{world.question}")

    _open(tab, module_live_server, f"/boards/threads/{world.fresh}")
    tab.locator(f"a#flag-{world.fresh}").click()
    expect(tab.locator(f"#flag-{world.fresh} summary")).to_be_focused()
    expect(tab.locator(f"#flag-form-{world.fresh}")).to_be_visible()
    _after_swap(tab, f"#flag-{world.fresh}")
    tab.locator(f"#flag-{world.fresh}-reason-0").check()
    tab.locator(f"#flag-send-{world.fresh}").click()
    expect(tab.locator(f"#flag-{world.fresh}")).to_contain_text("You reported this post")
    _after_swap(tab, f"#flag-{world.fresh}")


def test_registration_swaps(tabs, world, module_live_server):
    tab = tabs("member")
    _open(tab, module_live_server, f"/meetings/{world.upcoming}")
    button = tab.locator(f"#registration-{world.upcoming}-button")
    expect(button).to_have_text("Cancel my registration")
    button.click()
    expect(button).to_have_text("Register")
    _after_swap(tab, f"#registration-{world.upcoming}")
    button.click()
    expect(button).to_have_text("Cancel my registration")
    _after_swap(tab, f"#registration-{world.upcoming}")


def test_agenda_swaps(tabs, world, module_live_server):
    tab = tabs("facilitator")
    _open(tab, module_live_server, f"/agenda/{world.upcoming}")
    items = tab.locator("#agenda-items li[id^=agenda-item-]")
    before = items.count()
    tab.locator(f"#add-{world.fresh}").click()
    expect(items).to_have_count(before + 1)
    _after_swap(tab, "#agenda-items")
    added = items.nth(before)
    item_id = re.search(r"\d+", added.get_attribute("id")).group()
    tab.locator(f"#move-up-{item_id}").click()
    expect(tab.locator("#sr-status")).to_contain_text(f"position {before} of {before + 1}")
    _after_swap(tab, "#agenda-items")


def test_action_status_swaps(tabs, world, module_live_server):
    tab = tabs("member")
    _open(tab, module_live_server, "/actions/mine")
    card = f"#action-{world.action}"
    tab.locator(f"#a{world.action}-status").select_option("in_progress")
    tab.locator(f"#move-{world.action}").click()
    expect(tab.locator(f"{card} .action-status")).to_have_text("In progress")
    _after_swap(tab, card)
