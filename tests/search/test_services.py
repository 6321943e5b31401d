"""Reading queries, marking snippets safely, and keeping the index in step with the data."""

from datetime import timedelta
from types import SimpleNamespace

from markupsafe import Markup
from sqlalchemy import delete, insert, inspect, select, update

from app.actions import services as actions
from app.auth import services as auth
from app.boards import services as boards
from app.extensions import db
from app.meetings import services as meetings
from app.meetings.services import MeetingDetails
from app.models import Meeting, Post, SearchDocument, User
from app.models.search import include_object, install_search_ddl, remove_search_ddl
from app.search import services
from app.search.indexing import plain_text, reindex_all
from app.timeutil import utcnow
from tests import factories

# Reading what people type ------------------------------------------------------------------


def test_terms_are_plain_lower_case_words_without_stop_words():
    assert services.terms_of("How do we use DATA, data and Data?") == ["use", "data"]
    assert services.terms_of('"quoted" NEAR(a b) OR -minus col:on*') == [
        "quoted",
        "near",
        "b",
        "minus",
        "col",
    ]
    assert services.terms_of("levelling-up isn't_easy") == ["levelling", "isn", "easy"]
    assert services.terms_of("the and of") == []
    assert services.terms_of("") == []
    assert services.terms_of("Café naïve 2022") == ["café", "naïve", "2022"]


def test_at_most_twelve_terms():
    words = [f"word{i}" for i in range(20)]
    assert services.terms_of(" ".join(words)) == words[:12]


def test_marked_escapes_first_and_only_adds_marks():
    assert services.marked("a \x02b\x03 <i>c</i>") == Markup(
        "a <mark>b</mark> &lt;i&gt;c&lt;/i&gt;"
    )
    # A cut snippet with a marker left open shows no mark at all rather than an open tag.
    assert services.marked("a \x02b c") == Markup("a b c")
    assert services.marked(None) == Markup("")
    assert isinstance(services.marked("x"), Markup)


def test_plain_text_strips_tags_and_marker_characters():
    assert plain_text("<p>Local <strong>data</strong> &amp; more</p>") == "Local data & more"
    assert plain_text("", "raw  **text**\n here") == "raw **text** here"
    assert "\x02" not in plain_text("<p>a \x02forged\x03 mark</p>")


# Keeping the index in step -----------------------------------------------------------------


def doc(kind: str, object_id: int) -> SearchDocument | None:
    db.session.expire_all()
    return db.session.scalar(
        select(SearchDocument).where(
            SearchDocument.kind == kind, SearchDocument.object_id == object_id
        )
    )


def found_for(terms: str, viewer=None) -> set[tuple[str, int]]:
    page = services.search(
        services.terms_of(terms),
        services.Filters(),
        viewer or services.Viewer(member=True, facilitator=True, moderator=True),
        1,
    )
    return {(hit.kind, hit.id) for hit in page.items}


def test_posts_are_indexed_when_written_and_edited(make):
    meeting = make.meeting()
    author = make.user(name="Amara Okoye", password=None)
    thread = make.thread(meeting.boards[0], author, title="Rural transport", body="Buses *matter*")
    reply = make.reply(thread, body="So do trains")
    db.session.commit()
    indexed = doc("thread", thread.id)
    assert (indexed.title, indexed.body, indexed.author_name) == (
        "Rural transport",
        "Buses matter",
        "Amara Okoye",
    )
    assert (indexed.series_id, indexed.meeting_id) == (meeting.series_id, meeting.id)
    assert indexed.theme_id == meeting.boards[0].theme_id
    assert doc("reply", reply.id).body == "So do trains"

    boards.edit_post(thread, author, title="Rural transport links", body="Ferries too")
    db.session.commit()
    assert (doc("thread", thread.id).title, doc("thread", thread.id).body) == (
        "Rural transport links",
        "Ferries too",
    )
    assert found_for("ferries") == {("thread", thread.id)}
    assert found_for("buses") == set()


def test_anonymous_posts_carry_no_name(make):
    meeting = make.meeting()
    post = make.thread(meeting.boards[0], make.user(name="Hidden Name"), anonymous=True)
    db.session.commit()
    indexed = doc("thread", post.id)
    assert indexed.author_name == "" and indexed.author_id is None


def test_meetings_are_indexed_when_created_and_edited(make):
    facilitator = make.user(password=None)
    series = make.series(title="Levelling Up", themes=("Using data",))
    start = utcnow() + timedelta(days=3)
    details = MeetingDetails(
        title="Improved use of data",
        description="Metrics can hide the **story** of a place",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        online_url="",
        venue="",
        capacity=None,
        theme_ids=[series.themes[0].id],
        new_theme="",
    )
    meeting = meetings.create_meeting(series, details, facilitator)
    db.session.commit()
    assert doc("meeting", meeting.id).body == "Metrics can hide the story of a place"
    details.title = "Using data well"
    meetings.update_meeting(meeting, details, facilitator)
    db.session.commit()
    assert doc("meeting", meeting.id).title == "Using data well"


def test_action_edits_made_with_bulk_updates_are_indexed(make):
    proposer = make.user(name="Rhys Evans", password=None)
    facilitator = make.user(password=None)
    item = make.action(proposer, title="Map the bus routes")
    db.session.commit()
    assert doc("action", item.id).author_name == "Rhys Evans"
    # edit_action changes the row with one UPDATE ... WHERE version = ?: no ORM event.
    actions.edit_action(
        item,
        facilitator,
        title="Map the ferry routes",
        detail="With the *harbour* trust",
        due_on=item.due_on,
        reason="Wrong mode",
        version=item.version,
    )
    db.session.commit()
    indexed = doc("action", item.id)
    assert (indexed.title, indexed.body) == ("Map the ferry routes", "With the harbour trust")
    assert found_for("harbour") == {("action", item.id)}


def test_status_changes_leave_the_index_alone(make, count_queries):
    proposer = make.user(password=None)
    item = make.action(proposer)
    db.session.commit()
    before = doc("action", item.id).id
    actions.change_status(item, proposer, "in_progress", item.version)
    db.session.commit()
    assert doc("action", item.id).id == before  # not rewritten


def test_a_new_name_or_a_closed_account_changes_the_documents(make):
    person = make.user(name="Jo Mensah", password=None)
    meeting = make.meeting()
    named = make.thread(meeting.boards[0], person, title="One")
    hidden = make.thread(meeting.boards[0], person, title="Two", anonymous=True)
    item = make.action(person)
    db.session.commit()
    auth.update_profile(
        person, display_name="Joanna Mensah", organisation="", place="", bio="", pronouns=""
    )
    db.session.commit()
    assert doc("thread", named.id).author_name == "Joanna Mensah"
    assert doc("thread", hidden.id).author_name == ""
    assert doc("action", item.id).author_name == "Joanna Mensah"
    assert found_for("joanna") == {("thread", named.id), ("action", item.id)}
    person.active = False
    db.session.commit()
    assert doc("thread", named.id).author_name == ""
    assert found_for("joanna") == set()


def test_core_inserts_are_indexed_by_reindex(make):
    meeting = make.meeting()
    author = make.user(password=None)
    db.session.commit()
    now = utcnow()
    db.session.execute(
        insert(Post.__table__),
        [
            {
                "board_id": meeting.boards[0].id,
                "kind": "question",
                "title": f"Bulk question {i} about moorland",
                "body": "",
                "body_html": "",
                "author_id": author.id,
                "phase": "before",
                "created_at": now,
                "last_activity_at": now,
            }
            for i in range(3)
        ],
    )
    db.session.commit()
    assert found_for("moorland") == set()
    counts = reindex_all(db.session.connection())
    db.session.commit()
    assert counts == {"post": 3, "meeting": 1, "action": 0}
    assert len(found_for("moorland")) == 3


def test_reindex_command(app, make, runner):
    meeting = make.meeting(title="Moorland meeting")
    db.session.commit()
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()
    assert found_for("moorland") == set()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 0 posts, 1 meetings, 0 actions." in result.output
    assert found_for("moorland") == {("meeting", meeting.id)}


def test_deleting_removes_the_document(make):
    meeting_id = make.meeting(title="Soon gone", boards=False).id
    db.session.commit()
    assert doc("meeting", meeting_id) is not None
    db.session.delete(db.session.get(Meeting, meeting_id))
    db.session.commit()
    assert doc("meeting", meeting_id) is None


def test_bulk_delete_removes_the_documents(make):
    meeting_id = make.meeting(title="Gone in bulk", boards=False).id
    db.session.commit()
    assert doc("meeting", meeting_id) is not None
    db.session.execute(
        delete(Meeting).where(Meeting.id == meeting_id),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    assert doc("meeting", meeting_id) is None


def test_moderation_needs_no_reindex(make):
    """Visibility comes from the live rows: an automatic hide by bulk UPDATE counts at once."""
    meeting = make.meeting()
    post = make.thread(meeting.boards[0], title="Peat bogs")
    db.session.commit()
    member = services.Viewer(member=True)
    assert found_for("peat", member) == {("thread", post.id)}
    db.session.execute(
        update(Post).where(Post.id == post.id).values(hidden_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    assert found_for("peat", member) == set()
    assert found_for("peat") == {("thread", post.id)}  # moderators still find it


def test_a_users_name_change_by_bulk_update_is_indexed(make):
    person = make.user(name="Kai Brown", password=None)
    meeting = make.meeting()
    post = make.thread(meeting.boards[0], person, title="Harbours")
    db.session.commit()
    db.session.execute(
        update(User).where(User.id == person.id).values(display_name="Kai Green"),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    assert doc("thread", post.id).author_name == "Kai Green"


# The migration helpers -----------------------------------------------------------------------


def test_migration_helpers_drop_and_create_the_full_text_index(ctx):
    db.session.remove()  # no open transaction may hold a lock on the table

    def full_text_present() -> bool:
        inspector = inspect(db.engine)
        if db.engine.dialect.name == "sqlite":
            return "search_fts" in inspector.get_table_names()
        return "tsv" in {c["name"] for c in inspector.get_columns("search_document")}

    with db.engine.begin() as connection:
        remove_search_ddl(connection)
    try:
        assert not full_text_present()
    finally:
        with db.engine.begin() as connection:
            install_search_ddl(connection)
    assert full_text_present()
    meeting_id = factories.meeting(title="Migrated moorland", boards=False).id
    db.session.commit()
    assert found_for("moorland") == {("meeting", meeting_id)}


def test_include_object_hides_the_full_text_objects_from_autogenerate():
    document = SimpleNamespace(name="search_document")
    assert include_object(None, "search_fts", "table", True, None) is False
    assert include_object(None, "search_fts_data", "table", True, None) is False
    assert include_object(SimpleNamespace(table=document), "tsv", "column", True, None) is False
    assert include_object(None, "ix_search_document_tsv", "index", True, None) is False
    assert include_object(None, "search_document", "table", True, None) is True
    assert include_object(None, "post", "table", True, None) is True
