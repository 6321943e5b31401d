"""Hostile profiles (name, pronouns, organisation, place, bio), applications to join and their
decision notes, and the site texts admins write, on every page that shows them."""

from urllib.parse import quote

import pytest

from app.community import services as community
from app.extensions import db
from app.models import Role, User
from tests.conftest import client_as, log_in
from tests.hostile.checks import Shown, assert_text_shown
from tests.hostile.corpus import PAYLOADS
from tests.hostile.seeding import line, people_world, rotated


@pytest.fixture(scope="module")
def world(seed):
    return seed(people_world)


def _profile(person) -> list[Shown]:
    p = person.payload
    shown = [Shown.plain(p, "display name", person.name), Shown.plain(p, "bio", person.bio)]
    for name in ("pronouns", "organisation", "place"):
        if getattr(person, name):
            shown.append(Shown.plain(p, name, getattr(person, name)))
    return shown


def test_member_profiles(world_app, world, read):
    reader = read(client_as(world_app, Role.MEMBER))
    for person in world.people:
        reader.shows(f"/community/members/{person.id}", _profile(person))


def test_people_see_their_own_profile_and_its_form(world_app, world, read):
    client = world_app.test_client()
    reader = read(client)
    for person in world.people:
        log_in(client, f"{person.id}:0")
        reader.shows("/auth/profile", _profile(person))
        form = reader.page("/auth/profile/edit")
        values = {dict(e.attrs).get("value") for e in form.elements if e.tag == "input"}
        typed = {person.name} | {getattr(person, n) for n in ("pronouns", "organisation", "place")}
        assert typed - {""} <= values, f"{person.payload.id}: profile not in the form as typed"
        assert_text_shown(form.text, [Shown.plain(person.payload, "bio", person.bio)])


def test_names_in_the_admin_people_list_and_the_registrants(world_app, world, read):
    names = [Shown.plain(p.payload, "display name", p.name) for p in world.people]
    admin = read(client_as(world_app, Role.ADMIN))
    listed = admin.pages("/admin/people")
    assert_text_shown(listed, names, "admin people")
    for person in world.people:
        name = [Shown.plain(person.payload, "display name", person.name)]
        admin.shows(f"/admin/people/{person.id}/roles", name)
        # The search box echoes the name typed; the list finds the person.
        admin.shows(f"/admin/people?q={quote(person.name)}", name)
    facilitator = read(client_as(world_app, Role.FACILITATOR))
    registrants = facilitator.pages(f"/meetings/{world.meeting_id}/registrants")
    assert_text_shown(registrants, names, "registrants")


def _application(applied) -> list[Shown]:
    p = applied.payload
    shown = [
        Shown.plain(p, name, applied.fields[name])
        for name in ("name", "organisation", "place", "job_role", "criteria_statement")
    ]
    if applied.fields["decision_note"]:
        shown.append(Shown.plain(p, "decision note", applied.fields["decision_note"]))
    return shown


def test_applications_to_join(world_app, world, read):
    facilitator = read(client_as(world_app, Role.FACILITATOR))
    for applied in world.applications:
        facilitator.shows(f"/community/applications/{applied.id}", _application(applied))
    pending = [a for a in world.applications if a.status == "pending"]
    decided = [a for a in world.applications if a.status != "pending"]
    listed = facilitator.pages("/community/applications")
    assert_text_shown(listed, [_application(a)[0] for a in pending], "pending applications")
    listed = facilitator.pages("/community/applications?show=decided")
    assert_text_shown(listed, [_application(a)[0] for a in decided], "decided applications")
    # The applicant's own status page, reached with the token from their email.
    visitor = read(world_app.test_client())
    for applied in world.applications:
        shown = _application(applied)
        visitor.shows(f"/community/applications/status/{applied.token}", [shown[0], *shown[5:]])


PAGES = {
    "about": "/",
    "joining_criteria": "/community/joining",
    "guidelines": "/community/guidelines",
}


def test_site_texts_written_by_an_admin(world_app, world, read):
    """Each site text is one row: in turn each holds every payload (the three at once, each a
    different payload), read on its page and in its edit form."""
    client = client_as(world_app, Role.ADMIN)
    reader = read(client)
    for n in range(len(PAYLOADS)):
        written = {}
        for step, key in enumerate(PAGES):
            payload = rotated(PAYLOADS, n, step)
            written[key] = (payload, line(payload, 120, f"Title {payload.index}"))
        with world_app.app_context():
            admin = db.session.get(User, client.user_id)
            for key, (payload, title) in written.items():
                community.save_text(key, title, payload.text(), admin)
            db.session.commit()
        for key, (payload, title) in written.items():
            body = Shown.markdown(payload, f"{key} text", payload.text())
            reader.shows(
                PAGES[key],
                [body] + ([] if key == "about" else [Shown.plain(payload, f"{key} title", title)]),
            )
            edit = reader.page(f"/admin/texts/{key}")
            assert_text_shown(edit.text, [Shown.plain(payload, "text as typed", payload.text())])
            assert title in {dict(e.attrs).get("value") for e in edit.elements}, payload.id
