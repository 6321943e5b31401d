"""The boards' rules without HTTP: counts, phases, edits and revisions, removal, votes, trees,
similar questions and mentions."""

from datetime import timedelta

import pytest

from app.boards import queries, services
from app.boards.mentions import link_mentions, mentioned_words
from app.extensions import db
from app.models import Board, MeetingStatus, Post, PostRevision, Role, Vote
from app.timeutil import utcnow


def board_of(make, **fields) -> Board:
    return make.meeting(**fields).boards[0]


def fresh(obj):
    db.session.refresh(obj)
    return obj


# Counts and phases -------------------------------------------------------------------------


def test_threads_and_replies_keep_board_counts_exact(make):
    board = board_of(make)
    question = make.thread(board)
    make.thread(board, kind="discussion")
    reply = make.reply(question)
    make.reply(reply)
    db.session.commit()
    fresh(board)
    assert (board.question_count, board.post_count) == (1, 4)
    assert fresh(question).reply_count == 2
    assert board.version == 4


def test_removal_keeps_the_row_its_place_and_its_count(make):
    board = board_of(make)
    author = make.user(password=None)
    question = make.thread(board, author, body="What I *said*")
    reply = make.reply(question, author)
    version = fresh(board).version
    services.remove_post(reply, author)
    services.remove_post(question, author)
    assert services.remove_post(question, author) is False
    db.session.commit()
    fresh(board)
    # Counters count rows, and the rows stay: the meetings area relies on this to know that a
    # board is empty before deleting it.
    assert (board.question_count, board.post_count) == (1, 2)
    assert fresh(question).reply_count == 1
    assert board.version == version + 2
    # The text stays (for moderators); the post shows as removed by its author.
    assert question.removed_by_author and question.body == "What I *said*"
    assert db.session.get(Post, reply.id).removed_at is not None


@pytest.mark.parametrize(
    ("starts_in", "phase"),
    [
        (timedelta(days=2), "before"),
        (timedelta(minutes=-10), "during"),
        (timedelta(days=-2), "after"),
    ],
)
def test_each_post_records_the_phase_it_was_written_in(make, starts_in, phase):
    board = board_of(make, starts_in=starts_in)
    question = make.thread(board)
    assert question.phase == phase
    assert make.reply(question).phase == phase


def test_phase_follows_the_time_given(make):
    board = board_of(make, starts_in=timedelta(days=-30))
    before = make.thread(board, now=board.meeting.starts_at - timedelta(days=1))
    after = make.thread(board, now=board.meeting.ends_at + timedelta(days=1))
    assert (before.phase, after.phase) == ("before", "after")


def test_replies_carry_thread_branch_and_depth(make):
    board = board_of(make)
    question = make.thread(board)
    first = make.reply(question)
    second = make.reply(first)
    third = make.reply(second)
    assert (first.root_id, first.branch_id, first.depth) == (question.id, None, 1)
    assert (second.root_id, second.branch_id, second.depth) == (question.id, first.id, 2)
    assert (third.root_id, third.branch_id, third.depth) == (question.id, first.id, 3)


def test_no_reply_to_a_removed_post(make):
    board = board_of(make)
    author = make.user(password=None)
    question = make.thread(board, author)
    services.remove_post(question, author)
    with pytest.raises(services.Refused):
        make.reply(question)


# Board state -------------------------------------------------------------------------------


def test_board_state_for_each_kind_of_person(make):
    board = board_of(make)
    member = make.user(password=None)
    facilitator = make.user(roles=Role.MEMBER | Role.FACILITATOR, password=None)
    moderator = make.user(roles=Role.MEMBER | Role.MODERATOR, password=None)
    admin = make.user(roles=Role.MEMBER | Role.ADMIN, password=None)
    state = services.board_state(board, member)
    assert (state.can_post, state.can_facilitate, state.moderator) == (True, False, False)
    assert services.board_state(board, facilitator).can_facilitate
    assert services.board_state(board, moderator).moderator
    admin_state = services.board_state(board, admin)
    assert admin_state.can_facilitate and admin_state.moderator


def test_closed_and_cancelled_boards_are_read_only(make):
    closed = board_of(make)
    closed.closed_at = utcnow()
    cancelled = board_of(make, status=MeetingStatus.CANCELLED)
    member = make.user(password=None)
    for board in (closed, cancelled):
        assert not services.is_writable(board)
        assert not services.board_state(board, member).can_post


def test_hidden_counts_apply_only_before_the_meeting(make):
    upcoming = board_of(make)
    upcoming.hide_votes_until_start = True
    running = board_of(make, starts_in=timedelta(minutes=-5))
    running.hide_votes_until_start = True
    member = make.user(password=None)
    facilitator = make.user(roles=Role.MEMBER | Role.FACILITATOR, password=None)
    assert services.board_state(upcoming, member).show_counts is False
    assert services.board_state(upcoming, facilitator).show_counts is True
    assert services.board_state(running, member).show_counts is True


# Edits -------------------------------------------------------------------------------------


def test_edits_in_the_first_five_minutes_are_silent(make):
    board = board_of(make)
    author = make.user(password=None)
    question = make.thread(board, author, title="Old title", body="Old *body*")
    revision = services.edit_post(
        question,
        author,
        title="New title",
        body="New body",
        now=question.created_at + timedelta(minutes=4),
    )
    assert revision is None
    assert question.edited_at is None
    assert question.body_html == "<p>New body</p>"
    assert db.session.query(PostRevision).count() == 0


def test_later_edits_keep_the_previous_version(make):
    board = board_of(make)
    author = make.user(password=None)
    question = make.thread(board, author, title="Old title", body="Old *body*")
    later = question.created_at + timedelta(minutes=6)
    revision = services.edit_post(question, author, title="New title", body="New", now=later)
    assert revision is not None
    assert (revision.title, revision.body, revision.body_html) == (
        "Old title",
        "Old *body*",
        "<p>Old <em>body</em></p>",
    )
    assert revision.written_at == question.created_at
    assert question.edited_at == later
    again = services.edit_post(
        question, author, title="Newer", body="New", now=later + timedelta(1)
    )
    assert again.written_at == later


def test_an_edit_that_changes_nothing_keeps_nothing(make):
    board = board_of(make)
    author = make.user(password=None)
    question = make.thread(board, author, title="Same", body="Same")
    later = question.created_at + timedelta(hours=1)
    assert services.edit_post(question, author, title="Same", body="Same", now=later) is None
    assert question.edited_at is None


# Votes -------------------------------------------------------------------------------------


def test_vote_toggle_keeps_count_and_rows_equal(make):
    board = board_of(make)
    question = make.thread(board)
    voter = make.user(password=None)
    assert services.set_vote(question, voter, True) == services.VoteResult(True, 1, True)
    assert services.set_vote(question, voter, False) == services.VoteResult(False, 0, True)
    assert services.set_vote(question, voter, False) == services.VoteResult(False, 0, False)
    assert db.session.query(Vote).count() == 0


def test_a_second_vote_hits_the_unique_constraint_and_counts_once(make):
    board = board_of(make)
    question = make.thread(board)
    voter = make.user(password=None)
    services.set_vote(question, voter, True)
    db.session.commit()
    result = services.set_vote(question, voter, True)
    assert result == services.VoteResult(True, 1, False)
    assert db.session.get(Post, question.id).vote_count == 1
    assert db.session.query(Vote).count() == 1


@pytest.mark.parametrize("case", ["own", "discussion", "reply", "closed", "cancelled", "removed"])
def test_vote_problems(make, case):
    board = board_of(make, status=MeetingStatus.CANCELLED if case == "cancelled" else "published")
    author, voter = make.user(password=None), make.user(password=None)
    post = make.thread(board, author, kind="discussion" if case == "discussion" else "question")
    if case == "reply":
        post = make.reply(post, author)
    if case == "closed":
        board.closed_at = utcnow()
    if case == "removed":
        services.remove_post(post, author)
    who = author if case == "own" else voter
    assert services.vote_problem(post, who, board)


def test_members_may_vote_on_others_questions_on_open_boards(make):
    board = board_of(make)
    assert services.vote_problem(make.thread(board), make.user(password=None), board) is None


# Reply trees -------------------------------------------------------------------------------


def chain_of(make, thread, length):
    posts, parent = [], thread
    for _ in range(length):
        parent = make.reply(parent)
        posts.append(parent)
    return posts


def test_tree_nests_to_depth_four_then_runs_flat(make):
    board = board_of(make)
    thread = make.thread(board)
    d1, d2, d3, d4, d5, d6 = chain_of(make, thread, 6)
    side = make.reply(d4)  # another answer to d4, written after d6
    db.session.commit()
    _, nodes = queries.reply_page(thread, 1)
    assert [n.post.id for n in nodes] == [d1.id]
    level3 = nodes[0].children[0].children[0]
    assert level3.post.id == d3.id
    # d4 and everything below it share d3's list, oldest first, each saying whom it answers.
    assert [n.post.id for n in level3.children] == [d4.id, d5.id, d6.id, side.id]
    assert [n.in_reply_to.id if n.in_reply_to else None for n in level3.children] == [
        None,
        d4.id,
        d5.id,
        d4.id,
    ]
    assert all(not n.children for n in level3.children)


def test_placement_of_new_replies_matches_the_tree(make):
    board = board_of(make)
    thread = make.thread(board)
    d1 = make.reply(thread)
    assert queries.placement(d1) == queries.Placement("append", thread.id)
    d2 = make.reply(d1)
    assert queries.placement(d2) == queries.Placement("new-list", d1.id)
    d2b = make.reply(d1)
    assert queries.placement(d2b) == queries.Placement("append", d1.id)
    d3 = make.reply(d2)
    d4 = make.reply(d3)
    d5 = make.reply(d4)
    assert queries.placement(d5) == queries.Placement("after", d4.id)
    d6 = make.reply(d5)
    assert queries.placement(d6) == queries.Placement("after", d5.id)
    d5b = make.reply(d4)
    assert queries.placement(d5b) == queries.Placement("after", d6.id)


def test_reply_page_number_follows_the_first_level_reply(make):
    board = board_of(make)
    thread = make.thread(board)
    start = utcnow()
    firsts = [make.reply(thread, now=start + timedelta(seconds=i)) for i in range(52)]
    deep = make.reply(firsts[51], now=start + timedelta(minutes=5))
    assert queries.reply_page_number(firsts[0]) == 1
    assert queries.reply_page_number(firsts[49]) == 1
    assert queries.reply_page_number(firsts[50]) == 2
    assert queries.reply_page_number(deep) == 2


# Similar questions -------------------------------------------------------------------------


def test_similar_questions_rank_by_shared_words(make):
    board = board_of(make)
    best = make.thread(board, title="How do we measure wellbeing with local data?")
    some = make.thread(board, title="Local data is patchy")
    make.thread(board, title="Who holds leaders to account?")
    make.thread(board, kind="discussion", title="Local data and wellbeing stories")
    other_board = board_of(make)
    make.thread(other_board, title="Local data wellbeing measure")
    found = queries.similar_questions(board.id, "Measuring wellbeing from local data")
    assert [row.id for row in found] == [best.id, some.id]
    assert [row.id for row in queries.similar_questions(board.id, "wellbeing")] == [best.id]
    assert queries.similar_questions(board.id, "the and of") == []


def test_significant_words_drop_stopwords_and_short_words():
    assert queries.significant_words("How do we use the data well, and why?") == [
        "use",
        "data",
        "well",
    ]


# Mentions ----------------------------------------------------------------------------------


def test_mentions_link_full_names_and_unique_first_names(make):
    amara = make.user(name="Amara Okafor", password=None)
    rhys = make.user(name="Rhys Evans", password=None)
    make.user(name="Sam Lee", password=None)
    make.user(name="Sam Patel", password=None)
    html = services.render_body("Thanks @Amara Okafor and @rhys, and @Sam too. Mail a@b.org")
    assert f'<a class="mention" href="/community/members/{amara.id}">@Amara Okafor</a>' in html
    assert f'<a class="mention" href="/community/members/{rhys.id}">@rhys</a>' in html
    assert "@Sam too" in html  # two Sams: no guess
    assert "a@b.org" in html and "mention" not in html.split("a@b.org")[0].split("@Sam")[-1]


def test_mentions_skip_code_and_links_and_escape_names(make):
    make.user(name="Rhys Evans", password=None)
    make.user(name='Eve <script>"x"', password=None)
    html = services.render_body("`@Rhys` and [@Rhys](https://example.org) and @Eve")
    assert "<code>@Rhys</code>" in html
    assert 'href="https://example.org" rel="nofollow ugc noopener">@Rhys</a>' in html
    assert "<script>" not in html
    assert 'class="mention"' in html and ">@Eve</a>" in html


def test_mention_lookup_is_bounded():
    words = mentioned_words(" ".join(f"@name{i}" for i in range(50)))
    assert len(words) == 10


def test_link_mentions_without_people_changes_nothing(make):
    assert link_mentions("<p>@Nobody here</p>", "@Nobody here") == "<p>@Nobody here</p>"
