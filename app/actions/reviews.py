"""The accountability review: which actions a meeting reviews (the open actions of the series'
earlier meetings, and those closed since its previous meeting, with their latest update),
recording each outcome on the action's timeline, and the actions part of a meeting's pack."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.actions.queries import active_first, card_options
from app.actions.services import ActionProblem, add_event
from app.extensions import db
from app.models import Action, ActionEvent, ActionStatus, EventKind, Meeting, MeetingStatus, User


def review_condition(meeting: Meeting):
    """SQL condition: the action is for review at meeting.

    It came from an earlier meeting of the same series, and one of these holds:

    - it is still to be delivered (proposed, open or in progress): reviewed at every meeting
      until it is closed;
    - it was closed (done or dropped), no meeting before this one has reviewed it, and this is
      the first meeting that can acknowledge the closing: it was closed after the previous
      meeting of the series started (the latest published meeting before this one), or it came
      out of that previous meeting (so no meeting could review it before: even an action done
      before its own meeting began is acknowledged at the next one), or there is no previous
      meeting. At the meeting after, it has dropped off the review;
    - it was already reviewed at this meeting: it stays listed, with its outcome, even when
      it is closed during the meeting.

    Drafts and cancelled meetings never took place, so they do not count as the previous
    meeting. Everything is in SQL (subqueries), so lists stay at a fixed number of queries.
    """
    earlier = select(Meeting.id).where(
        Meeting.series_id == meeting.series_id,
        Meeting.starts_at < meeting.starts_at,
        Meeting.id != meeting.id,
    )
    previous = (
        select(Meeting.id)
        .where(
            Meeting.series_id == meeting.series_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.id != meeting.id,
            Meeting.status == MeetingStatus.PUBLISHED,
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    previous_id = previous.scalar_subquery()
    previous_start = previous.with_only_columns(Meeting.starts_at).scalar_subquery()
    reviewed_here = select(ActionEvent.action_id).where(
        ActionEvent.meeting_id == meeting.id, ActionEvent.kind == EventKind.REVIEW
    )
    reviewed_before = (
        select(ActionEvent.action_id)
        .join(Meeting, Meeting.id == ActionEvent.meeting_id)
        .where(ActionEvent.kind == EventKind.REVIEW, Meeting.starts_at < meeting.starts_at)
    )
    closed_since_last = and_(
        Action.status.in_(ActionStatus.CLOSED),
        or_(
            previous_id.is_(None),
            Action.meeting_id == previous_id,
            Action.status_changed_at >= previous_start,
        ),
        Action.id.not_in(reviewed_before),
    )
    return and_(
        Action.meeting_id.in_(earlier),
        or_(
            Action.status.in_(ActionStatus.ACTIVE),
            closed_since_last,
            Action.id.in_(reviewed_here),
        ),
    )


def has_actions_for_review(meeting: Meeting) -> bool:
    """True when at least one action is for review at meeting (one small query)."""
    found = db.session.scalar(select(Action.id).where(review_condition(meeting)).limit(1))
    return found is not None


@dataclass
class ReviewEntry:
    """An action for review at a meeting, with its review there once recorded."""

    action: Action
    review: ActionEvent | None = None
    # A form carrying errors, when a facilitator's submission failed (else a fresh one is used).
    form: Any = None

    @property
    def reviewed(self) -> bool:
        return self.review is not None


def actions_for_review(meeting: Meeting) -> list[ReviewEntry]:
    """The actions for review at meeting (see review_condition: those still to be delivered,
    those closed since the previous meeting and not yet reviewed, and those reviewed here),
    oldest meeting first, with their latest update (kept on the action) and this meeting's
    review: three queries whatever their number."""
    actions = list(
        db.session.scalars(
            select(Action)
            .join(Meeting, Meeting.id == Action.meeting_id)
            .where(review_condition(meeting))
            .options(*card_options())
            .order_by(Meeting.starts_at, Action.due_on, Action.id)
        ).unique()
    )
    reviews: dict[int, ActionEvent] = {}
    if actions:
        for event in db.session.scalars(
            select(ActionEvent)
            .options(joinedload(ActionEvent.actor))
            .where(
                ActionEvent.meeting_id == meeting.id,
                ActionEvent.kind == EventKind.REVIEW,
                ActionEvent.action_id.in_([a.id for a in actions]),
            )
            .order_by(ActionEvent.id)
        ):
            reviews.setdefault(event.action_id, event)
    return [ReviewEntry(action, reviews.get(action.id)) for action in actions]


@dataclass
class PackActions:
    """The actions part of a meeting pack."""

    # Actions of earlier meetings for review here (review_condition), with their latest update.
    review: list[ReviewEntry]
    created: list[Action]  # actions that came out of this meeting


def pack_actions(meeting: Meeting) -> PackActions:
    """For the meeting pack: actions to review (with latest update) and actions created from
    this meeting (its boards, threads and agenda items included); five queries."""
    created = list(
        db.session.scalars(
            select(Action)
            .where(Action.meeting_id == meeting.id)
            .options(*card_options())
            .order_by(*active_first())
        ).unique()
    )
    return PackActions(review=actions_for_review(meeting), created=created)


def review_meeting_for(action: Action) -> Meeting | None:
    """The meeting where the action will be reviewed: the next published meeting of its
    source meeting's series (None without a source meeting or a next meeting)."""
    if action.meeting is None:
        return None
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.series_id == action.meeting.series_id,
            Meeting.starts_at > action.meeting.starts_at,
            Meeting.status == MeetingStatus.PUBLISHED,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


class AlreadyReviewed(ActionProblem):
    """This action already has its review at this meeting."""


def record_review(action: Action, meeting: Meeting, facilitator: User, outcome_text: str, now=None):
    """Mark the action reviewed at meeting, keeping the outcome on its timeline (once per
    meeting). Raises AlreadyReviewed, or ActionProblem when it is not for review there."""
    eligible = db.session.scalar(
        select(Action.id).where(Action.id == action.id, review_condition(meeting))
    )
    if eligible is None:
        raise ActionProblem("This action is not for review at this meeting")
    already = db.session.scalar(
        select(ActionEvent.id).where(
            ActionEvent.action_id == action.id,
            ActionEvent.meeting_id == meeting.id,
            ActionEvent.kind == EventKind.REVIEW,
        )
    )
    if already is not None:
        raise AlreadyReviewed("This action was already reviewed at this meeting")
    entry = add_event(
        action, facilitator, EventKind.REVIEW, meeting_id=meeting.id, text=outcome_text, now=now
    )
    db.session.flush()
    return entry
