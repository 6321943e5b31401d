"""Read-side of the boards: thread lists, reply trees, similar questions, live counts.

Every list here runs a fixed number of indexed queries, whatever the number of rows: the
board page and the thread page cost the same with 10 threads or 500. Every list and count of
posts goes through app.models.moderation.visible(query, viewer): held and hidden posts never
reach members who may not see them.
"""

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.extensions import db
from app.models import Board, Meeting, MeetingStatus, Phase, Post, PostKind, visible

THREADS_PER_PAGE = 25
REPLIES_PER_PAGE = 50
# Replies nest this deep; below it they are shown flat, each saying whom it answers.
MAX_DEPTH_SHOWN = 4
BOARDS_PER_PAGE = 25

SORTS = {"top": "Most votes", "newest": "Newest", "active": "Most replies"}
KINDS = {"": "Questions and discussions", "question": "Questions", "discussion": "Discussions"}
PHASES = {
    "": "Any time",
    Phase.BEFORE: "Before the meeting",
    Phase.DURING: "During the meeting",
    Phase.AFTER: "After the meeting",
}


@dataclass(frozen=True)
class ThreadFilter:
    """The board page's filter and sort, read from the query string (unknown values ignored)."""

    kind: str = ""
    phase: str = ""
    sort: str = "top"

    @classmethod
    def from_args(cls, args, *, counts_shown: bool) -> "ThreadFilter":
        kind = args.get("kind", "")
        phase = args.get("phase", "")
        sort = args.get("sort", "top")
        if sort not in SORTS:
            sort = "top"
        # Ranking by hidden counts would reveal them.
        if sort == "top" and not counts_shown:
            sort = "newest"
        return cls(
            kind=kind if kind in KINDS else "",
            phase=phase if phase in PHASES else "",
            sort=sort,
        )

    def args(self) -> dict:
        """Only what differs from the defaults, for links and page URLs."""
        values = {"kind": self.kind, "phase": self.phase}
        if self.sort != "top":
            values["sort"] = self.sort
        return {k: v for k, v in values.items() if v}


def threads_query(board_id: int, f: ThreadFilter, viewer=None) -> Select:
    """Threads on a board that viewer may see, filtered and sorted, with their authors."""
    query = visible(
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.board_id == board_id, Post.parent_id.is_(None))
        # A removed thread with no replies has nothing left to read.
        .where(or_(Post.removed_at.is_(None), Post.reply_count > 0)),
        viewer,
    )
    if f.kind:
        query = query.where(Post.kind == f.kind)
    if f.phase:
        query = query.where(Post.phase == f.phase)
    if f.sort == "newest":
        return query.order_by(Post.created_at.desc(), Post.id.desc())
    if f.sort == "active":
        return query.order_by(Post.reply_count.desc(), Post.last_activity_at.desc(), Post.id.desc())
    return query.order_by(Post.vote_count.desc(), Post.created_at.desc(), Post.id.desc())


def thread_page(board_id: int, f: ThreadFilter, page: int, viewer=None):
    """One page (THREADS_PER_PAGE) of threads: a count query and an items query."""
    return db.paginate(
        threads_query(board_id, f, viewer), page=page, per_page=THREADS_PER_PAGE, error_out=False
    )


# Reply trees -------------------------------------------------------------------------------


@dataclass
class Node:
    """A reply as shown: its children, or for a flattened deep reply, whom it answers."""

    post: Post
    parent: Post | None = None
    children: list["Node"] = field(default_factory=list)
    # Set on replies below MAX_DEPTH_SHOWN, which are shown flat: the post they answer.
    in_reply_to: Post | None = None


def reply_page(thread: Post, page: int, viewer=None):
    """A page of first-level replies with their whole subtrees: three queries in all.

    Replies viewer may not see are left out; a hidden reply keeps its place (in_place), shown
    as "Hidden by the moderators". Returns (pagination, nodes).
    """
    pagination = db.paginate(
        visible(
            select(Post)
            .options(joinedload(Post.author))
            .where(Post.parent_id == thread.id)
            .order_by(Post.created_at, Post.id),
            viewer,
            in_place=True,
        ),
        page=page,
        per_page=REPLIES_PER_PAGE,
        error_out=False,
    )
    top = list(pagination.items)
    below: list[Post] = []
    if top:
        below = list(
            db.session.scalars(
                visible(
                    select(Post)
                    .options(joinedload(Post.author))
                    .where(Post.branch_id.in_([p.id for p in top]))
                    .order_by(Post.created_at, Post.id),
                    viewer,
                    in_place=True,
                )
            )
        )
    return pagination, build_tree(thread, top, below)


def build_tree(thread: Post, top: list[Post], below: list[Post]) -> list[Node]:
    """Nest replies up to MAX_DEPTH_SHOWN; deeper ones follow their level-4 ancestor, flat.

    A level-4 reply is followed, in its own list, by everything below it in the order it was
    written, each marked with the post it answers.
    """
    children: dict[int, list[Post]] = defaultdict(list)
    for post in below:
        children[post.parent_id].append(post)
    by_id = {post.id: post for post in chain([thread], top, below)}

    def node(post: Post) -> Node:
        shown = Node(post, parent=by_id.get(post.parent_id))
        if post.depth >= MAX_DEPTH_SHOWN:
            return shown
        for child in children[post.id]:
            shown.children.append(node(child))
            if child.depth == MAX_DEPTH_SHOWN:
                shown.children.extend(
                    Node(
                        deep,
                        parent=by_id.get(deep.parent_id),
                        in_reply_to=by_id.get(deep.parent_id),
                    )
                    for deep in descendants(child.id, children)
                )
        return shown

    return [node(post) for post in top]


def descendants(post_id: int, children: dict[int, list[Post]]) -> list[Post]:
    """Everything below post_id, oldest first (iterative: a long chain needs no recursion)."""
    found: list[Post] = []
    stack = list(children.get(post_id, []))
    while stack:
        post = stack.pop()
        found.append(post)
        stack.extend(children.get(post.id, []))
    return sorted(found, key=lambda p: (p.created_at, p.id))


@dataclass(frozen=True)
class Placement:
    """Where a new reply goes in a thread page already on screen (for the htmx answer).

    how: "append" to the list replies-<target>, "new-list" under item-<target> (its first
    reply), or "after" the item-<target> that ends the flat run it joins.
    """

    how: str
    target: int


def placement(reply: Post, viewer=None) -> Placement:
    """Where reply appears on the thread page viewer has, matching what build_tree would draw."""
    if reply.depth == 1:
        return Placement("append", reply.parent_id)
    if reply.depth <= MAX_DEPTH_SHOWN:
        siblings = db.session.scalar(
            select(
                visible(
                    select(Post.id).where(Post.parent_id == reply.parent_id, Post.id != reply.id),
                    viewer,
                    in_place=True,
                ).exists()
            )
        )
        return Placement("append" if siblings else "new-list", reply.parent_id)
    rows = db.session.execute(
        visible(
            select(Post.id, Post.parent_id, Post.depth, Post.created_at).where(
                Post.branch_id == reply.branch_id
            ),
            viewer,
            in_place=True,
        )
    ).all()
    parent_of = {row.id: row.parent_id for row in rows}
    depth_of = {row.id: row.depth for row in rows}
    anchor = reply.id
    while depth_of.get(anchor, 0) > MAX_DEPTH_SHOWN:
        anchor = parent_of[anchor]
    children: dict[int, list] = defaultdict(list)
    for row in rows:
        if row.id != reply.id:
            children[row.parent_id].append(row)
    run = descendants(anchor, children)
    return Placement("after", run[-1].id if run else anchor)


def reply_page_number(reply: Post, viewer=None) -> int:
    """The page of the thread on which viewer sees reply (its first-level ancestor's page)."""
    top_id = reply.id if reply.depth == 1 else reply.branch_id
    top = db.session.execute(select(Post.created_at, Post.id).where(Post.id == top_id)).one()
    before = db.session.scalar(
        visible(
            select(func.count())
            .select_from(Post)
            .where(
                Post.parent_id == reply.root_id,
                or_(
                    Post.created_at < top.created_at,
                    and_(Post.created_at == top.created_at, Post.id <= top.id),
                ),
            ),
            viewer,
            in_place=True,
        )
    )
    return max(1, (before - 1) // REPLIES_PER_PAGE + 1)


# Similar questions -------------------------------------------------------------------------

_STOPWORD_TEXT = """
a about after again all also am an and any are as at be been before being but by can
could did do does doing for from had has have how i if in into is it its just like make
more most my no not of on or our out should so some such than that the their them then
there these they this those to too up us very was we were what when where which who why
will with would you your
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 6
CANDIDATES = 50


def significant_words(title: str) -> list[str]:
    """The words of a title worth matching on (no stopwords, at least 3 letters), at most 6."""
    words: list[str] = []
    for word in WORD.findall((title or "").lower()):
        if len(word) >= 3 and word not in STOPWORDS and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def similar_questions(board_id: int, title: str, limit: int = 5, viewer=None) -> list:
    """Questions on the board whose titles share words with title, best overlap first.

    SQL narrows to this board's questions (the (board_id, kind, ...) index) holding any of
    the words, at most CANDIDATES rows; Python ranks them by how many words they share.
    """
    words = significant_words(title)
    if not words:
        return []
    rows = db.session.execute(
        visible(
            select(Post.id, Post.title, Post.vote_count)
            .where(
                Post.board_id == board_id,
                Post.kind == PostKind.QUESTION,
                Post.removed_at.is_(None),
                or_(*[func.lower(Post.title).like(f"%{word}%") for word in words]),
            )
            .order_by(Post.vote_count.desc(), Post.id.desc())
            .limit(CANDIDATES),
            viewer,
        )
    ).all()
    needed = 1 if len(words) <= 2 else 2
    scored = []
    for row in rows:
        text = row.title.lower()
        shared = sum(1 for word in words if word in text)
        if shared >= needed:
            scored.append((shared, row.vote_count, row.id, row))
    scored.sort(key=lambda item: (-item[0], -item[1], -item[2]))
    return [item[3] for item in scored[:limit]]


# Live updates ------------------------------------------------------------------------------


def live_state(board_id: int):
    """(version, status, starts_at, ends_at) of a board and its meeting, or None: what a live
    poll's ETag is made of, read with one Core statement and no ORM objects. The statement is
    built once and run on the session's connection: building it and the ORM's execution path
    were most of an unchanged poll's time."""
    return db.session.connection().execute(live_state_query(), {"board_id": board_id}).first()


@functools.cache
def live_state_query():
    return (
        select(Board.version, Meeting.status, Meeting.starts_at, Meeting.ends_at)
        .join(Meeting, Meeting.id == Board.meeting_id)
        .where(Board.id == bindparam("board_id"))
    )


def newest_post_id(board_id: int) -> int:
    return db.session.scalar(select(func.max(Post.id)).where(Post.board_id == board_id)) or 0


def newest_reply_id(thread_id: int) -> int:
    latest = db.session.scalar(select(func.max(Post.id)).where(Post.root_id == thread_id))
    return latest or thread_id


def posts_after(board_id: int, after_id: int, viewer=None) -> int:
    """Posts on the board after after_id that viewer may see (the live notice's count)."""
    return db.session.scalar(
        visible(
            select(func.count())
            .select_from(Post)
            .where(Post.board_id == board_id, Post.id > after_id),
            viewer,
        )
    )


def replies_after(thread_id: int, after_id: int, viewer=None) -> int:
    """Replies in the thread after after_id that viewer may see (the live notice's count)."""
    return db.session.scalar(
        visible(
            select(func.count())
            .select_from(Post)
            .where(Post.root_id == thread_id, Post.id > after_id),
            viewer,
        )
    )


# Themes ------------------------------------------------------------------------------------


def theme_boards(theme_id: int, *, include_drafts: bool, page: int):
    """The theme's boards across meetings, newest meeting first (drafts for facilitators)."""
    query = (
        select(Board)
        .join(Board.meeting)
        .options(contains_eager(Board.meeting))
        .where(Board.theme_id == theme_id)
        .order_by(Meeting.starts_at.desc(), Board.id.desc())
    )
    if not include_drafts:
        query = query.where(Meeting.status != MeetingStatus.DRAFT)
    return db.paginate(query, page=page, per_page=BOARDS_PER_PAGE, error_out=False)
