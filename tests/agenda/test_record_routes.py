"""The record a meeting leaves: minutes (page and Markdown), the pack, attendance, carrying
questions forward, and what the meeting page and the boards show."""

from datetime import timedelta

import pytest

from app.models import AgendaItem, Board, CarriedQuestion, ItemStatus, MeetingStatus, Post, Role
from tests.agenda.conftest import HX, ROLES, text


def held(world, **kw):
    """A meeting held two days ago, its agenda published, one item discussed with an outcome."""
    m = world.meeting(starts_in=-timedelta(days=2), title="Taking a holistic approach", **kw)
    talked = world.question(m.boards[0], title="Who pools budgets?", votes=3)
    missed = world.question(m.boards[0], title="Residents as partners?", votes=1)
    ids = [world.add_item(m.id, "Welcome", 5), world.add_question(m.id, talked)]
    ids.append(world.add_question(m.id, missed))
    world.publish(m.id, when=None)
    world.update(
        AgendaItem,
        ids[1],
        status=ItemStatus.DISCUSSED,
        notes="Three places share **measures**.",
        notes_html="<p>Three places share <strong>measures</strong>.</p>",
    )
    return m, ids, talked, missed


# Minutes -------------------------------------------------------------------------------------


def test_minutes_download_as_markdown(world):
    m, ids, talked, missed = held(world)
    response = world.client().get(f"/agenda/{m.id}/minutes.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "taking-a-holistic-approach.md" in disposition
    body = text(response)
    assert body.startswith("# Minutes: Taking a holistic approach")
    assert "## 2. Who pools budgets?" in body and "Discussed." in body
    assert "Three places share **measures**." in body  # the Markdown as written
    assert "From the question “Who pools budgets?” (3 votes" in body
    assert "_No outcome recorded._" in body


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_minutes_of_a_draft_agenda_are_not_for_members(world, who):
    m = world.meeting(starts_in=-timedelta(days=2))
    world.add_item(m.id, "Welcome")
    client = world.client(ROLES[who])
    for path in ("minutes.md", "pack", "pack.md"):
        assert client.get(f"/agenda/{m.id}/{path}").status_code == 404, path
    assert world.client(Role.FACILITATOR).get(f"/agenda/{m.id}/minutes.md").status_code == 200


def test_minutes_of_a_draft_meeting_are_404_for_members(world):
    m = world.meeting(status=MeetingStatus.DRAFT)
    world.add_item(m.id, "Welcome")
    world.publish(m.id)
    assert world.client(Role.MEMBER).get(f"/agenda/{m.id}/minutes.md").status_code == 404
    assert world.client().get(f"/agenda/{m.id}/pack").status_code == 404
    assert world.client().get("/agenda/99999/minutes.md").status_code == 404


def test_meeting_page_shows_the_minutes_after_the_meeting(world):
    m, ids, talked, missed = held(world)
    world.update(
        __import__("app.models", fromlist=["Agenda"]).Agenda, world.agenda(m.id).id, attendance=21
    )
    page = text(world.client().get(f"/meetings/{m.id}"))
    panel = page.split('id="meeting-agenda"')[1].split("</section>")[0]
    assert ">Minutes</h2>" in panel and "21 people took part." in panel
    assert "<strong>measures</strong>" in panel and "Discussed" in panel
    assert 'id="meeting-minutes-download"' in panel
    assert "Create an action from this outcome" not in panel  # visitors cannot propose actions
    member_page = text(world.client(Role.MEMBER).get(f"/meetings/{m.id}"))
    assert f'href="/actions/new?agenda_item={ids[1]}"' in member_page


def test_meeting_page_shows_a_published_agenda_and_hides_a_draft(world):
    m = world.meeting()
    world.add_item(m.id, "Secret welcome")
    member = world.client(Role.MEMBER)
    page = text(member.get(f"/meetings/{m.id}"))
    assert "Secret welcome" not in page and 'id="meeting-agenda-none"' in page
    facilitator_page = text(world.client(Role.FACILITATOR).get(f"/meetings/{m.id}"))
    assert "Secret welcome" in facilitator_page and 'id="meeting-agenda-draft"' in facilitator_page
    world.publish(m.id)
    page = text(member.get(f"/meetings/{m.id}"))
    assert "Secret welcome" in page and ">Agenda</h2>" in page


# The pack ------------------------------------------------------------------------------------


def test_pack_before_the_meeting_lists_items_and_the_questions_behind_them(world, facilitator):
    m = world.meeting(title="Using data well")
    q = world.question(m.boards[0], title="Which data do you trust?", votes=2)
    world.add_item(m.id, "Welcome", 5)
    world.add_question(m.id, q)
    page = text(facilitator.get(f"/agenda/{m.id}/pack"))
    assert 'id="pack-draft"' in page and "Which data do you trust? (2 votes" in page
    assert (
        'id="pack-agenda"' in page
        and "<caption>2 items, 15 minutes of 90 minutes</caption>" in page
    )
    assert 'id="pack-outcomes-h"' not in page
    assert 'media="print"' in page  # the print stylesheet
    md = facilitator.get(f"/agenda/{m.id}/pack.md")
    assert md.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment;" in md.headers["Content-Disposition"]
    body = text(md)
    assert body.startswith("# Meeting pack: Using data well")
    assert "2. **Which data do you trust?** (10 minutes): from the question" in body


def test_pack_after_the_meeting_has_outcomes_for_everyone(world):
    m, ids, talked, missed = held(world)
    page = text(world.client().get(f"/agenda/{m.id}/pack"))
    assert 'id="pack-outcomes-h"' in page and "<strong>measures</strong>" in page
    assert "Draft:" not in page
    assert "## Outcomes" in text(world.client().get(f"/agenda/{m.id}/pack.md"))


def test_pack_shows_the_actions_for_review_and_from_this_meeting(world):
    m, ids, talked, missed = held(world)
    earlier = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=30))
    world.action(earlier.id, title="Map pooled budgets", owners=2, update="Eight places so far.")
    world.action(m.id, title="Share the residents' panel terms", invited=1)
    member = world.client(Role.MEMBER)
    page = text(member.get(f"/agenda/{m.id}/pack"))
    review = page.split(f'id="actions-review-{m.id}"')[1].split("</section>")[0]
    assert ">Actions for review (1)</h2>" in review
    assert "Map pooled budgets" in review and "Eight places so far." in review
    assert "Owned by Person" in review and "Due <time" in review and ">Open</strong>" in review
    assert "review-form-" not in review  # the pack is read-only, even for facilitators
    created = page.split('id="pack-actions-created"')[1].split("</section>")[0]
    assert ">Actions from this meeting</h2>" in created
    assert "Share the residents&#39; panel terms" in created and "invited: Person" in created
    assert page.index("Actions for review") < page.index("Actions from this meeting")
    md = text(member.get(f"/agenda/{m.id}/pack.md"))
    assert "## Actions for review\n\n- **Map pooled budgets**: Open, due " in md
    assert "Latest update (" in md and "Eight places so far." in md
    assert "## Actions from this meeting\n\n- **Share the residents' panel terms**: due " in md
    assert "no owner yet; invited: Person" in md or "owned by Person" in md
    assert md.index("## Actions for review") < md.index("## Actions from this meeting")


def test_pack_shows_no_actions_to_visitors(world):
    m, ids, talked, missed = held(world)
    earlier = world.meeting(series_id=m.series_id, starts_in=-timedelta(days=30))
    world.action(earlier.id, title="Map pooled budgets")
    world.action(m.id, title="Share the terms")
    visitor = world.client()
    for path in ("pack", "pack.md"):
        body = text(visitor.get(f"/agenda/{m.id}/{path}"))
        assert "Map pooled budgets" not in body and "Share the terms" not in body
        assert "Actions for review" not in body and "Actions from this meeting" not in body


def test_pack_before_the_meeting_has_the_review_and_no_empty_created_list(world):
    m = world.meeting()
    world.add_item(m.id, "Welcome", 5)
    world.publish(m.id)
    page = text(world.client(Role.MEMBER).get(f"/agenda/{m.id}/pack"))
    assert "Actions for review (0)" in page
    assert "No actions from earlier meetings of this series to review." in page
    assert "Actions from this meeting" not in page
    # After the meeting the section is there even when empty.
    done, *_ = held(world)
    page = text(world.client(Role.MEMBER).get(f"/agenda/{done.id}/pack"))
    assert 'id="pack-actions-created-none"' in page


# Attendance ----------------------------------------------------------------------------------


def test_attendance_is_recorded_and_shown(world, facilitator):
    m, ids, talked, missed = held(world)
    response = facilitator.post(f"/agenda/{m.id}/attendance", data={"attendance": " 24 "})
    assert response.status_code == 302 and response.headers["Location"].endswith("#attendance")
    assert world.agenda(m.id).attendance == 24
    assert "24 people took part." in text(facilitator.get(f"/agenda/{m.id}"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter how many people took part"),
        ("many", "The number of people must be a whole number, like 24"),
        ("-3", "The number of people must be a whole number, like 24"),
        ("100001", "The number of people must be 100,000 or fewer"),
    ],
)
def test_attendance_validation(world, facilitator, value, message):
    m, ids, talked, missed = held(world)
    page = facilitator.post(f"/agenda/{m.id}/attendance", data={"attendance": value})
    assert page.status_code == 422 and message in text(page) and "<title>Error: " in text(page)
    assert world.agenda(m.id).attendance is None


def test_attendance_needs_a_facilitator(world):
    m, ids, talked, missed = held(world)
    assert (
        world.client().post(f"/agenda/{m.id}/attendance", data={"attendance": "3"}).status_code
        == 302
    )
    member = world.client(Role.MEMBER)
    assert member.post(f"/agenda/{m.id}/attendance", data={"attendance": "3"}).status_code == 403


# Carrying questions forward -----------------------------------------------------------------


def test_not_reached_questions_are_offered_for_carrying_forward(world, facilitator):
    m, ids, talked, missed = held(world)
    world.meeting(series_id=m.series_id, starts_in=timedelta(days=20), title="Sharing power")
    page = text(facilitator.get(f"/agenda/{m.id}"))
    section = page.split('id="after-meeting"')[1].split("</section>")[0]
    assert f'id="not-reached-{missed}"' in section and f'id="not-reached-{talked}"' not in section
    assert f'id="carry-{missed}"' in section and "Sharing power" in section
    assert 'id="attendance"' in section


def test_carry_to_the_same_theme_board_keeps_votes_and_links_back(world, facilitator):
    m, ids, talked, missed = held(world, themes=("Holistic", "Data"))
    nxt = world.meeting(series_id=m.series_id, starts_in=timedelta(days=20), title="Sharing power")
    page = text(facilitator.get(f"/agenda/{m.id}/questions/{missed}/carry"))
    assert 'id="carry-confirm"' in page and "Holistic" in page and "1 vote" in page
    response = facilitator.post(
        f"/agenda/{m.id}/questions/{missed}/carry", data={"board": str(nxt.boards[0])}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#not-reached")
    follow = text(facilitator.get(response.headers["Location"]))
    assert "was carried forward to Sharing power with its 1 vote" in follow
    post = world.get(Post, missed)
    assert post.board_id == nxt.boards[0] and post.vote_count == 1
    assert world.get(CarriedQuestion, 1).from_meeting_id == m.id
    assert world.get(Board, nxt.boards[0]).question_count == 1
    # On its new board the question says where it came from, with a link back.
    board = text(world.client().get(f"/boards/{nxt.boards[0]}"))
    assert f'Carried forward from <a href="/agenda/{m.id}">Taking a holistic approach</a>' in board
    # It is no longer a candidate of the old meeting.
    again = facilitator.post(
        f"/agenda/{m.id}/questions/{missed}/carry", data={"board": str(nxt.boards[0])}
    )
    assert again.status_code == 404


def test_carry_to_another_board_is_chosen_and_checked(world, facilitator):
    m, ids, talked, missed = held(world, themes=("Holistic",))
    other_series = world.meeting(themes=("Data",), starts_in=timedelta(days=1))
    nxt = world.meeting(series_id=m.series_id, starts_in=timedelta(days=20))
    world.update(Board, nxt.boards[0], theme_id=other_series.theme_ids[0])
    page = text(facilitator.get(f"/agenda/{m.id}/questions/{missed}/carry"))
    assert 'id="carry-confirm"' not in page and "Which board should it go to?" in page
    missing = facilitator.post(f"/agenda/{m.id}/questions/{missed}/carry", data={})
    assert missing.status_code == 422
    assert "Select the board to carry the question to" in text(missing)
    wrong = facilitator.post(
        f"/agenda/{m.id}/questions/{missed}/carry", data={"board": str(other_series.boards[0])}
    )
    assert wrong.status_code == 422
    chosen = facilitator.post(
        f"/agenda/{m.id}/questions/{missed}/carry", data={"board": str(nxt.boards[0])}
    )
    assert chosen.status_code == 302 and world.get(Post, missed).board_id == nxt.boards[0]


def test_carry_refusals(world, facilitator):
    m, ids, talked, missed = held(world)
    # No next meeting yet.
    response = facilitator.get(f"/agenda/{m.id}/questions/{missed}/carry", follow_redirects=True)
    assert "There is no next meeting in this series yet" in text(response)
    nxt = world.meeting(series_id=m.series_id, starts_in=timedelta(days=20))
    # A discussed question stays.
    refused = facilitator.post(
        f"/agenda/{m.id}/questions/{talked}/carry",
        data={"board": str(nxt.boards[0])},
        follow_redirects=True,
    )
    assert "was discussed at the meeting" in text(refused)
    assert world.get(Post, talked).board_id == m.boards[0]
    # Not before the meeting is over.
    upcoming = world.meeting(starts_in=timedelta(days=3))
    q = world.question(upcoming.boards[0])
    early = facilitator.get(f"/agenda/{upcoming.id}/questions/{q}/carry", follow_redirects=True)
    assert "once the meeting is over" in text(early)
    assert facilitator.get(f"/agenda/{m.id}/questions/99999/carry").status_code == 404


def test_carry_needs_a_facilitator(world):
    m, ids, talked, missed = held(world)
    url = f"/agenda/{m.id}/questions/{missed}/carry"
    assert world.client().get(url).status_code == 302
    assert world.client(Role.MEMBER).get(url).status_code == 403
    assert world.client(Role.MEMBER).post(url, data={"board": "1"}).status_code == 403


# A question on its board ---------------------------------------------------------------------


def test_board_and_thread_show_a_question_on_a_published_agenda(world, facilitator):
    m = world.meeting(title="Using data well")
    q = world.question(m.boards[0], title="Which data do you trust?")
    declined = world.question(m.boards[0], title="Old chestnut")
    world.add_question(m.id, q)
    world.not_taken(m.id, declined, "Covered last time")
    member = world.client(Role.MEMBER)
    assert "On the agenda for" not in text(member.get(f"/boards/{m.boards[0]}"))
    assert "On the agenda for" in text(facilitator.get(f"/boards/{m.boards[0]}"))
    world.publish(m.id)
    board = text(member.get(f"/boards/{m.boards[0]}"))
    assert f'On the agenda for <a href="/agenda/{m.id}">Using data well</a>' in board
    assert "Not taken this time: Covered last time" in board
    thread = text(member.get(f"/boards/threads/{q}"))
    assert f'id="agenda-notes-{q}"' in thread and "On the agenda for" in thread
    more = member.get(f"/boards/{m.boards[0]}/threads?page=1", headers=HX)
    assert "On the agenda for" in text(more)


def test_board_shows_discussed_at_after_the_meeting(world):
    m, ids, talked, missed = held(world)
    board = text(world.client().get(f"/boards/{m.boards[0]}"))
    assert f'Discussed at <a href="/agenda/{m.id}">Taking a holistic approach</a>' in board
    assert "Not reached at" in board


def test_board_page_agenda_notes_cost_one_query_for_any_number_of_questions(world, count_queries):
    small = world.meeting()
    large = world.meeting()
    for meeting, n in ((small, 2), (large, 20)):
        for i in range(n):
            q = world.question(meeting.boards[0], title=f"Q{i}")
            if i % 2:
                world.add_question(meeting.id, q)
        world.publish(meeting.id)
    client = world.client(Role.MEMBER)
    counts = []
    for meeting in (small, large):
        client.get(f"/boards/{meeting.boards[0]}")
        with count_queries() as queries:
            assert "On the agenda for" in text(client.get(f"/boards/{meeting.boards[0]}"))
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
