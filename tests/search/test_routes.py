"""The search page: who finds what, filters, paging, escaping, htmx, errors and query counts."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.search import services
from app.timeutil import utcnow
from tests.search.conftest import (
    FACILITATOR,
    HX,
    MEMBER,
    MODERATOR,
    PUBLIC,
    found,
    many_threads,
    ordered,
)


def search(client, q="wellbeing", **args):
    return client.get("/search/", query_string={"q": q, **args})


# Who finds what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("client", PUBLIC),
        ("member_client", MEMBER),
        ("facilitator_client", FACILITATOR),
        ("moderator_client", MODERATOR),
    ],
)
def test_each_person_finds_what_they_may_see(request, corpus, who, expected):
    client = request.getfixturevalue(who)
    response = search(client)
    assert response.status_code == 200
    assert found(response) == corpus.of(*expected)


def test_visitors_never_get_actions_even_when_asking_for_them(client, corpus):
    response = search(client, kind="action")
    assert found(response) == corpus.of(*PUBLIC)
    assert 'id="kind-3"' not in response.get_data(as_text=True)  # no "Actions" checkbox


def test_moderators_see_the_state_of_what_members_cannot_find(moderator_client, corpus):
    page = search(moderator_client).get_data(as_text=True)
    assert "Held for review" in page
    assert "Hidden by the moderators" in page
    assert "Removed" in page


def test_anonymous_posts_are_not_found_by_their_authors_name(member_client, corpus):
    response = search(member_client, q="Priya")
    assert found(response) == corpus.of("asked", "action")
    page = response.get_data(as_text=True)
    assert "An anonymous wellbeing worry" not in page


def test_results_show_where_they_come_from_and_link_to_them(member_client, corpus):
    page = search(member_client).get_data(as_text=True)
    thread_id = corpus["asked"].split("-")[1]
    reply_id = corpus["answer"].split("-")[1]
    action_id = corpus["action"].split("-")[1]
    assert f'href="/boards/threads/{thread_id}"' in page
    assert f'href="/boards/threads/{reply_id}"' in page  # the thread page leads to the reply
    assert f'href="/actions/{action_id}"' in page
    assert f'href="/meetings/{corpus.other_meeting}"' in page
    assert "Reply in “How do we measure wellbeing in a place?”" in page
    assert "By Priya Shah" in page and "By A member" in page
    assert "Taking a holistic approach, Holistic approach." in page


def test_matched_words_are_marked_in_titles_and_snippets(member_client, corpus):
    page = search(member_client, q="patchy").get_data(as_text=True)
    assert found_ids(page) == [corpus["datasets"]]
    assert "<mark>patchy</mark>" in page
    page = search(member_client, q="datasets").get_data(as_text=True)
    assert "Which <mark>datasets</mark> help?" in page


def found_ids(page: str) -> list[str]:
    return [f"{k}-{i}" for k, i in re.findall(r'id="result-([a-z]+)-(\d+)"', page)]


def test_stemming_finds_other_forms_of_a_word(member_client, corpus):
    assert corpus["asked"] in found(search(member_client, q="measuring"))
    assert corpus["answer"] in found(search(member_client, q="survey"))


def test_every_word_must_match(member_client, corpus):
    assert found(search(member_client, q="wellbeing patchy")) == corpus.of("datasets")
    assert found(search(member_client, q="wellbeing nosuchword")) == set()


def test_text_is_escaped_and_only_marks_are_html(make, member_client):
    meeting = make.meeting()
    make.thread(
        meeting.boards[0],
        title="<b>Bold</b> xssprobe title",
        kind="discussion",
        body="xssprobe `<img src=x onerror=alert(1)>` and <script>alert(2)</script>",
    )
    db.session.commit()
    page = search(member_client, q="xssprobe").get_data(as_text=True)
    assert "<img" not in page and "<script>alert" not in page and "<b>Bold" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; <mark>xssprobe</mark> title" in page


@pytest.mark.parametrize(
    "q",
    [
        'wellbeing" OR "x',
        "wellbeing NEAR(a b)",
        "wellbeing AND OR NOT",
        "wellbeing*",
        "(wellbeing",
        "wellbeing -skills",
        "title:wellbeing",
        "wellbeing'; DROP TABLE post; --",
        "^wellbeing",
    ],
)
def test_search_syntax_is_read_as_plain_words(member_client, corpus, q):
    response = search(member_client, q=q)
    assert response.status_code == 200
    assert 'id="search-results-heading"' in response.get_data(as_text=True)


def test_punctuation_around_words_is_ignored(member_client, corpus):
    for q in ("wellbeing*", "(wellbeing)", "^wellbeing!", '"wellbeing"'):
        assert found(search(member_client, q=q)) == corpus.of(*MEMBER)


# Filters and order -------------------------------------------------------------------------


def test_filter_by_kind(member_client, corpus):
    assert found(search(member_client, kind="reply")) == corpus.of("answer")
    both = found(search(member_client, kind=["meeting", "action"]))
    assert both == corpus.of("other", "action")


def test_filter_by_series_meeting_and_theme(member_client, corpus):
    assert found(search(member_client, series=corpus.other_series)) == corpus.of("other")
    in_meeting = found(search(member_client, meeting=corpus.meeting))
    assert in_meeting == corpus.of("asked", "datasets", "answer", "anonymous", "action")
    assert found(search(member_client, theme=corpus.data_theme)) == corpus.of("datasets")


def test_unknown_and_unseeable_filters_are_ignored(member_client, corpus):
    # A draft meeting the member cannot see, an id that does not exist, nonsense: all ignored.
    for value in (corpus.draft_meeting, 999999, "abc", "-1"):
        response = search(member_client, meeting=value)
        assert response.status_code == 200
        assert found(response) == corpus.of(*MEMBER)
    page = search(member_client, kind="nonsense", sort="sideways").get_data(as_text=True)
    assert '<option selected value="relevance">' in page


def test_filters_are_shown_as_chosen(member_client, corpus):
    page = search(member_client, series=corpus.series, kind="reply").get_data(as_text=True)
    assert f'<option selected value="{corpus.series}">Levelling Up</option>' in page
    checkbox = '<input checked class="checkbox__input" id="kind-1" name="kind" type="checkbox"'
    assert checkbox + ' value="reply">' in page
    assert '<details class="search-form__filters" id="search-filters" open>' in page


def test_facilitators_can_filter_by_a_draft_meeting(facilitator_client, corpus):
    response = search(facilitator_client, meeting=corpus.draft_meeting)
    assert found(response) == corpus.of("draft", "on_draft")


def test_title_matches_rank_first_and_newest_sort(make, member_client):
    meeting = make.meeting()
    board = meeting.boards[0]
    old = make.thread(
        board,
        title="Rankword in the title",
        now=utcnow() - timedelta(days=2),
        kind="discussion",
        body="Nothing else here.",
    )
    new = make.thread(
        board,
        title="Another thread",
        kind="discussion",
        body="This body mentions rankword once, among many other words about places.",
    )
    db.session.commit()
    assert ordered(search(member_client, q="rankword")) == [
        f"thread-{old.id}",
        f"thread-{new.id}",
    ]
    assert ordered(search(member_client, q="rankword", sort="newest")) == [
        f"thread-{new.id}",
        f"thread-{old.id}",
    ]


# Empty, stop words, too long ---------------------------------------------------------------


def test_empty_query_is_a_friendly_start(client):
    response = client.get("/search/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="search-start"' in page and 'id="search-results-heading"' not in page
    assert "<title>Search – Roundtable</title>" in page
    assert 'id="search-form"' in page and 'role="search"' in page


def test_only_common_words_says_so(client):
    response = search(client, q="the and of")
    assert response.status_code == 200
    assert 'id="search-no-words"' in response.get_data(as_text=True)


def test_too_long_a_query_is_refused_next_to_the_field(client):
    long = "wellbeing " * 30
    response = search(client, q=long)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Error: Search – Roundtable</title>" in page
    assert 'class="error-summary"' in page and 'href="#q"' in page
    assert 'id="q-error"' in page and "Search must be 200 characters or fewer" in page
    assert long.strip() in page  # what was typed is kept
    assert 'id="search-results-heading"' not in page


def test_no_results_message(member_client, corpus):
    page = search(member_client, q="zebra").get_data(as_text=True)
    assert "0 results for “zebra”" in page and 'id="search-none"' in page


# Paging and query counts -------------------------------------------------------------------


def test_results_are_paged_by_twenty(make, client):
    posts = many_threads(make, 25)
    first = search(client, q="datawalk", sort="newest")
    assert len(ordered(first)) == 20
    assert ordered(first)[0] == f"thread-{posts[-1].id}"
    page = first.get_data(as_text=True)
    assert "25 results for “datawalk”" in page
    assert 'aria-label="Search results pages"' in page
    assert "sort=newest" in page and "page=2" in page
    second = search(client, q="datawalk", sort="newest", page=2)
    assert len(ordered(second)) == 5
    assert "(page 2 of 2)" in second.get_data(as_text=True)
    assert 'start="21"' in second.get_data(as_text=True)
    beyond = search(client, q="datawalk", page=9).get_data(as_text=True)
    assert 'id="search-past-end"' in beyond and found_ids(beyond) == []
    assert search(client, q="datawalk", page="x").status_code == 200
    assert search(client, q="datawalk", page=10**30).status_code == 200


def test_counting_stops_at_the_cap(make, client, monkeypatch):
    monkeypatch.setattr(services, "MAX_RESULTS", 25)
    many_threads(make, 30)
    first = search(client, q="datawalk")
    page = first.get_data(as_text=True)
    assert "More than 25 results for “datawalk”" in page and 'id="search-more"' in page
    assert len(ordered(first)) == 20
    assert len(ordered(search(client, q="datawalk", page=2))) == 5
    assert 'id="search-past-end"' in search(client, q="datawalk", page=3).get_data(as_text=True)
    htmx = client.get("/search/", query_string={"q": "datawalk"}, headers=HX)
    assert "More than 25 results found." in htmx.get_data(as_text=True)


@pytest.mark.parametrize("who", ["client", "member_client", "moderator_client"])
def test_a_constant_number_of_queries(request, make, count_queries, who):
    client = request.getfixturevalue(who)
    many_threads(make, 3, word="fewword")
    many_threads(make, 30, word="manyword")
    search(client, q="fewword")  # warm up (first-request work)
    with count_queries() as few:
        assert len(ordered(search(client, q="fewword"))) == 3
    with count_queries() as lots:
        assert len(ordered(search(client, q="manyword"))) == 20
    assert few.count == lots.count, (few.statements, lots.statements)


# htmx, the header box, CSRF ----------------------------------------------------------------


def test_htmx_gets_the_form_and_results_alone(member_client, corpus):
    response = member_client.get("/search/", query_string={"q": "wellbeing"}, headers=HX)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert '<div id="search" class="search">' in page
    assert "<title>Search results for “wellbeing” – Roundtable</title>" in page
    assert 'hx-swap-oob="innerHTML:#sr-status"' in page and "results found." in page
    assert found(response) == corpus.of(*MEMBER)
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_error_comes_back_in_place(client):
    response = client.get("/search/", query_string={"q": "x" * 201}, headers=HX)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<html" not in page and 'class="error-summary"' in page
    assert "<title>Error: Search – Roundtable</title>" in page
    assert "hx-swap-oob" not in page  # the error summary takes focus: nothing announced


def test_the_form_works_without_javascript_and_with_htmx(client):
    page = client.get("/search/").get_data(as_text=True)
    form = re.search(r'<form id="search-form"[^>]*>', page).group(0)
    assert 'method="get"' in form and 'action="/search/"' in form
    assert 'hx-get="/search/"' in form and 'hx-target="#search"' in form
    assert 'hx-push-url="true"' in form


def test_every_page_has_the_search_box(client):
    page = client.get("/").get_data(as_text=True)
    box = re.search(r'<form role="search"[^>]*id="site-search"[^>]*>', page).group(0)
    assert 'method="get"' in box and 'action="/search/"' in box
    assert '<label for="site-search-q"' in page and 'name="q"' in page


def test_search_needs_no_csrf_token(app, client, corpus):
    app.config["WTF_CSRF_ENABLED"] = True
    assert search(client).status_code == 200


def test_post_is_not_allowed(client):
    assert client.post("/search/").status_code == 405
