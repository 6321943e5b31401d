"""Posts on a board (threads and their nested replies), their earlier versions, and votes."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime
from app.timeutil import utcnow


class PostKind:
    QUESTION = "question"
    DISCUSSION = "discussion"
    REPLY = "reply"

    THREADS = (QUESTION, DISCUSSION)


class Phase:
    """When a post was written, relative to its meeting (Meeting.phase at that moment)."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"

    ALL = (BEFORE, DURING, AFTER)


class Post(db.Model):
    """A thread (a question or a discussion) on a board, or a reply somewhere in a thread.

    Every reply carries its thread (root_id) and, below the first level, the first-level reply
    it hangs from (branch_id): a page of replies and all their subtrees then load with two
    indexed queries, whatever the depth, and the tree is built in Python.
    """

    __table_args__ = (
        # Thread lists: newest, a kind filter with top votes, most active.
        Index("ix_post_board_parent_created", "board_id", "parent_id", "created_at"),
        # The board's default list, top votes: read in index order, no sort of every thread.
        Index(
            "ix_post_board_parent_votes", "board_id", "parent_id", "vote_count", "created_at", "id"
        ),
        Index("ix_post_board_kind_votes", "board_id", "kind", "vote_count"),
        # The agenda's candidates (visible questions of a meeting's boards): counted and ranked
        # from the index alone, with no read of a post row (app.agenda.queries.candidate_ids).
        Index(
            "ix_post_board_candidates",
            "board_id",
            "kind",
            "parent_id",
            "removed_at",
            "held_at",
            "hidden_at",
            "vote_count",
            "created_at",
            "id",
        ),
        Index("ix_post_board_parent_replies", "board_id", "parent_id", "reply_count"),
        # A thread's replies: first-level replies by page, then their subtrees; live counts.
        Index("ix_post_parent_created", "parent_id", "created_at"),
        Index("ix_post_branch_created", "branch_id", "created_at"),
        Index("ix_post_root_created", "root_id", "created_at"),
        # A member's own posts (profiles, moderation).
        Index("ix_post_author_created", "author_id", "created_at"),
        # A member's held or hidden posts, asked on every board and thread page they open (a
        # list kept for everyone is theirs too only when they have none there): few rows.
        Index(
            "ix_post_author_unpublished",
            "author_id",
            sqlite_where=text("held_at IS NOT NULL OR hidden_at IS NOT NULL"),
            postgresql_where=text("held_at IS NOT NULL OR hidden_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"))
    # None on a thread; the thread's id on every reply.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    # The first-level reply a deeper reply hangs from; None on threads and first-level replies.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("post.id"))
    # 0 for a thread, 1 for a reply to it, and so on.
    depth: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Rendered (Markdown, sanitised, mentions linked) when written or edited, never on view.
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # Shown to members as "A member"; moderators and admins still see who wrote it.
    anonymous: Mapped[bool] = mapped_column(default=False, server_default="0")
    phase: Mapped[str] = mapped_column(String(6))
    # Counters kept by atomic UPDATEs in the transaction that changes what they count.
    vote_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # On threads: replies in the thread (a removed one keeps its row and its place).
    reply_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # On threads: bumped by every reply, edit, removal and vote in the thread (live ETag).
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by edits made after the silent window: the post then shows "edited".
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A soft removal: the text stays for moderators, replies keep their place.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Moderation (app/models/moderation.py says what they mean; visible() is the one rule).
    # Held: waiting for review, seen only by its author and moderators; why in held_reason.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # Hidden by the moderators (hidden_by_id None: hidden automatically by members' reports).
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # The reason given with the latest decision, shown to the author on the post.
    moderation_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Open (not yet decided) reports; kept by atomic UPDATEs like the other counters.
    flag_count: Mapped[int] = mapped_column(default=0, server_default="0")

    board = relationship("Board")
    author = relationship("User", foreign_keys=[author_id])
    parent = relationship("Post", remote_side=[id], foreign_keys=[parent_id])
    root = relationship("Post", remote_side=[id], foreign_keys=[root_id])

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.kind} board={self.board_id}>"

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def is_question(self) -> bool:
        return self.kind == PostKind.QUESTION

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def removed_by_author(self) -> bool:
        return self.removed_by_id is not None and self.removed_by_id == self.author_id

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_published(self) -> bool:
        """Neither held nor hidden: listed and counted for every member."""
        return self.held_at is None and self.hidden_at is None

    @property
    def thread_id(self) -> int:
        return self.root_id or self.id


class PostRevision(db.Model):
    """An earlier version of a post, kept when its author edits it after the silent window."""

    __tablename__ = "post_revision"
    __table_args__ = (Index("ix_post_revision_post_created", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # When this version was written, and when it was replaced (and by whom).
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    post = relationship("Post")


class Vote(db.Model):
    """One member's up-vote on one question; the unique constraint makes it one at most."""

    __table_args__ = (
        UniqueConstraint("post_id", "user_id"),
        Index("ix_vote_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
