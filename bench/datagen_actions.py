"""Agendas and actions for the benchmark's data (rows for Core inserts, from a datagen.Plan).

Actions follow the rules of app/actions/services.py: a self-owned action is open at once, an
action whose owners are only invited stays proposed (its proposer follows it), every status
change adds a timeline event and one to `version`, and the latest progress update is copied
onto the action.
"""

import random
from datetime import timedelta

from app.models import ActionStatus, EventKind, MeetingStatus, OwnerState, PostKind, SourceType
from bench import content as words
from bench.datagen import Plan, Thread

ACTION_MIX = (
    (ActionStatus.PROPOSED, 0.10),
    (ActionStatus.OPEN, 0.35),
    (ActionStatus.IN_PROGRESS, 0.25),
    (ActionStatus.DONE, 0.20),
    (ActionStatus.DROPPED, 0.10),
)
# The status changes that lead from open to each status.
PATHS = {
    ActionStatus.PROPOSED: (),
    ActionStatus.OPEN: (),
    ActionStatus.IN_PROGRESS: (ActionStatus.IN_PROGRESS,),
    ActionStatus.DONE: (ActionStatus.IN_PROGRESS, ActionStatus.DONE),
    ActionStatus.DROPPED: (ActionStatus.DROPPED,),
}


def agenda_rows(p: Plan):
    """A published agenda for every held (and the running) meeting: a welcome, then its top
    questions. Returns (agendas, items)."""
    top: dict[int, list[Thread]] = {}
    for t in p.threads:
        if t.kind == PostKind.QUESTION:
            top.setdefault(p.boards[t.board]["meeting"], []).append(t)
    agendas, items = [], []
    for index, m in enumerate(p.meetings):
        if index > p.hot_meeting or m["status"] != MeetingStatus.PUBLISHED:
            continue
        chosen = sorted(top.get(index, []), key=lambda t: (-t.votes, t.created_at, t.id))[:5]
        agenda_id = len(agendas) + 1
        held = index < p.hot_meeting
        entries = [("Welcome and introductions", None)] + [(t.title, t.id) for t in chosen]
        day_before = m["starts_at"] - timedelta(days=1)
        agendas.append(
            {"id": agenda_id, "meeting_id": m["id"], "version": len(entries),
             "published_at": day_before, "published_by_id": 2,
             "changed_at": day_before - timedelta(hours=1),
             "created_at": m["starts_at"] - timedelta(days=3)}
        )  # fmt: skip
        for position, (title, post_id) in enumerate(entries, start=1):
            items.append(
                {"agenda_id": agenda_id, "meeting_id": m["id"], "position": position,
                 "title": title[:160], "minutes": 10, "post_id": post_id,
                 "status": "discussed" if held else "planned",
                 "created_at": m["starts_at"] - timedelta(days=3),
                 "changed_at": m["starts_at"] - timedelta(days=3)}
            )  # fmt: skip
    return agendas, items


def _source(p: Plan, rng: random.Random, held: list[int]) -> dict:
    roll = rng.random()
    if roll < 0.1 or not held:
        return {}
    meeting = rng.choice(held)
    m = p.meetings[meeting]
    if roll < 0.35:
        return {"source_type": SourceType.MEETING, "source_id": m["id"], "meeting_id": m["id"]}
    boards = [b for b in p.boards if b["meeting"] == meeting]
    board = rng.choice(boards)
    if roll < 0.65:
        return {"source_type": SourceType.BOARD, "source_id": board["id"],
                "meeting_id": m["id"], "board_id": board["id"]}  # fmt: skip
    thread = rng.choice(p.threads)
    board = p.boards[thread.board]
    return {"source_type": SourceType.POST, "source_id": thread.id,
            "meeting_id": board["meeting"] + 1, "board_id": board["id"],
            "post_id": thread.id}  # fmt: skip


def action_rows(p: Plan):
    """Actions with owners, followers and timelines. Returns (actions, owners, followers,
    events), each a list of row dicts."""
    rng = random.Random(p.seed + 5)
    today = p.now.date()
    held = [
        i
        for i, m in enumerate(p.meetings)
        if i <= p.hot_meeting and m["status"] == MeetingStatus.PUBLISHED
    ]
    statuses = [s for s, _ in ACTION_MIX]
    weights = [w for _, w in ACTION_MIX]
    detail_html = words.rendered(words.ACTION_DETAIL)
    update_html = words.rendered(words.UPDATE_TEXT)
    actions, owners, followers, events = [], [], [], []
    for action_id in range(1, p.scale.actions + 1):
        status = rng.choices(statuses, weights)[0]
        proposer = rng.randint(1, p.members)
        created = p.now - timedelta(days=rng.uniform(2, 120))
        clock = [created]

        def tick(hours: float = 20.0, clock=clock):
            clock[0] = min(clock[0] + timedelta(hours=rng.uniform(1, hours)), p.now)
            return clock[0]

        def event(kind, actor, at, action_id=action_id, **fields):
            events.append(
                {"action_id": action_id, "actor_id": actor, "kind": kind, "created_at": at,
                 **fields}
            )  # fmt: skip

        others = [o for o in rng.sample(range(1, p.members + 1), 4) if o != proposer][:3]
        event(EventKind.PROPOSED, proposer, created)
        own = []  # (user, state, responded_at)
        if status == ActionStatus.PROPOSED:
            invited = others[: rng.randint(1, 2)]
            own += [(u, OwnerState.INVITED, None) for u in invited]
            followers.append({"action_id": action_id, "user_id": proposer, "created_at": created})
        else:
            own.append((proposer, OwnerState.ACCEPTED, created))
            event(EventKind.ACCEPTED, proposer, created)
            if rng.random() < 0.4:
                own.append((others[0], OwnerState.ACCEPTED, None))
            if rng.random() < 0.2:
                own.append((others[1], OwnerState.INVITED, None))
            if rng.random() < 0.1:
                own.append((others[2], OwnerState.DECLINED, None))
        for user, _state, _ in own:
            if user != proposer:
                event(EventKind.INVITED, proposer, created, subject_user_id=user)
        for k, (user, state, responded) in enumerate(own):
            if user != proposer and state != OwnerState.INVITED:
                responded = tick()
                kind = EventKind.ACCEPTED if state == OwnerState.ACCEPTED else EventKind.DECLINED
                event(kind, user, responded)
            owners.append(
                {"action_id": action_id, "user_id": user, "state": state,
                 "invited_by_id": proposer, "created_at": created, "responded_at": responded}
            )  # fmt: skip
            own[k] = (user, state, responded)
        version, changed_at, previous = 1, created, ActionStatus.OPEN
        if status == ActionStatus.PROPOSED:
            previous = ActionStatus.PROPOSED
        last_update = {}
        for step in PATHS[status]:
            updated = step == ActionStatus.DONE or rng.random() < 0.5
            if updated:
                at = tick()
                event(EventKind.UPDATE, proposer, at, text=words.UPDATE_TEXT, text_html=update_html)
                last_update = {"last_update": words.UPDATE_TEXT,
                               "last_update_html": update_html, "last_update_at": at}  # fmt: skip
            changed_at = tick()
            reason = "Overtaken by the council's own plan" if step == ActionStatus.DROPPED else ""
            event(EventKind.STATUS, proposer, changed_at, from_status=previous, to_status=step,
                  text=reason, text_html=words.rendered(reason) if reason else "")  # fmt: skip
            previous, version = step, version + 1
        active = status in ActionStatus.ACTIVE
        due = today + timedelta(days=rng.randint(-20, 45) if active else -rng.randint(1, 60))
        for follower in rng.sample(range(1, p.members + 1), rng.choice((0, 0, 0, 1, 2))):
            if follower != proposer and all(follower != u for u, _, _ in own):
                followers.append({"action_id": action_id, "user_id": follower,
                                  "created_at": tick()})  # fmt: skip
        place, topic = rng.choice(words.PLACES), rng.choice(words.TOPICS)
        title = rng.choice(words.ACTION_TITLES).format(place=place, topic=topic)
        actions.append(
            {"id": action_id, "title": title[:160], "detail": words.ACTION_DETAIL,
             "detail_html": detail_html, "due_on": due, "status": status, "version": version,
             "proposer_id": proposer, "source_type": "", "source_id": None,
             "meeting_id": None, "board_id": None, "post_id": None, "source_label": "",
             "created_at": created, "status_changed_at": changed_at,
             "done_on": changed_at.date() if status == ActionStatus.DONE else None,
             "dropped_reason": "Overtaken by the council's own plan"
             if status == ActionStatus.DROPPED else "",
             "last_update": "", "last_update_html": "", "last_update_at": None,
             **last_update, **_source(p, rng, held)}
        )  # fmt: skip
    return actions, owners, followers, events
