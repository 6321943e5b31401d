"""The agenda page over HTTP: candidates, adding questions, not taken, publishing; full page and
htmx answers, validation, the permission matrix, unknown ids."""

import re
from datetime import timedelta

import pytest

from app.models import MeetingStatus, NotTaken, Role
from tests.agenda.conftest import HX, ROLES, text


def item_ids(world, meeting_id):
    return [i for i, _, _ in world.items(meeting_id)]


# The agenda page -------------------------------------------------------------------------------


def test_facilitator_sees_ranked_candidates_with_theme_votes_author_and_status(world, facilitator):
    m = world.meeting(themes=("Holistic approach", "Using data"))
    author = world.user(name="Amara Okafor")
    low = world.question(m.boards[1], title="Which data do you trust?", votes=1, author=author)
    top = world.question(m.boards[0], title="Who pools budgets?", votes=4, anonymous=True)
    world.add_question(m.id, low)
    page = text(facilitator.get(f"/agenda/{m.id}"))
    candidates = page.split('id="candidates"')[1]
    assert candidates.index(f'id="candidate-{top}"') < candidates.index(f'id="candidate-{low}"')
    top_row = candidates.split(f'id="candidate-{top}"')[1].split("</li>")[0]
    assert "Holistic approach" in top_row and "4 votes" in top_row and "A member" in top_row
    assert f'id="add-{top}"' in top_row and "Not on the agenda" in top_row
    low_row = candidates.split(f'id="candidate-{low}"')[1].split("</li>")[0]
    assert (
        "Amara Okafor" in low_row
        and "On the agenda" in low_row
        and f'id="add-{low}"' not in low_row
    )
    for stable in ('id="candidates"', 'id="agenda-items"', 'id="publish-agenda"', 'id="add-item"'):
        assert stable in page


def test_candidates_filter_by_theme_page_and_htmx(world, facilitator):
    m = world.meeting(themes=("Holistic approach", "Using data"))
    holistic = world.question(m.boards[0], title="Holistic one")
    data = world.question(m.boards[1], title="Data one")
    page = text(facilitator.get(f"/agenda/{m.id}?theme={m.theme_ids[1]}"))
    assert f'id="candidate-{data}"' in page and f'id="candidate-{holistic}"' not in page
    fragment = facilitator.get(
        f"/agenda/{m.id}?theme={m.theme_ids[0]}", headers={**HX, "HX-Target": "candidates"}
    )
    body = text(fragment)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="candidates"')
    assert f'id="candidate-{holistic}"' in body and f'id="candidate-{data}"' not in body
    assert "1 question found." in body
    # An unknown theme shows every theme.
    page = text(facilitator.get(f"/agenda/{m.id}?theme=99999"))
    assert f'id="candidate-{data}"' in page and f'id="candidate-{holistic}"' in page


def test_running_total_and_the_over_warning(world, facilitator):
    m = world.meeting(length=timedelta(minutes=90))
    world.add_item(m.id, "Long", 60)
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert "60 minutes of the meeting's 90 minutes (30 minutes free)" in page
    assert 'id="agenda-over"' not in page
    world.add_item(m.id, "Longer", 45)
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert "The agenda is 15 minutes over the meeting's 90 minutes" in page


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_draft_agenda_is_for_facilitators_only(world, who):
    m = world.meeting()
    world.add_item(m.id, "Secret welcome")
    page = text(world.client(ROLES[who]).get(f"/agenda/{m.id}"))
    assert "Secret welcome" not in page and 'id="agenda-not-published"' in page
    assert 'id="candidates"' not in page


@pytest.mark.parametrize("who", ["visitor", "member", "facilitator", "admin"])
def test_published_agenda_is_read_by_everyone_and_changed_only_by_facilitators(world, who):
    m = world.meeting()
    world.add_item(m.id, "Welcome")
    world.publish(m.id)
    page = text(world.client(ROLES[who]).get(f"/agenda/{m.id}"))
    assert "Welcome" in page and "Published" in page
    editor = who in ("facilitator", "admin")
    assert ('id="candidates"' in page) is editor
    assert ("move-up-" in page) is editor


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_draft_meeting_agenda_is_404_for_visitors_and_members(world, who):
    m = world.meeting(status=MeetingStatus.DRAFT)
    assert world.client(ROLES[who]).get(f"/agenda/{m.id}").status_code == 404
    assert world.client(ROLES[who]).get(f"/agenda/{m.id}/live").status_code == 404


def test_draft_meeting_agenda_is_open_to_facilitators(world, facilitator):
    m = world.meeting(status=MeetingStatus.DRAFT)
    assert facilitator.get(f"/agenda/{m.id}").status_code == 200


def test_unknown_meeting_is_404(world, facilitator):
    assert facilitator.get("/agenda/99999").status_code == 404
    assert facilitator.post("/agenda/99999/items", data={"preset": "break"}).status_code == 404


def test_cancelled_meeting_agenda_is_read_only(world, facilitator):
    m = world.meeting()
    item = world.add_item(m.id, "Welcome")
    q = world.question(m.boards[0])
    world.publish(m.id)
    world.update(__import__("app.models", fromlist=["Meeting"]).Meeting, m.id, status="cancelled")
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert "Welcome" in page and "can no longer change" in page
    assert "move-up-" not in page and 'id="candidates"' not in page
    for url, data in [
        (f"/agenda/{m.id}/items", {"preset": "break"}),
        (f"/agenda/{m.id}/candidates/{q}/add", {}),
        (f"/agenda/{m.id}/items/{item}/move", {"direction": "up"}),
        (f"/agenda/{m.id}/items/{item}/remove", {}),
        (f"/agenda/{m.id}/fill", {}),
        (f"/agenda/{m.id}/publish", {}),
        (f"/agenda/{m.id}/advance", {"direction": "next"}),
        (f"/agenda/{m.id}/items/{item}/status", {"status": "discussed"}),
        (f"/agenda/{m.id}/attendance", {"attendance": "3"}),
    ]:
        response = facilitator.post(url, data=data)
        assert response.status_code == 403, url
        assert "cancelled" in text(response)
    assert item_ids(world, m.id) == [item]


# Permissions on every change ------------------------------------------------------------------


def change_requests(m, item, q):
    return [
        (f"/agenda/{m.id}/candidates/{q}/add", {}),
        (f"/agenda/{m.id}/items", {"preset": "break"}),
        (f"/agenda/{m.id}/items/{item}/edit", {"edit-item-title": "X", "edit-item-minutes": "5"}),
        (f"/agenda/{m.id}/items/{item}/move", {"direction": "down"}),
        (f"/agenda/{m.id}/items/{item}/remove", {}),
        (f"/agenda/{m.id}/fill", {}),
        (f"/agenda/{m.id}/candidates/{q}/not-taken", {f"not-taken-{q}-reason": "No"}),
        (f"/agenda/{m.id}/candidates/{q}/reconsider", {}),
        (f"/agenda/{m.id}/publish", {}),
    ]


def test_visitors_are_sent_to_log_in_and_members_refused(world):
    m = world.meeting()
    item = world.add_item(m.id, "Welcome")
    q = world.question(m.boards[0])
    visitor, member = world.client(), world.client(Role.MEMBER)
    for url, data in change_requests(m, item, q):
        response = visitor.post(url, data=data)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
        htmx = visitor.post(url, data=data, headers=HX)
        assert htmx.status_code == 401 and "HX-Redirect" in htmx.headers, url
        assert member.post(url, data=data).status_code == 403, url
    assert member.get(f"/agenda/{m.id}/items/{item}/edit").status_code == 403
    assert world.items(m.id) == [(item, 1, "Welcome")]
    assert world.agenda(m.id).published_at is None


def test_admins_may_change_an_agenda(world):
    m = world.meeting()
    admin = world.client(Role.ADMIN)
    response = admin.post(f"/agenda/{m.id}/items", data={"preset": "break"})
    assert response.status_code == 302
    assert [t for _, _, t in world.items(m.id)] == ["Break"]


# Add a candidate question ---------------------------------------------------------------------


def test_add_question_without_js_redirects_with_a_message(world, facilitator):
    m = world.meeting()
    q = world.question(m.boards[0], title="Who pools budgets?")
    response = facilitator.post(f"/agenda/{m.id}/candidates/{q}/add")
    [item] = item_ids(world, m.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agenda/{m.id}#agenda-item-{item}")
    page = text(facilitator.get(response.headers["Location"]))
    assert "Added “Who pools budgets?” to the agenda" in page
    again = facilitator.post(f"/agenda/{m.id}/candidates/{q}/add", follow_redirects=True)
    assert "is already on the agenda" in text(again)
    assert item_ids(world, m.id) == [item]


def test_add_question_with_htmx_answers_the_candidate_in_place_and_the_agenda(world, facilitator):
    m = world.meeting()
    q = world.question(m.boards[0], title="Who pools budgets?", votes=2)
    response = facilitator.post(f"/agenda/{m.id}/candidates/{q}/add", headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<li id="candidate-{q}"')
    assert f'id="candidate-status-{q}" tabindex="-1" autofocus' in body
    assert (
        'id="agenda-items" class="agenda" aria-labelledby="agenda-items-h" hx-swap-oob="true"'
        in body
    )
    [item] = item_ids(world, m.id)
    assert f'id="agenda-item-{item}"' in body and "2 votes" in body


def test_add_question_clears_a_not_taken_decision(world, facilitator):
    m = world.meeting()
    q = world.question(m.boards[0])
    world.not_taken(m.id, q)
    facilitator.post(f"/agenda/{m.id}/candidates/{q}/add")
    assert world.get(NotTaken, 1) is None


def test_add_question_unknown_removed_or_other_meetings_is_404(world, facilitator, app):
    m = world.meeting()
    other = world.meeting()
    elsewhere = world.question(other.boards[0])
    removed = world.question(m.boards[0])
    from app.models import Post
    from app.timeutil import utcnow

    world.update(Post, removed, removed_at=utcnow())
    for post_id in (99999, elsewhere, removed):
        assert facilitator.post(f"/agenda/{m.id}/candidates/{post_id}/add").status_code == 404
    assert world.items(m.id) == []


# Not taken -----------------------------------------------------------------------------------


def test_not_taken_page_htmx_and_what_members_see(world, facilitator, member):
    m = world.meeting(title="Using data well")
    q = world.question(m.boards[0], title="Old chestnut")
    field = f"not-taken-{q}-reason"
    response = facilitator.post(
        f"/agenda/{m.id}/candidates/{q}/not-taken", data={field: "Covered at the last meeting"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#candidate-{q}")
    page = text(facilitator.get(f"/agenda/{m.id}"))
    assert "Not taken this time</strong>: Covered at the last meeting" in page
    assert f'id="reconsider-{q}"' in page
    htmx = facilitator.post(f"/agenda/{m.id}/candidates/{q}/reconsider", headers=HX)
    body = text(htmx)
    assert body.lstrip().startswith(f'<li id="candidate-{q}"') and "<html" not in body
    assert "Not on the agenda" in body and 'hx-swap-oob="true"' not in body
    htmx = facilitator.post(
        f"/agenda/{m.id}/candidates/{q}/not-taken", data={field: "Not this time"}, headers=HX
    )
    assert "Not taken this time</strong>: Not this time" in text(htmx)
    # Members see it once the agenda is published: on the agenda page and on the question.
    world.add_item(m.id, "Welcome")
    world.publish(m.id)
    page = text(member.get(f"/agenda/{m.id}"))
    assert 'id="not-taken-list"' in page and "Not taken this time: Not this time" in page


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why this question is not taken this time"),
        ("   ", "Enter why this question is not taken this time"),
        ("z" * 201, "Reason must be 200 characters or fewer"),
    ],
)
def test_not_taken_needs_a_short_reason(world, facilitator, reason, message):
    m = world.meeting()
    q = world.question(m.boards[0])
    data = {f"not-taken-{q}-reason": reason}
    page = facilitator.post(f"/agenda/{m.id}/candidates/{q}/not-taken", data=data)
    body = text(page)
    assert page.status_code == 422 and message in body and "<title>Error: " in body
    assert f'href="#not-taken-{q}-reason"' in body and "<details" in body and " open>" in body
    htmx = facilitator.post(f"/agenda/{m.id}/candidates/{q}/not-taken", data=data, headers=HX)
    assert htmx.status_code == 422 and message in text(htmx) and "<html" not in text(htmx)
    assert text(htmx).lstrip().startswith(f'<li id="candidate-{q}"')
    assert world.get(NotTaken, 1) is None


def test_not_taken_is_refused_while_the_question_is_on_the_agenda(world, facilitator):
    m = world.meeting()
    q = world.question(m.boards[0])
    world.add_question(m.id, q)
    page = facilitator.post(
        f"/agenda/{m.id}/candidates/{q}/not-taken", data={f"not-taken-{q}-reason": "No"}
    )
    assert page.status_code == 422 and "remove it from the agenda first" in text(page)


# Publish -------------------------------------------------------------------------------------


def test_publish_shows_the_agenda_to_members_and_marks_later_changes(world, facilitator, member):
    m = world.meeting()
    refused = facilitator.post(f"/agenda/{m.id}/publish", follow_redirects=True)
    assert "Add at least one item before you publish the agenda" in text(refused)
    first = world.add_item(m.id, "Welcome")
    response = facilitator.post(f"/agenda/{m.id}/publish", follow_redirects=True)
    assert "The agenda is published" in text(response)
    page = text(member.get(f"/agenda/{m.id}"))
    assert "Welcome" in page and 'id="agenda-changed"' not in page
    again = facilitator.post(f"/agenda/{m.id}/publish", follow_redirects=True)
    assert "already published" in text(again)
    # A change after publishing shows, per item and at the top.
    later = world.add_item(m.id, "Break")
    facilitator.post(
        f"/agenda/{m.id}/items/{first}/edit",
        data={"edit-item-title": "Welcome!", "edit-item-minutes": "5"},
    )
    page = text(member.get(f"/agenda/{m.id}"))
    assert 'id="agenda-changed"' in page
    assert (
        f'id="agenda-item-{later}-changed"' in page and f'id="agenda-item-{first}-changed"' in page
    )
    assert "Changed since the agenda was published" in page


@pytest.mark.parametrize("action", ["add", "not-taken", "reconsider"])
def test_unknown_candidates_are_404(world, facilitator, action):
    m = world.meeting()
    response = facilitator.post(
        f"/agenda/{m.id}/candidates/99999/{action}", data={"not-taken-99999-reason": "No"}
    )
    assert response.status_code == 404


def test_changes_need_a_csrf_token(app, world, facilitator):
    m = world.meeting()
    app.config["WTF_CSRF_ENABLED"] = True
    response = facilitator.post(f"/agenda/{m.id}/items", data={"preset": "break"})
    assert response.status_code == 400 and "This form has expired" in text(response)
    page = text(facilitator.get(f"/agenda/{m.id}"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ok = facilitator.post(f"/agenda/{m.id}/items", data={"preset": "break", "csrf_token": token})
    assert ok.status_code == 302 and [t for _, _, t in world.items(m.id)] == ["Break"]
