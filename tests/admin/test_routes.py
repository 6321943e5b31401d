"""The admin area: who may use it, the dashboard, people, roles and the site texts."""

import re

import pytest
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import ApplicationStatus, AuditEvent, Role, SiteText, User

HTMX = {"HX-Request": "true"}


def _events(*actions) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        )
    )


def _admin_requests(user_id: int):
    return [
        ("get", "/admin/", None),
        ("get", "/admin/people", None),
        ("get", f"/admin/people/{user_id}/roles", None),
        ("post", f"/admin/people/{user_id}/roles", {"roles": ["member", "admin"]}),
        ("get", "/admin/texts/about", None),
        ("post", "/admin/texts/about", {"title": "Hacked", "body": "Hacked"}),
    ]


# Permissions -------------------------------------------------------------------------------


def test_visitors_are_sent_to_log_in(client, make):
    person = make.user()
    db.session.commit()
    for method, url, data in _admin_requests(person.id):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302, url
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["member_client", "facilitator_client", "moderator_client"])
def test_other_roles_are_refused(request, make, who):
    client = request.getfixturevalue(who)
    person = make.user()
    db.session.commit()
    for method, url, data in _admin_requests(person.id):
        assert getattr(client, method)(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert Role(db.session.get(User, person.id).roles) == Role.MEMBER
    assert db.session.get(SiteText, "about") is None


def test_unknown_person_or_text_is_404(admin_client, ctx):
    assert admin_client.get("/admin/people/999/roles").status_code == 404
    assert admin_client.post("/admin/people/999/roles", data={"roles": "member"}).status_code == 404
    assert admin_client.get("/admin/texts/no_such_text").status_code == 404
    response = admin_client.post("/admin/texts/no_such_text", data={"title": "T", "body": "B"})
    assert response.status_code == 404


# Dashboard ---------------------------------------------------------------------------------


def test_dashboard_links_people_texts_and_pending_count(admin_client, make):
    make.application()
    make.application()
    make.application(status=ApplicationStatus.DECLINED)
    make.site_text("guidelines", title="House rules")
    db.session.commit()
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/community/applications"' in page
    assert "2 waiting for a decision" in page
    assert 'href="/admin/people"' in page
    for key in ("about", "joining_criteria", "guidelines"):
        assert f'href="/admin/texts/{key}"' in page
    assert "House rules" in page


# People ------------------------------------------------------------------------------------


def test_people_lists_accounts_with_roles_and_links(admin_client, make):
    person = make.user(name="Amara Okafor", roles=Role.MEMBER | Role.MODERATOR)
    db.session.commit()
    page = admin_client.get("/admin/people").get_data(as_text=True)
    row = re.search(rf'<tr id="person-{person.id}">(.*?)</tr>', page, re.S).group(1)
    assert "Amara Okafor" in row and person.email in row
    assert '<strong class="tag">Member</strong>' in row
    assert '<strong class="tag">Moderator</strong>' in row
    assert f'href="/admin/people/{person.id}/roles"' in row


def test_people_search_by_name_or_email(admin_client, make):
    make.user(name="Amara Okafor", email="amara@north.example")
    make.user(name="Rhys Evans", email="rhys@valley.example")
    make.user(name="100% Sure", email="sure@example.org")
    db.session.commit()
    page = admin_client.get("/admin/people?q=okafor").get_data(as_text=True)
    assert "Amara Okafor" in page and "Rhys Evans" not in page
    page = admin_client.get("/admin/people?q=VALLEY.example").get_data(as_text=True)
    assert "Rhys Evans" in page and "Amara Okafor" not in page
    page = admin_client.get("/admin/people?q=%25").get_data(as_text=True)  # a literal "%"
    assert "100% Sure" in page and "Rhys Evans" not in page
    page = admin_client.get("/admin/people?q=nobody-here").get_data(as_text=True)
    assert "No one matches that search." in page


def test_people_filter_by_role(admin_client, make):
    make.user(name="Priya Facilitator", roles=Role.MEMBER | Role.FACILITATOR)
    make.user(name="Plain Member")
    db.session.commit()
    page = admin_client.get("/admin/people?role=facilitator").get_data(as_text=True)
    assert "Priya Facilitator" in page and "Plain Member" not in page
    # The admin can act as a facilitator but was not granted the role.
    assert f'<tr id="person-{admin_client.user_id}">' not in page
    assert "with the Facilitator role" in page
    page = admin_client.get("/admin/people?role=wizard").get_data(as_text=True)
    assert "Priya Facilitator" in page and "Plain Member" in page  # unknown role: no filter


def test_people_is_paginated_25_a_page(admin_client, make):
    for n in range(30):
        make.user(name=f"Person {n:02}", password=None)
    db.session.commit()
    first = admin_client.get("/admin/people").get_data(as_text=True)
    assert first.count('<tr id="person-') == 25
    second = admin_client.get("/admin/people?page=2").get_data(as_text=True)
    assert second.count('<tr id="person-') == 6  # 30 + the admin
    assert "(page 2 of 2)" in second


def test_people_query_count_does_not_grow_with_rows(admin_client, make, count_queries):
    def add(n):
        for _ in range(n):
            make.user(roles=Role.MEMBER | Role.FACILITATOR, password=None)
        db.session.commit()

    add(2)
    with count_queries() as few:
        assert admin_client.get("/admin/people?role=member").status_code == 200
    add(27)
    with count_queries() as many:
        page = admin_client.get("/admin/people?role=member").get_data(as_text=True)
    assert page.count('<tr id="person-') == 25
    assert few.count == many.count, many.statements


# Roles -------------------------------------------------------------------------------------


def test_roles_page_ticks_held_roles(admin_client, make):
    person = make.user(roles=Role.MEMBER | Role.MODERATOR)
    db.session.commit()
    page = admin_client.get(f"/admin/people/{person.id}/roles").get_data(as_text=True)
    checked = set(re.findall(r'<input checked[^>]*value="(\w+)"', page)) | set(
        re.findall(r'<input[^>]*value="(\w+)"[^>]*checked', page)
    )
    assert checked == {"member", "moderator"}
    assert "<legend" in page and "No role changes recorded yet." in page


def test_granting_and_revoking_roles_is_audited(admin_client, make):
    person = make.user(roles=Role.MEMBER | Role.MODERATOR)
    db.session.commit()
    response = admin_client.post(
        f"/admin/people/{person.id}/roles", data={"roles": ["member", "facilitator"]}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/people/{person.id}/roles")
    db.session.expire_all()
    assert Role(db.session.get(User, person.id).roles) == Role.MEMBER | Role.FACILITATOR
    events = _events("role.granted", "role.revoked")
    assert [(e.action, e.detail) for e in events] == [
        ("role.granted", "Facilitator"),
        ("role.revoked", "Moderator"),
    ]
    assert all(
        e.subject_user_id == person.id and e.actor_id == admin_client.user_id for e in events
    )
    assert all(e.subject_type == "user" and e.subject_id == person.id for e in events)

    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Roles saved for" in page and "granted Facilitator; removed Moderator" in page
    history = re.search(r'<table class="table" id="role-history-\d+">(.*?)</table>', page, re.S)
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", history.group(1), re.S)
    assert len(rows) == 2
    assert "Jo Mensah" in rows[0]


def test_saving_the_same_roles_changes_nothing(admin_client, make):
    person = make.user(roles=Role.MEMBER)
    db.session.commit()
    response = admin_client.post(f"/admin/people/{person.id}/roles", data={"roles": ["member"]})
    assert response.status_code == 302
    assert _events("role.granted", "role.revoked") == []
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No change" in page


def test_admin_cannot_remove_their_own_admin_role(admin_client, ctx):
    response = admin_client.post(
        f"/admin/people/{admin_client.user_id}/roles", data={"roles": ["member"]}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("You cannot remove your own admin role") == 2
    assert 'href="#roles-0"' in page
    assert Role(db.session.get(User, admin_client.user_id).roles) & Role.ADMIN
    assert _events("role.granted", "role.revoked") == []


def test_admin_may_remove_another_admins_role(admin_client, make):
    other = make.user(roles=Role.MEMBER | Role.ADMIN)
    db.session.commit()
    response = admin_client.post(f"/admin/people/{other.id}/roles", data={"roles": ["member"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert Role(db.session.get(User, other.id).roles) == Role.MEMBER


def test_unknown_role_value_is_refused(admin_client, make):
    person = make.user()
    db.session.commit()
    response = admin_client.post(f"/admin/people/{person.id}/roles", data={"roles": ["wizard"]})
    assert response.status_code == 422
    db.session.expire_all()
    assert Role(db.session.get(User, person.id).roles) == Role.MEMBER


def test_role_history_is_newest_first_and_limited_to_50(admin_client, make):
    person = make.user()
    actor = make.user(name="Old Admin", roles=Role.ADMIN)
    for n in range(55):
        audit.record(actor, "role.granted", "user", person.id, subject_user=person, detail=f"R{n}")
    audit.record(actor, "application.approved", "application", 1, subject_user=person)
    db.session.commit()
    page = admin_client.get(f"/admin/people/{person.id}/roles").get_data(as_text=True)
    history = re.search(r'id="role-history-\d+">(.*?)</table>', page, re.S).group(1)
    details = re.findall(r"<td>(R\d+) granted</td>", history)
    assert len(details) == 50
    assert details[0] == "R54" and details[-1] == "R5"


def test_roles_with_htmx_swap_the_fragment_and_announce(admin_client, make):
    person = make.user(name="Rhys Evans")
    db.session.commit()
    response = admin_client.post(
        f"/admin/people/{person.id}/roles",
        data={"roles": ["member", "moderator"]},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith(f'<div class="roles" id="roles-{person.id}">')
    assert f'id="roles-{person.id}-save"' in body  # focus stays on the same button
    oob = re.search(r'<div hx-swap-oob="innerHTML:#sr-status">(.*?)</div>', body, re.S).group(1)
    assert "Roles saved for Rhys Evans: granted Moderator." in oob
    assert "Moderator granted" in body  # the history in the fragment is up to date
    assert "autofocus" not in body  # announce, never both


def test_roles_refusal_with_htmx_is_a_422_fragment(admin_client, ctx):
    response = admin_client.post(
        f"/admin/people/{admin_client.user_id}/roles", data={"roles": ["member"]}, headers=HTMX
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith(f'<div class="roles" id="roles-{admin_client.user_id}">')
    assert 'class="error-summary"' in body and "<title>Error: " in body


# Site texts --------------------------------------------------------------------------------


def test_edit_text_form_starts_from_the_default(admin_client, ctx):
    page = admin_client.get("/admin/texts/joining_criteria").get_data(as_text=True)
    assert 'value="Joining criteria"' in page
    assert "work for or with a particular place" in page


def test_edit_text_saves_renders_records_and_audits(admin_client, make):
    make.site_text("joining_criteria", title="Old title", body="Old body")
    db.session.commit()
    page = admin_client.get("/admin/texts/joining_criteria").get_data(as_text=True)
    assert 'value="Old title"' in page and "Old body" in page
    response = admin_client.post(
        "/admin/texts/joining_criteria",
        data={"title": "Who can join", "body": "You **work for a place**.\r\n\r\n- Honest"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/community/joining")
    db.session.expire_all()
    text = db.session.get(SiteText, "joining_criteria")
    assert text.title == "Who can join"
    assert (
        text.body_html
        == "<p>You <strong>work for a place</strong>.</p>\n<ul>\n<li>Honest</li>\n</ul>"
    )
    assert text.updated_by_id == admin_client.user_id
    [event] = _events("text.updated")
    assert event.detail == "joining_criteria" and event.actor_id == admin_client.user_id
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>work for a place</strong>" in page and "Who can join saved." in page


def test_edit_about_text_shows_on_the_home_page(admin_client, ctx):
    response = admin_client.post(
        "/admin/texts/about", data={"title": "About", "body": "We meet *online*."}
    )
    assert response.headers["Location"].endswith("/")
    assert "We meet <em>online</em>." in admin_client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"title": "", "body": "Text"}, "Enter a title", "title"),
        ({"title": "t" * 121, "body": "Text"}, "Title must be 120 characters or fewer", "title"),
        ({"title": "Title", "body": "  "}, "Enter the text", "body"),
        ({"title": "Title", "body": "b" * 20001}, "Text must be 20000 characters or fewer", "body"),
    ],
)
def test_edit_text_errors(admin_client, ctx, data, message, field):
    response = admin_client.post("/admin/texts/guidelines", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(message) == 2
    assert f'href="#{field}"' in page and "<title>Error: " in page
    assert db.session.get(SiteText, "guidelines") is None
    assert _events("text.updated") == []
