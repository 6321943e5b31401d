"""Each person's own profile: showing it, editing it, and who may do either."""

import pytest

from app.models import Role
from tests.auth.conftest import log_in

PROFILE_FORM = {
    "display_name": "Amara Okafor",
    "pronouns": "she/her",
    "organisation": "Northtown Community Trust",
    "place": "Northtown",
    "bio": "Runs a community hub.",
}


@pytest.fixture
def amara(client, people):
    """Amara, logged in through the form."""
    user = people.add(
        email="amara@example.org",
        name="Amara Okafor",
        roles=Role.MEMBER | Role.FACILITATOR,
        organisation="Northtown Community Trust",
        place="Northtown",
        pronouns="she/her",
        bio="<script>alert('hi')</script> & more\nSecond line\n\nA new paragraph",
    )
    log_in(client, "amara@example.org")
    return user


def test_profile_shows_the_persons_own_details(client, amara):
    response = client.get("/auth/profile")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "Amara Okafor",
        "amara@example.org",
        "Northtown Community Trust",
        "Northtown",
        "she/her",
        "Member, Facilitator",
    ):
        assert text in page
    assert 'href="/auth/profile/edit"' in page
    assert 'href="/auth/change-password"' in page


def test_profile_bio_is_escaped_and_keeps_line_breaks(client, amara):
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; &amp; more<br>Second line</p>" in page
    assert "<p>A new paragraph</p>" in page


def test_empty_profile_fields_say_so(client, people):
    people.add(email="rhys@example.org")
    log_in(client, "rhys@example.org")
    page = client.get("/auth/profile").get_data(as_text=True)
    assert page.count("Not given") == 4  # pronouns, organisation, place and bio


def test_edit_form_is_filled_in(client, amara):
    page = client.get("/auth/profile/edit").get_data(as_text=True)
    assert 'value="Amara Okafor"' in page and 'value="Northtown Community Trust"' in page
    assert "Second line" in page
    assert "novalidate" in page and 'autocomplete="name"' in page


def test_edit_profile_saves_and_shows_a_banner(client, people, amara):
    response = client.post(
        "/auth/profile/edit",
        data={
            "display_name": "  Amara   O. ",
            "pronouns": "",
            "organisation": "Northtown Trust",
            "place": "North  town",
            "bio": "Line one\r\nLine two",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/auth/profile"
    saved = people.get(amara.id)
    assert saved.display_name == "Amara O."
    assert saved.pronouns == ""
    assert saved.organisation == "Northtown Trust"
    assert saved.place == "North town"
    assert saved.bio == "Line one\nLine two"
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Your profile has been updated" in page and "Line one<br>Line two" in page


def test_bio_of_exactly_1000_characters_with_windows_line_breaks_is_accepted(client, people, amara):
    bio = "x" * 499 + "\r\n" + "y" * 500  # 1000 characters once the line break is one
    response = client.post("/auth/profile/edit", data={**PROFILE_FORM, "bio": bio})
    assert response.status_code == 302
    assert len(people.get(amara.id).bio) == 1000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "   ", "Enter your display name"),
        ("display_name", "n" * 81, "Display name must be 80 characters or fewer"),
        ("pronouns", "p" * 41, "Pronouns must be 40 characters or fewer"),
        ("organisation", "o" * 121, "Organisation must be 120 characters or fewer"),
        ("place", "p" * 121, "Place must be 120 characters or fewer"),
        ("bio", "b" * 1001, "About you must be 1000 characters or fewer"),
    ],
)
def test_edit_profile_validation(client, people, amara, field, value, message):
    response = client.post("/auth/profile/edit", data={**PROFILE_FORM, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'id="{field}-error"' in page and "<title>Error: Edit your profile" in page
    if value.strip():
        assert value in page  # what was typed is kept
    assert people.get(amara.id).display_name == "Amara Okafor"


def test_limits_are_inclusive(client, people, amara):
    data = {
        "display_name": "n" * 80,
        "pronouns": "p" * 40,
        "organisation": "o" * 120,
        "place": "p" * 120,
        "bio": "b" * 1000,
    }
    assert client.post("/auth/profile/edit", data=data).status_code == 302


def test_edit_changes_only_the_logged_in_persons_profile(client, people, amara):
    other = people.add(email="rhys@example.org", name="Rhys Evans")
    response = client.post(
        "/auth/profile/edit",
        data={
            **PROFILE_FORM,
            "display_name": "Amara",
            # Fields that are not on the form are ignored, whatever is posted.
            "email": "rhys@example.org",
            "roles": str(int(Role.ADMIN)),
            "id": str(other.id),
        },
    )
    assert response.status_code == 302
    saved = people.get(amara.id)
    assert saved.display_name == "Amara"
    assert saved.email == "amara@example.org"
    assert saved.roles == int(Role.MEMBER | Role.FACILITATOR)
    assert people.get(other.id).display_name == "Rhys Evans"


@pytest.mark.parametrize("path", ["/auth/profile", "/auth/profile/edit"])
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next={path}"


def test_visitor_cannot_post_a_profile_edit(client, people):
    user = people.add(email="amara@example.org", name="Amara Okafor")
    response = client.post("/auth/profile/edit", data={**PROFILE_FORM, "display_name": "X"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert people.get(user.id).display_name == "Amara Okafor"


def test_closed_account_is_logged_out_of_its_profile(app, client, people, amara):
    from app.extensions import db
    from app.models import User

    with app.app_context():
        db.session.get(User, amara.id).active = False
        db.session.commit()
    assert client.get("/auth/profile").status_code == 302


@pytest.mark.parametrize(
    "path", ["/auth/login", "/auth/forgot-password", "/auth/profile/edit", "/auth/change-password"]
)
def test_forms_leave_validation_to_the_server(client, people, path):
    """No `required` or `maxlength`: the server explains, and pasted text is never cut off."""
    people.add(email="amara@example.org")
    if path != "/auth/login" and path != "/auth/forgot-password":
        log_in(client, "amara@example.org")
    page = client.get(path).get_data(as_text=True)
    assert "novalidate" in page
    assert " required" not in page and "maxlength" not in page
