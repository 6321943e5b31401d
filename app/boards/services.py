"""The boards' rules: who sees and writes what, posting, editing, removal, votes, board settings.

Services flush and never commit: the route that calls them commits once. Every counter (a
board's questions and posts, a thread's replies, a question's votes) and every version used
as an ETag changes through an atomic SQL UPDATE in the same transaction as the rows it counts,
so the numbers stay exact however many people post and vote at once. Counters count rows:
a removed post keeps its row and its place, so it stays counted.

Moderation (app/moderation) decides whether a post is held or hidden; these services keep the
counters honest about it. A board's question and post counts count published posts only (not
held, not hidden), so a count never reveals a moderated post; a thread's reply count counts the
places in the thread (a hidden reply keeps its place as "Hidden by the moderators", a held one
has none until it is approved). publication_changed() moves them when moderation decides.
"""

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.boards.mentions import link_mentions
from app.content import render_markdown
from app.extensions import db
from app.models import Board, MeetingStatus, Phase, Post, PostKind, PostRevision, Role, User, Vote
from app.notifications import services as notify
from app.permissions import can_participate
from app.timeutil import utcnow

# Edits this soon after posting are typo fixes: no revision is kept and no "edited" shown.
SILENT_EDIT_WINDOW = timedelta(minutes=5)
TITLE_MAX = 150
BODY_MAX = 10_000


class Refused(Exception):
    """An action the rules do not allow; the message says why, in words for the person."""


# Seeing and writing ------------------------------------------------------------------------


def get_board(board_id: int) -> Board | None:
    """The board with its meeting and theme, in one query."""
    return db.session.scalar(_board_query(), {"board_id": board_id})


def get_post(post_id: int) -> Post | None:
    """The post with its author, board, meeting and theme, in one query."""
    return db.session.scalar(_post_query(), {"post_id": post_id})


# Built once: every board and thread page starts with one of these, and building a statement
# with its eager loads cost more than running it.


@functools.cache
def _board_query():
    return (
        select(Board)
        .options(joinedload(Board.meeting), joinedload(Board.theme))
        .where(Board.id == bindparam("board_id"))
    )


@functools.cache
def _post_query():
    return (
        select(Post)
        .options(
            joinedload(Post.author),
            joinedload(Post.board).joinedload(Board.meeting),
            joinedload(Post.board).joinedload(Board.theme),
        )
        .where(Post.id == bindparam("post_id"))
    )


def _is(user, role: Role) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(role))


def can_view(board: Board, user) -> bool:
    """Draft meetings' boards are for facilitators (and admins) only."""
    return board.meeting.status != MeetingStatus.DRAFT or _is(user, Role.FACILITATOR)


def is_writable(board: Board) -> bool:
    """Closed boards and cancelled meetings' boards are read-only for everyone."""
    return not board.is_closed and board.meeting.status != MeetingStatus.CANCELLED


def counts_hidden(board: Board, now: datetime | None = None) -> bool:
    """True while the facilitator's "hide vote counts until the meeting starts" applies."""
    return board.hide_votes_until_start and board.meeting.phase(now) == Phase.BEFORE


@dataclass(frozen=True)
class BoardState:
    """What one viewer may see and do on one board now; computed once per request."""

    phase: str
    writable: bool
    can_post: bool
    can_facilitate: bool
    moderator: bool  # sees who wrote anonymous posts, removed text, held and hidden posts
    suspended: bool  # a member who may read but not post, vote or report (moderation)
    counts_hidden: bool  # hidden from members at the moment
    show_counts: bool  # this viewer sees counts (facilitators always do)
    user_id: int | None

    @property
    def live(self) -> bool:
        """Pages poll for new posts only while the meeting runs."""
        return self.phase == Phase.DURING

    def shared(self) -> "BoardState":
        """This state as any member of the same class sees it: for a list rendered once for
        all of them, in which each post's author sees their own version (app.fragments)."""
        return replace(self, user_id=ANY_MEMBER) if self.user_id is not None else self

    def as_author(self, author_id: int) -> "BoardState":
        return replace(self, user_id=author_id)

    @property
    def for_any_member(self) -> bool:
        return self.user_id == ANY_MEMBER


# A member id no author has: "a member, not the author of this post".
ANY_MEMBER = -1


def board_state(board: Board, user, now: datetime | None = None) -> BoardState:
    """Work out the viewer's rights on board (board.meeting is loaded with it; a member's
    standing, for suspensions, is one query a request)."""
    writable = is_writable(board)
    member = _is(user, Role.MEMBER)
    suspended = member and not can_participate(user)
    facilitator = _is(user, Role.FACILITATOR)
    hidden = counts_hidden(board, now)
    return BoardState(
        phase=board.meeting.phase(now),
        writable=writable,
        can_post=member and writable and not suspended,
        can_facilitate=facilitator,
        moderator=_is(user, Role.MODERATOR),
        suspended=suspended,
        counts_hidden=hidden,
        show_counts=facilitator or not hidden,
        user_id=user.id if member else None,
    )


def can_edit(post: Post, user, board: Board) -> bool:
    """Authors edit and remove their own posts while the board is open (a held post too, while
    it waits for review; not one the moderators hid)."""
    return bool(
        user is not None
        and user.is_authenticated
        and post.author_id == user.id
        and not post.is_removed
        and not post.is_hidden
        and is_writable(board)
    )


def can_see_revisions(post: Post, user) -> bool:
    """The author and moderators (admins too) may read a post's earlier versions."""
    if user is None or not user.is_authenticated:
        return False
    return post.author_id == user.id or user.has_role(Role.MODERATOR)


# Writing -----------------------------------------------------------------------------------


def render_body(text: str) -> str:
    """Markdown to sanitised HTML (app.content), then @mentions linked to profiles."""
    if not text or not text.strip():
        return ""
    return link_mentions(render_markdown(text), text)


def _bump_board(board_id: int, *, posts: int = 0, questions: int = 0) -> None:
    values = {"version": Board.version + 1}
    if posts:
        values["post_count"] = Board.post_count + posts
    if questions:
        values["question_count"] = Board.question_count + questions
    db.session.execute(
        update(Board).where(Board.id == board_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def touch(post: Post) -> None:
    """Move the versions of the lists that show post (its thread, its board), for a change
    that moves no counter (a moderator's decision)."""
    if post.thread_id != post.id:
        _bump_thread(post.thread_id)
    _bump_board(post.board_id)


def _bump_thread(thread_id: int, *, replies: int = 0, activity_at: datetime | None = None):
    values = {"version": Post.version + 1}
    if replies:
        values["reply_count"] = Post.reply_count + replies
    if activity_at is not None:
        values["last_activity_at"] = activity_at
    db.session.execute(
        update(Post).where(Post.id == thread_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def _refresh(model, ident: int, *names: str) -> None:
    """Forget counters changed in SQL on an object already loaded, so its next read is exact.

    Looked up in the identity map only: an object nobody loaded needs no refresh (and no query).
    """
    obj = db.session.identity_map.get(db.session.identity_key(model, ident))
    if obj is not None:
        db.session.expire(obj, list(names))


def create_thread(
    board: Board,
    author: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    anonymous: bool = False,
    now: datetime | None = None,
    held_reason: str | None = None,
) -> Post:
    """Start a question or a discussion; the board's counts move in the same transaction.

    With held_reason (app.moderation.services.hold_reason) the post waits for review: nobody
    but its author and the moderators sees it, and nothing is counted until it is approved.
    """
    if kind not in PostKind.THREADS:
        raise ValueError(f"not a thread kind: {kind}")
    now = now or utcnow()
    post = Post(
        board_id=board.id,
        kind=kind,
        title=title,
        body=body or "",
        body_html=render_body(body),
        author_id=author.id,
        anonymous=anonymous,
        phase=board.meeting.phase(now),
        created_at=now,
        last_activity_at=now,
        depth=0,
        held_at=now if held_reason else None,
        held_reason=held_reason or "",
    )
    db.session.add(post)
    db.session.flush()
    notify.thread_created(post)
    if held_reason:
        return post
    _bump_board(board.id, posts=1, questions=1 if kind == PostKind.QUESTION else 0)
    _refresh(Board, board.id, "post_count", "question_count", "version")
    return post


def create_reply(
    parent: Post,
    author: User,
    *,
    body: str,
    anonymous: bool = False,
    now: datetime | None = None,
    held_reason: str | None = None,
) -> Post:
    """Reply to parent; the thread's reply count and the board's post count move with it.

    A held reply (held_reason given) moves no counter and no activity time until approved.
    """
    if parent.is_removed:
        raise Refused("You cannot reply to a removed post.")
    if not parent.is_published:
        raise Refused("You cannot reply to a post the moderators are reviewing.")
    now = now or utcnow()
    depth = parent.depth + 1
    thread_id = parent.thread_id
    post = Post(
        board_id=parent.board_id,
        kind=PostKind.REPLY,
        root_id=thread_id,
        parent_id=parent.id,
        branch_id=None if depth == 1 else (parent.branch_id or parent.id),
        depth=depth,
        body=body,
        body_html=render_body(body),
        author_id=author.id,
        anonymous=anonymous,
        phase=parent.board.meeting.phase(now),
        created_at=now,
        last_activity_at=now,
        held_at=now if held_reason else None,
        held_reason=held_reason or "",
    )
    db.session.add(post)
    db.session.flush()
    notify.reply_posted(post)
    if held_reason:
        return post
    _bump_thread(thread_id, replies=1, activity_at=now)
    _bump_board(parent.board_id, posts=1)
    _refresh(Post, thread_id, "reply_count", "version", "last_activity_at")
    _refresh(Board, parent.board_id, "post_count", "version")
    return post


def edit_post(
    post: Post, editor: User, *, title: str, body: str, now: datetime | None = None
) -> PostRevision | None:
    """Change a post's text; after the silent window the old text is kept as a revision.

    Returns the revision kept, or None for a silent edit (or no change at all).
    """
    now = now or utcnow()
    title = title if post.is_thread else ""
    if title == post.title and body == post.body:
        return None
    revision = None
    if now - post.created_at >= SILENT_EDIT_WINDOW:
        revision = PostRevision(
            post_id=post.id,
            title=post.title,
            body=post.body,
            body_html=post.body_html,
            written_at=post.edited_at or post.created_at,
            created_at=now,
            edited_by_id=editor.id,
        )
        db.session.add(revision)
        post.edited_at = now
    post.title = title
    post.body = body
    post.body_html = render_body(body)
    db.session.flush()
    _bump_thread(post.thread_id)
    _bump_board(post.board_id)
    _refresh(Post, post.thread_id, "version")
    _refresh(Board, post.board_id, "version")
    notify.post_edited(post)
    return revision


def remove_post(post: Post, by: User, now: datetime | None = None) -> bool:
    """Soft-remove a post: it keeps its place (and its text, for moderators) in the thread.

    Returns False when it was already removed. The row stays, so the counts (which count rows)
    do not change; pages polling the board or thread see the change through their versions.
    """
    if post.is_removed:
        return False
    post.removed_at = now or utcnow()
    post.removed_by_id = by.id
    db.session.flush()
    _bump_thread(post.thread_id)
    _bump_board(post.board_id)
    _refresh(Post, post.thread_id, "version")
    _refresh(Board, post.board_id, "version")
    notify.post_removed(post)
    return True


def publication_changed(
    post: Post, *, published: int = 0, placed: int = 0, now: datetime | None = None
) -> None:
    """Move the counters when moderation changes a post's state, in the same transaction.

    published: +1 when the post becomes published (approved, restored), -1 when it stops being
    (hidden); placed: +1 when a held reply takes its place in its thread. The versions move too,
    so pages polling the board or thread see the change.
    """
    question = post.is_thread and post.kind == PostKind.QUESTION
    _bump_board(post.board_id, posts=published, questions=published if question else 0)
    if post.is_thread:
        _bump_thread(post.id)
    else:
        _bump_thread(post.thread_id, replies=placed, activity_at=now if placed > 0 else None)
    _refresh(Post, post.thread_id, "reply_count", "version", "last_activity_at")
    _refresh(Board, post.board_id, "post_count", "question_count", "version")


# Votes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    voted: bool
    count: int
    changed: bool


def vote_problem(post: Post, user: User, board: Board) -> str | None:
    """Why user may not vote on post now, or None when they may."""
    if post.kind != PostKind.QUESTION:
        return "Only questions can be voted on."
    if post.is_removed:
        return "This question was removed."
    if not post.is_published:
        return "This question is with the moderators."
    if not can_participate(user):
        return "You cannot vote while you are suspended."
    if post.author_id == user.id:
        return "You cannot vote for your own question."
    if not is_writable(board):
        return "Voting has closed on this board."
    return None


def _add_to_count(post: Post, step: int) -> int:
    count = db.session.execute(
        _count_vote(), {"post_id": post.id, "step": step}, execution_options=_UNSYNCED
    ).scalar_one()
    set_committed_value(post, "vote_count", count)
    _refresh(Post, post.id, "version")
    db.session.execute(
        _bump_board_version(), {"board_id": post.board_id}, execution_options=_UNSYNCED
    )
    _refresh(Board, post.board_id, "version")
    return count


# A vote's statements, built once: when everyone votes at once, building them was a visible
# share of each vote's time.
_UNSYNCED = {"synchronize_session": False}


@functools.cache
def _count_vote():
    return (
        update(Post)
        .where(Post.id == bindparam("post_id"))
        .values(vote_count=Post.vote_count + bindparam("step"), version=Post.version + 1)
        .returning(Post.vote_count)
    )


@functools.cache
def _bump_board_version():
    return update(Board).where(Board.id == bindparam("board_id")).values(version=Board.version + 1)


@functools.cache
def _delete_vote_row():
    return delete(Vote).where(
        Vote.post_id == bindparam("post_id"), Vote.user_id == bindparam("user_id")
    )


def set_vote(post: Post, user: User, want: bool) -> VoteResult:
    """Add (want=True) or take back user's vote on post; the count changes only with a row.

    A second insert for the same person fails on the unique constraint: the transaction is
    rolled back and the vote counts as already there. A delete that finds no row changes
    nothing. Either way vote_count equals the number of vote rows.
    """
    post_id, user_id = post.id, user.id
    if want:
        db.session.add(Vote(post_id=post_id, user_id=user_id))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return VoteResult(True, _current_count(post_id), False)
        return VoteResult(True, _add_to_count(post, +1), True)
    if not _delete_vote(post_id, user_id):
        return VoteResult(False, _current_count(post_id), False)
    return VoteResult(False, _add_to_count(post, -1), True)


def toggle_vote(post: Post, user: User) -> VoteResult:
    """Take back user's vote on post when there is one, else add it (a request that does not
    say what its button showed): the delete itself tells, so nothing is asked first."""
    if _delete_vote(post.id, user.id):
        return VoteResult(False, _add_to_count(post, -1), True)
    return set_vote(post, user, True)


def _delete_vote(post_id: int, user_id: int) -> int:
    params = {"post_id": post_id, "user_id": user_id}
    return db.session.execute(_delete_vote_row(), params, execution_options=_UNSYNCED).rowcount


def _current_count(post_id: int) -> int:
    return db.session.scalar(select(Post.vote_count).where(Post.id == post_id)) or 0


# Built once: asked on every board and thread page a member opens.


@functools.cache
def _voted():
    return select(Vote.post_id).where(
        Vote.user_id == bindparam("user_id"), Vote.post_id.in_(bindparam("ids", expanding=True))
    )


def voted_post_ids(user, post_ids: list[int]) -> set[int]:
    """Which of post_ids the user has voted for (one query; none for visitors or no posts)."""
    if not post_ids or user is None or not user.is_authenticated:
        return set()
    params = {"user_id": user.id, "ids": list(post_ids)}
    return set(db.session.connection().execute(_voted(), params).scalars())
