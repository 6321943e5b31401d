"""The story beside the numbers: the narrative, pins, publishing the members' summary, the
links to it, and CSRF on every form."""

import re

import pytest

from app.extensions import db
from app.models import AuditEvent, Post
from tests.insights.conftest import HX, facilitator_posts, insight, pinned, text

# The narrative ---------------------------------------------------------------------------------


def test_save_narrative_plain(app, known, facilitator_client):
    url = f"/insights/meetings/{known.meeting}/narrative"
    response = facilitator_client.post(url, data={"narrative": "  We **met**.  ", "version": "0"})
    assert response.status_code == 302
    assert response.location.endswith(f"/insights/meetings/{known.meeting}#narrative")
    row = insight(app, known.meeting)
    assert (row.narrative, row.narrative_html, row.version) == (
        "We **met**.",
        "<p>We <strong>met</strong>.</p>",
        1,
    )
    page = text(facilitator_client.get(response.location))
    assert "Narrative saved." in page and "<p>We <strong>met</strong>.</p>" in page


def test_save_narrative_htmx_returns_the_fragment(app, known, facilitator_client):
    url = f"/insights/meetings/{known.meeting}/narrative"
    response = facilitator_client.post(url, data={"narrative": "Story", "version": "0"}, headers=HX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body
    assert f'id="insight-narrative-{known.meeting}"' in body
    assert 'hx-swap-oob="innerHTML:#sr-status">Narrative saved.' in body
    assert 'name="version" type="hidden" value="1"' in body


@pytest.mark.parametrize(
    ("value", "message"),
    [("   ", "Enter the narrative"), ("x" * 3001, "Narrative must be 3,000 characters or fewer")],
)
def test_narrative_validation(app, known, facilitator_client, value, message):
    url = f"/insights/meetings/{known.meeting}/narrative"
    response = facilitator_client.post(url, data={"narrative": value, "version": "0"})
    assert response.status_code == 422
    page = text(response)
    assert page.count(message) == 2  # the summary and the field
    assert "<title>Error: Insights:" in page
    assert 'aria-invalid="true"' in page
    if value.strip():
        assert value in page  # the text is kept
    fragment = facilitator_client.post(url, data={"narrative": value, "version": "0"}, headers=HX)
    assert fragment.status_code == 422
    body = text(fragment)
    assert "<html" not in body and f'id="insight-narrative-{known.meeting}"' in body
    assert 'class="error-summary"' in body and "<title>Error:" in body
    assert insight(app, known.meeting) is None


def test_narrative_saved_meanwhile_is_not_overwritten(app, known, facilitator_client):
    url = f"/insights/meetings/{known.meeting}/narrative"
    facilitator_client.post(url, data={"narrative": "A colleague's text", "version": "0"})
    response = facilitator_client.post(url, data={"narrative": "Mine", "version": "0"})
    assert response.status_code == 422
    page = text(response)
    assert "Someone else saved the narrative" in page
    assert "<p>A colleague's text</p>" in page and "Mine</textarea>" in page
    assert 'name="version" type="hidden" value="1"' in page  # saving again now replaces it
    assert insight(app, known.meeting).narrative == "A colleague's text"
    response = facilitator_client.post(url, data={"narrative": "Mine", "version": "1"})
    assert response.status_code == 302 and insight(app, known.meeting).narrative == "Mine"


# Pins --------------------------------------------------------------------------------------


def test_pin_and_unpin_plain(app, known, facilitator_client):
    q1 = known.posts["q1"]
    back = f"/boards/threads/{q1}"
    response = facilitator_client.post(f"/insights/posts/{q1}/pin", data={"pin": "1", "next": back})
    assert response.status_code == 302 and response.location == back
    assert pinned(app, known.meeting) == {q1}
    # Pressing twice changes nothing.
    facilitator_client.post(f"/insights/posts/{q1}/pin", data={"pin": "1", "next": back})
    assert pinned(app, known.meeting) == {q1}
    assert insight(app, known.meeting).changed_at is not None
    page = text(facilitator_client.get(f"/insights/meetings/{known.meeting}"))
    assert f'id="insight-pinned-post-{q1}"' in page and "Member 1, before the meeting" in page
    response = facilitator_client.post(
        f"/insights/posts/{q1}/pin", data={"pin": "0", "next": "https://evil.example/"}
    )
    assert response.location.endswith(f"/insights/meetings/{known.meeting}")  # no open redirect
    assert pinned(app, known.meeting) == set()


def test_pin_htmx_returns_the_control_and_tells_the_page(app, known, facilitator_client):
    r4 = known.posts["r4"]
    response = facilitator_client.post(f"/insights/posts/{r4}/pin", data={"pin": "1"}, headers=HX)
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and f'id="insight-pin-{r4}"' in body
    assert 'aria-pressed="true"' in body and 'name="pin" value="0"' in body
    assert "Pinned to the meeting&#39;s insights." in body and "#sr-status" in body
    assert response.headers["HX-Trigger"] == '{"insightPinsChanged": true}'
    fragment = facilitator_client.get(f"/insights/meetings/{known.meeting}/pins", headers=HX)
    assert fragment.status_code == 200
    body = text(fragment)
    assert "<html" not in body and f'id="insight-pins-{known.meeting}"' in body
    assert f'id="insight-pinned-post-{r4}"' in body
    assert "replying in “Who pools budgets?”" in body
    assert 'class="mention"' in body  # facilitators see who was mentioned; the summary does not


def test_pins_fragment_url_without_htmx_goes_to_the_page(known, facilitator_client):
    response = facilitator_client.get(f"/insights/meetings/{known.meeting}/pins")
    assert response.status_code == 302
    assert response.location.endswith(f"/insights/meetings/{known.meeting}#pins")


def test_hidden_posts_cannot_be_pinned(app, known, facilitator_client):
    q3 = known.posts["q3"]
    assert (
        facilitator_client.post(f"/insights/posts/{q3}/pin", data={"pin": "1"}).status_code == 403
    )
    assert pinned(app, known.meeting) == set()


def test_thread_page_offers_pin_to_facilitators_only(app, known, facilitator_client, member_client):
    q1 = known.posts["q1"]
    page = text(facilitator_client.get(f"/boards/threads/{q1}"))
    assert f'id="insight-pin-{q1}"' in page and 'aria-pressed="false"' in page
    assert f'name="next" value="/boards/threads/{q1}"' in page
    facilitator_client.post(f"/insights/posts/{q1}/pin", data={"pin": "1"})
    page = text(facilitator_client.get(f"/boards/threads/{q1}"))
    assert f'id="insight-pinned-{q1}"' in page
    assert f'id="insight-pin-{q1}"' not in text(member_client.get(f"/boards/threads/{q1}"))


# Publishing and the summary -------------------------------------------------------------------


def publish_story(app, known, client):
    client.post(
        f"/insights/meetings/{known.meeting}/narrative",
        data={"narrative": "Three places **share measures**.", "version": "0"},
    )
    for name in ("q1", "r4"):
        client.post(f"/insights/posts/{known.posts[name]}/pin", data={"pin": "1"})
    return client.post(f"/insights/meetings/{known.meeting}/publish")


def test_publish_needs_a_narrative(app, known, facilitator_client):
    response = facilitator_client.post(f"/insights/meetings/{known.meeting}/publish")
    assert response.status_code == 302 and response.location.endswith("#narrative")
    page = text(facilitator_client.get(response.location))
    assert "Write and save a narrative before you publish the summary." in page
    assert insight(app, known.meeting) is None or insight(app, known.meeting).published_at is None


def test_summary_is_for_members_once_published(app, known, facilitator_client, member_client):
    url = f"/insights/meetings/{known.meeting}/summary"
    assert member_client.get(url).status_code == 404  # a draft
    preview = text(facilitator_client.get(url))
    assert f'id="summary-draft-{known.meeting}"' in preview
    response = publish_story(app, known, facilitator_client)
    assert response.status_code == 302 and response.location.endswith("#summary")
    assert "Summary published" in text(facilitator_client.get(response.location))
    response = member_client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "<title>Summary: Taking a holistic approach – Roundtable</title>" in page
    assert "Three places <strong>share measures</strong>." in page
    assert "3 before the meeting, 2 during it, 6 after it" in page
    assert "5 members wrote or voted" in page
    assert "Who pools budgets?" in page and "shared measures" in page
    # No names: not the authors of the pinned posts, not a member named in a mention.
    assert "Member 1" not in page and "Member 2" not in page and "Zora" not in page
    assert "thanks @a member" in page
    assert page.count("A member, ") == 2
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent.action)).all()
        assert "insights.published" in events


def test_summary_is_frozen_until_published_again(app, known, facilitator_client, member_client):
    publish_story(app, known, facilitator_client)
    facilitator_client.post(
        f"/insights/meetings/{known.meeting}/narrative",
        data={"narrative": "A new draft", "version": "1"},
    )
    url = f"/insights/meetings/{known.meeting}/summary"
    page = text(member_client.get(url))
    assert "share measures" in page and "A new draft" not in page
    assert f'id="summary-changed-{known.meeting}"' in text(facilitator_client.get(url))
    insights_page = text(facilitator_client.get(f"/insights/meetings/{known.meeting}"))
    assert "changed since: publish again" in insights_page
    response = facilitator_client.post(f"/insights/meetings/{known.meeting}/publish")
    assert "Summary updated." in text(facilitator_client.get(response.location))
    assert "A new draft" in text(member_client.get(url))


def test_summary_leaves_out_posts_hidden_after_publishing(
    app, known, facilitator_client, member_client
):
    publish_story(app, known, facilitator_client)
    with app.app_context():
        post = db.session.get(Post, known.posts["r4"])
        post.hidden_at = post.created_at
        db.session.commit()
    page = text(member_client.get(f"/insights/meetings/{known.meeting}/summary"))
    assert "Who pools budgets?" in page and "shared measures" not in page


def test_withdraw(app, known, facilitator_client, member_client):
    publish_story(app, known, facilitator_client)
    response = facilitator_client.post(f"/insights/meetings/{known.meeting}/withdraw")
    assert response.status_code == 302
    assert "Summary withdrawn" in text(facilitator_client.get(response.location))
    assert member_client.get(f"/insights/meetings/{known.meeting}/summary").status_code == 404


def test_summary_of_a_draft_meeting_is_not_for_members(app, known, member_client):
    assert member_client.get(f"/insights/meetings/{known.draft}/summary").status_code == 404


def test_meeting_page_links(app, known, facilitator_client, member_client, client):
    url = f"/meetings/{known.meeting}"
    assert f'id="insight-meeting-link-{known.meeting}"' in text(facilitator_client.get(url))
    page = text(member_client.get(url))
    assert "insight-meeting-link" not in page and "insight-summary-link" not in page
    publish_story(app, known, facilitator_client)
    assert f'id="insight-summary-link-{known.meeting}"' in text(member_client.get(url))
    assert "insight-links" not in text(client.get(url))
    series = f"/meetings/series/{known.series}"
    assert f'id="insight-series-link-{known.series}"' in text(facilitator_client.get(series))
    assert "insight-series-link" not in text(member_client.get(series))


# CSRF ----------------------------------------------------------------------------------------


def test_posts_need_the_csrf_token(app, known, facilitator_client):
    app.config["WTF_CSRF_ENABLED"] = True
    for url, data in facilitator_posts(known):
        assert facilitator_client.post(url, data=data).status_code == 400, url
    assert pinned(app, known.meeting) == set() and insight(app, known.meeting) is None
    page = text(facilitator_client.get(f"/insights/meetings/{known.meeting}"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    q1 = known.posts["q1"]
    response = facilitator_client.post(
        f"/insights/posts/{q1}/pin", data={"pin": "1", "csrf_token": token}
    )
    assert response.status_code == 302 and pinned(app, known.meeting) == {q1}
