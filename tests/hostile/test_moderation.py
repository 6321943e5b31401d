"""Hostile reports, decisions, appeals, redactions, warnings and suspensions: the moderators'
queue, item, person and trail pages, and what the member concerned sees."""

import pytest

from app.models import Role
from tests.conftest import client_as, log_in
from tests.hostile.checks import Shown, assert_text_shown
from tests.hostile.corpus import PAYLOADS
from tests.hostile.seeding import MODERATION_MARKDOWN, RECORD_FIELDS, moderation_world, reached


@pytest.fixture(scope="module")
def moderated(seed):
    return seed(moderation_world)


@pytest.fixture(scope="module")
def world(moderated):
    return moderated.items


def _shown(item, *names) -> list[Shown]:
    shown = []
    for name in names:
        payload, text = item.texts[name]
        make = Shown.markdown if name in MODERATION_MARKDOWN else Shown.plain
        shown.append(make(payload, name, text))
    return shown


# The reasons a member's moderation record lists (the trail, their page, the person page).
REASONS = ("decision reason", "appeal reason", "suspension reason", "lift reason")
DECIDED = {
    "appealed": ["decision reason", "appeal reason"],
    "redacted": ["decision reason", "redacted title", "redacted body"],
    "suspended": ["decision reason"],
    "reported": [],
}


def test_the_item_page_shows_everything_about_a_post(world_app, world, read):
    moderator = read(client_as(world_app, Role.MODERATOR))
    for item in world:
        shown = _shown(item, "name", "title", "body", *DECIDED[item.fate])
        if item.fate == "reported":
            shown += [Shown.plain(p, "flag note", note) for p, note in item.texts["flag notes"]]
        moderator.shows(f"/moderation/posts/{item.post_id}", shown)


def test_the_redact_and_report_forms_show_the_post(world_app, moderated, read):
    """The moderator's redact form holds the text as written; a member's report form quotes the
    post. Reported posts are hidden by then (four reports), so both are read on the unreported
    questions, and the report form on the redacted posts too."""
    moderator = read(client_as(world_app, Role.MODERATOR))
    member = read(client_as(world_app, Role.MEMBER))
    for question in moderated.unreported:
        title = Shown.plain(question.payload, "title", question.title)
        page = moderator.shows(
            f"/moderation/posts/{question.id}/redact",
            [Shown.plain(question.payload, "body as typed", question.body)],
        )
        assert question.title in {dict(e.attrs).get("value") for e in page.elements}
        member.shows(
            f"/moderation/posts/{question.id}/flag",
            [title, Shown.markdown(question.payload, "body", question.body)],
        )
    redacted = [i for i in moderated.items if i.fate == "redacted"] + moderated.records
    for item in redacted:
        member.shows(
            f"/moderation/posts/{item.post_id}/flag",
            _shown(item, "redacted title", "redacted body"),
        )


def test_the_queue_and_the_trail(world_app, moderated, read):
    """The queue lists the records' posts (appealed) with everything a record holds: the appeal,
    the decision appealed, the post as redacted, the report, and the earlier decisions (the
    suspension and its lifting); so every payload is read there in each of those fields."""
    world, records = moderated.items, moderated.records
    moderator = read(client_as(world_app, Role.MODERATOR))
    queued = [i for i in world if i.fate in ("appealed", "reported")]
    text = moderator.pages("/moderation/")
    expected = [s for i in queued for s in _shown(i, "title", "body")]
    expected += [s for r in records for s in _shown(r, *RECORD_FIELDS)]
    assert_text_shown(text, expected, "queue")
    for name in RECORD_FIELDS:
        assert reached(r.texts[name] for r in records) == set(PAYLOADS), name
    text = moderator.pages("/moderation/trail")
    expected = [s for i in world for s in _shown(i, "warning", *DECIDED[i.fate][:1])]
    expected += [s for r in records for s in _shown(r, *REASONS)]
    assert_text_shown(text, expected, "trail")


def test_the_person_page(world_app, moderated, read):
    moderator = read(client_as(world_app, Role.MODERATOR))
    for item in moderated.items:
        names = ["name", "warning"]
        if item.fate in ("suspended", "reported"):
            names.append("suspension reason")
        if item.fate == "reported":
            names.append("lift reason")
        moderator.shows(f"/moderation/people/{item.author_id}", _shown(item, *names))
    for record in moderated.records:
        moderator.shows(f"/moderation/people/{record.author_id}", _shown(record, *REASONS))


def test_what_the_member_concerned_sees(world_app, moderated, read):
    """Their decisions page, with the warning (and a suspension) in the banner on every page,
    and the page to appeal the warning (its reason the warning, and the post's title) and the
    decision about the post (already appealed: 409, with the decision kept on the page). The
    records' members: their decisions page (the redaction, the suspension and its lifting)."""
    client = world_app.test_client()
    member = read(client)
    for record in moderated.records:
        log_in(client, f"{record.author_id}:0")
        names = ("decision reason", "suspension reason", "lift reason")
        member.shows("/moderation/decisions", _shown(record, *names))
        member.shows(
            f"/moderation/decisions/{record.event_id}/appeal",
            _shown(record, "decision reason", "redacted title"),
            status=409,
        )
    for item in moderated.items:
        log_in(client, f"{item.author_id}:0")
        names = ["warning", *DECIDED[item.fate][:1]]
        if item.fate == "suspended":
            names.append("suspension reason")
        member.shows("/moderation/decisions", _shown(item, *names))
        title = "redacted title" if item.fate == "redacted" else "title"
        member.shows(
            f"/moderation/decisions/{item.warning_event_id}/appeal", _shown(item, "warning", title)
        )
        if item.event_id:
            member.shows(
                f"/moderation/decisions/{item.event_id}/appeal",
                _shown(item, "warning", "decision reason"),
                status=409 if item.fate == "appealed" else 200,
            )
