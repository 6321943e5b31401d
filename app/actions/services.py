"""The actions' rules: who may do what, proposing, owners' answers, statuses, edits, progress
updates, comments and follows.

Services flush and never commit: the route that calls them commits once. A status change or an
edit is an UPDATE ... WHERE id = ? AND version = ?, so that of two owners acting on the same
version one wins and the other is told (StaleAction) instead of silently overwriting it.
Every change adds a row to the action's timeline (ActionEvent), which is never edited.
"""

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

# Sources and owners are resolved in their own module; re-exported for the routes and forms.
from app.actions.sources import (  # noqa: F401
    Source,
    agenda_item_row,
    find_source,
    resolve_owners,
    split_names,
)
from app.content import render_markdown
from app.extensions import db
from app.models import (
    Action,
    ActionEvent,
    ActionFollower,
    ActionOwner,
    ActionStatus,
    Board,
    EventKind,
    OwnerState,
    Role,
    User,
)
from app.models.actions import DETAIL_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX  # noqa: F401
from app.notifications import services as notify
from app.timeutil import LONDON, utcnow


class ActionProblem(Exception):
    """Something the rules do not allow; the message says why, in words for the person."""


class StaleAction(Exception):
    """The action changed since the form was shown (its version moved on)."""


def today() -> date:
    """Today's date in the UK, which is what "due" and "overdue" mean."""
    return utcnow().astimezone(LONDON).date()


def london_date(moment: datetime) -> date:
    """The UK calendar date of an instant (a thing done at 00:30 BST was done that day)."""
    return moment.astimezone(LONDON).date()


def long_date(day: date) -> str:
    """'Thursday 3 April 2026' (a due date has no time or zone)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# Who may do what -----------------------------------------------------------------------------


def _has(user, role: Role) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(role))


def is_member(user) -> bool:
    """True for a logged-in member (every actions page is for members only)."""
    return _has(user, Role.MEMBER)


def is_facilitator(user) -> bool:
    """True for facilitators (and admins): they edit or drop any action and run reviews."""
    return _has(user, Role.FACILITATOR)


def is_owner(action: Action, user) -> bool:
    """True for an owner who has accepted (only they change the status and post updates)."""
    return is_member(user) and action.owner_state(user.id) == OwnerState.ACCEPTED


def can_change_status(action: Action, user) -> bool:
    """Only owners who accepted move the action (and post progress updates)."""
    return is_owner(action, user)


def can_drop(action: Action, user) -> bool:
    """Owners drop their action; facilitators may drop any action (both give a reason)."""
    return action.status != ActionStatus.DROPPED and (
        is_owner(action, user) or is_facilitator(user)
    )


def can_edit(action: Action, user) -> bool:
    """Facilitators correct any action's title, detail or due date, with a reason."""
    return is_facilitator(user)


def can_invite(action: Action, user) -> bool:
    """Owners, the proposer and facilitators may invite more owners while it is active."""
    if not action.is_active or not is_member(user):
        return False
    return is_owner(action, user) or action.proposer_id == user.id or is_facilitator(user)


# Writing ------------------------------------------------------------------------------------


def add_event(action: Action, actor: User | None, kind: str, *, now=None, **fields) -> ActionEvent:
    """Add one line to the action's timeline (its text rendered from Markdown once, here)."""
    text = fields.pop("text", "") or ""
    entry = ActionEvent(
        action_id=action.id,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        text=text,
        text_html=render_markdown(text) if text else "",
        created_at=now or utcnow(),
        **fields,
    )
    db.session.add(entry)
    notify.action_event(action, entry)
    return entry


def create_action(
    *,
    title: str,
    detail: str,
    due_on: date,
    proposer: User,
    owners: list[User],
    self_own: bool,
    source: Source | None,
    now: datetime | None = None,
) -> tuple[Action, list[User]]:
    """Propose an action: the proposer owns it at once if they said so (it is then open), the
    others are invited (it stays proposed until one accepts). Returns the action and the people
    invited (for their emails, sent by the route after commit)."""
    now = now or utcnow()
    if not owners and not self_own:
        raise ActionProblem("Enter at least one owner, or select \u201cI will own this\u201d")
    self_own = self_own or any(u.id == proposer.id for u in owners)
    invited = [u for u in owners if u.id != proposer.id]
    action = Action(
        title=title,
        detail=detail,
        detail_html=render_markdown(detail),
        due_on=due_on,
        status=ActionStatus.OPEN if self_own else ActionStatus.PROPOSED,
        proposer_id=proposer.id,
        created_at=now,
        status_changed_at=now,
    )
    if source is not None:
        action.source_type = source.type
        action.source_id = source.id
        action.meeting_id = source.meeting.id if source.meeting else None
        action.board_id = source.board.id if source.board else None
        action.post_id = source.post.id if source.post else None
        action.source_label = source.label
    db.session.add(action)
    db.session.flush()
    add_event(action, proposer, EventKind.PROPOSED, now=now)
    if self_own:
        db.session.add(
            ActionOwner(
                action_id=action.id,
                user_id=proposer.id,
                state=OwnerState.ACCEPTED,
                invited_by_id=proposer.id,
                created_at=now,
                responded_at=now,
            )
        )
        add_event(action, proposer, EventKind.ACCEPTED, now=now)
    else:
        db.session.add(ActionFollower(action_id=action.id, user_id=proposer.id, created_at=now))
    for person in invited:
        db.session.add(
            ActionOwner(
                action_id=action.id,
                user_id=person.id,
                state=OwnerState.INVITED,
                invited_by_id=proposer.id,
                created_at=now,
            )
        )
        add_event(action, proposer, EventKind.INVITED, subject_user_id=person.id, now=now)
    db.session.flush()
    return action, invited


def invite(action: Action, inviter: User, people: list[User], now=None) -> list[User]:
    """Invite more owners. Someone who declined may be invited again; anyone already invited or
    owning raises ActionProblem and nothing changes."""
    now = now or utcnow()
    rows = {o.user_id: o for o in action.owners}
    for person in people:
        row = rows.get(person.id)
        if row is not None and row.state == OwnerState.ACCEPTED:
            raise ActionProblem(f"{person.display_name} already owns this action")
        if row is not None and row.state == OwnerState.INVITED:
            raise ActionProblem(f"{person.display_name} is already invited")
    for person in people:
        row = rows.get(person.id)
        if row is None:
            action.owners.append(
                ActionOwner(
                    user_id=person.id,
                    state=OwnerState.INVITED,
                    invited_by_id=inviter.id,
                    created_at=now,
                )
            )
        else:
            row.state = OwnerState.INVITED
            row.invited_by_id = inviter.id
            row.responded_at = None
        add_event(action, inviter, EventKind.INVITED, subject_user_id=person.id, now=now)
    db.session.flush()
    return people


def _respond(action: Action, user: User, state: str, now) -> None:
    """Move this person's invitation to state, once: a second answer finds nothing to change."""
    done = db.session.execute(
        update(ActionOwner)
        .where(
            ActionOwner.action_id == action.id,
            ActionOwner.user_id == user.id,
            ActionOwner.state == OwnerState.INVITED,
        )
        .values(state=state, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise ActionProblem("You have already answered this invitation")


def accept(action: Action, user: User, now=None) -> None:
    """Accept an invitation; the first acceptance opens a proposed action."""
    now = now or utcnow()
    _respond(action, user, OwnerState.ACCEPTED, now)
    add_event(action, user, EventKind.ACCEPTED, now=now)
    opened = db.session.execute(
        update(Action)
        .where(Action.id == action.id, Action.status == ActionStatus.PROPOSED)
        .values(status=ActionStatus.OPEN, version=Action.version + 1, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if opened.rowcount == 1:
        add_event(
            action,
            user,
            EventKind.STATUS,
            from_status=ActionStatus.PROPOSED,
            to_status=ActionStatus.OPEN,
            now=now,
        )
    db.session.flush()
    db.session.refresh(action)


def decline(action: Action, user: User, reason: str = "", now=None) -> None:
    """Decline an invitation (the action stays proposed until someone accepts)."""
    now = now or utcnow()
    _respond(action, user, OwnerState.DECLINED, now)
    add_event(action, user, EventKind.DECLINED, text=reason, now=now)
    db.session.flush()
    db.session.refresh(action)


def change_status(
    action: Action, user: User, new_status: str, version: int, reason: str = "", now=None
) -> bool:
    """Move the action to new_status if it is still at `version`; False when it is already
    there. Raises StaleAction when someone else changed it first, ActionProblem for a drop
    without a reason or a status nobody may choose."""
    now = now or utcnow()
    if new_status not in ActionStatus.CHOOSABLE:
        raise ActionProblem("Select a status from the list")
    reason = (reason or "").strip()
    if new_status == ActionStatus.DROPPED and not reason:
        raise ActionProblem("Enter why the action is dropped")
    if version != action.version:
        raise StaleAction()
    if new_status == action.status:
        return False
    old = action.status
    values = {
        "status": new_status,
        "version": Action.version + 1,
        "status_changed_at": now,
        "done_on": london_date(now) if new_status == ActionStatus.DONE else None,
        "dropped_reason": reason if new_status == ActionStatus.DROPPED else "",
    }
    changed = db.session.execute(
        update(Action)
        .where(Action.id == action.id, Action.version == version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise StaleAction()
    add_event(
        action, user, EventKind.STATUS, from_status=old, to_status=new_status, text=reason, now=now
    )
    db.session.flush()
    db.session.refresh(action)
    return True


def edit_action(
    action: Action,
    user: User,
    *,
    title: str,
    detail: str,
    due_on: date,
    reason: str,
    version: int,
    now=None,
) -> list[str]:
    """A facilitator's correction, with a reason on the timeline; returns what changed.
    Raises StaleAction when the action changed since the form was shown."""
    now = now or utcnow()
    if version != action.version:
        raise StaleAction()
    changed = [
        label
        for label, old, new in (
            ("title", action.title, title),
            ("detail", action.detail, detail),
            ("due date", action.due_on, due_on),
        )
        if old != new
    ]
    if not changed:
        return []
    done = db.session.execute(
        update(Action)
        .where(Action.id == action.id, Action.version == version)
        .values(
            title=title,
            detail=detail,
            detail_html=render_markdown(detail),
            due_on=due_on,
            version=Action.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise StaleAction()
    add_event(
        action,
        user,
        EventKind.EDITED,
        text=reason,
        detail="Changed the " + ", ".join(changed),
        now=now,
    )
    db.session.flush()
    db.session.refresh(action)
    return changed


def post_update(action: Action, user: User, text: str, now=None) -> ActionEvent:
    """An owner's progress update: on the timeline, and kept as the action's latest update."""
    now = now or utcnow()
    entry = add_event(action, user, EventKind.UPDATE, text=text, now=now)
    action.last_update = text
    action.last_update_html = entry.text_html
    action.last_update_at = now
    db.session.flush()
    return entry


def add_comment(action: Action, user: User, text: str, now=None) -> ActionEvent:
    """A member's comment, shown in the timeline."""
    entry = add_event(action, user, EventKind.COMMENT, text=text, now=now)
    db.session.flush()
    return entry


def is_following(action: Action, user) -> bool:
    """True when the person follows the action (one query)."""
    if not is_member(user):
        return False
    return (
        db.session.scalar(
            select(ActionFollower.id).where(
                ActionFollower.action_id == action.id, ActionFollower.user_id == user.id
            )
        )
        is not None
    )


def set_following(action: Action, user: User, follow: bool) -> bool:
    """Follow or stop following; the unique key makes a double click harmless. Returns the
    new state."""
    if follow:
        if not is_following(action, user):
            try:
                # A savepoint: a second click racing this one hits the unique key, harmlessly.
                with db.session.begin_nested():
                    db.session.add(ActionFollower(action_id=action.id, user_id=user.id))
            except IntegrityError:
                pass
    else:
        row = db.session.scalar(
            select(ActionFollower).where(
                ActionFollower.action_id == action.id, ActionFollower.user_id == user.id
            )
        )
        if row is not None:
            db.session.delete(row)
    db.session.flush()
    return follow


def load_action(action_id: int) -> Action | None:
    """The action with its owners (and their names), meeting, board and post, in two queries."""
    return db.session.scalar(
        select(Action)
        .options(
            selectinload(Action.owners).joinedload(ActionOwner.user),
            joinedload(Action.meeting),
            joinedload(Action.board).joinedload(Board.theme),
            joinedload(Action.post),
            joinedload(Action.proposer),
        )
        .where(Action.id == action_id)
    )


def timeline(action: Action) -> list[ActionEvent]:
    """The action's timeline, oldest first, with who did what (one query)."""
    return list(
        db.session.scalars(
            select(ActionEvent)
            .options(
                joinedload(ActionEvent.actor),
                joinedload(ActionEvent.subject_user),
                joinedload(ActionEvent.meeting),
            )
            .where(ActionEvent.action_id == action.id)
            .order_by(ActionEvent.created_at, ActionEvent.id)
        )
    )
