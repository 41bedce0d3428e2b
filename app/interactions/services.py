"""Recording calls and their timelines. Callers commit; these functions only stage rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select

from app.clock import now
from app.extensions import db
from app.interactions import pending
from app.interactions.models import Interaction, InteractionEvent
from app.interactions.newcall import NewCall, StagedEvent

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def find_by_call_sid(call_sid: str) -> Interaction | None:
    """The call's interaction. A new call's row may still be staged in Redis (the incoming
    webhook writes it behind its answer, app/interactions/pending.py): then it is inserted
    now, idempotently, in the session's transaction. Every reader by CallSid comes here."""
    found = _select_by_call_sid(call_sid)
    if found is None and call_sid and pending.materialise(call_sid):
        found = _select_by_call_sid(call_sid)
    return found


def _select_by_call_sid(call_sid: str) -> Interaction | None:
    return db.session.scalars(select(Interaction).where(Interaction.call_sid == call_sid)).first()


def joined(interaction: Interaction | NewCall) -> Interaction:
    """The ORM row, in the session, for a call's interaction however it was opened."""
    if isinstance(interaction, NewCall):
        return interaction.joined()
    if interaction not in db.session:
        db.session.add(interaction)
    return interaction


def open_interaction(call_sid: str, *, from_number: str, to_number: str,
                     direction: str = "inbound") -> Interaction:
    """The interaction for this call, created on its first webhook (idempotent on retries).
    The incoming-call webhook opens its row another way (a `NewCall`, app/ivr/fastpath.py)."""
    interaction = find_by_call_sid(call_sid)
    if interaction is None:
        # events=[]: a new row's timeline is known to be empty, so appending to it must not
        # lazy-load it (a SELECT, and an autoflush that would take SQLite's write lock early).
        interaction = Interaction(call_sid=call_sid, from_number=from_number,
                                  to_number=to_number, direction=direction, events=[])
        db.session.add(interaction)
    return interaction


# The columns a call's first webhook can set; the others take their defaults (status,
# started_at, abandoned) or stay empty, exactly as when the ORM inserts the row.
_FIRST_WEBHOOK_COLUMNS = ("call_sid", "direction", "from_number", "to_number", "customer_id",
                          "department_id", "language")


def insert_new(interaction: NewCall) -> int:
    """Write a new call's row and its timeline so far with two core INSERTs on the session's
    connection; returns the row's id. The caller commits.

    The incoming-call fast path's way to SQL when Redis is unreachable (app/ivr/fastpath.py;
    normally the row is staged there, `pending.stage`): the ORM's unit of work costs ~1 ms
    of Python per call on the benchmark machine, these two statements a fraction of it. A
    row already there for the call_sid raises IntegrityError, as a flush would.
    """
    connection = db.session.connection()
    values = {name: getattr(interaction, name) for name in _FIRST_WEBHOOK_COLUMNS}
    result = connection.execute(insert(Interaction.__table__), values)
    interaction_id = result.inserted_primary_key[0]
    if interaction.events:
        connection.execute(insert(InteractionEvent.__table__), [
            {"interaction_id": interaction_id, "at": e.at, "kind": e.kind, "detail": e.detail}
            for e in interaction.events
        ])
    return interaction_id


def add_event(interaction: Interaction | NewCall, kind: str, **detail: Any) -> None:
    if isinstance(interaction, NewCall):
        interaction.events.append(StagedEvent(kind, detail, now()))
        if interaction.model is None:
            return
        interaction = interaction.model  # joined to the session already: keep both in step
    interaction.events.append(InteractionEvent(kind=kind, detail=detail, at=now()))


def record_call_status(call_sid: str, status: str, duration: int | None) -> Interaction | None:
    """Apply a call status callback. Unknown calls are ignored: nothing to attach it to."""
    interaction = find_by_call_sid(call_sid)
    if interaction is None:
        return None
    if interaction.ended_at is not None:
        return interaction  # Twilio may retry a callback; the first one wins.
    interaction.status = status
    if status in FINAL_STATUSES:
        interaction.ended_at = now()
        interaction.duration_seconds = duration
        add_event(interaction, "ended", status=status, duration=duration)
    return interaction


def apply_queue_event(interaction: Interaction, kind: str, detail: dict[str, Any]) -> None:
    """Keep the queue's outcome on the row itself, for reports: queued, answered, abandoned."""
    at = now()
    if kind == "queued" and interaction.queued_at is None:
        interaction.queued_at = at
    elif kind == "answered":
        # The row keeps the caller's first answer and its wait (service level, reports); a
        # transferred caller's later answers are in the timeline. The agent is whoever has
        # the caller now: access to the call follows them.
        if interaction.answered_at is None:
            interaction.answered_at = at
            interaction.wait_seconds = detail.get("wait_seconds")
        interaction.agent_identity = detail.get("agent")
        if detail.get("late"):
            # The answer came before the hang-up; only its news came after (queue service).
            interaction.abandoned = False
    elif kind == "abandoned":
        interaction.abandoned = True
        interaction.wait_seconds = detail.get("wait_seconds")


def insert_event(interaction_id: int, kind: str, detail: dict[str, Any]) -> None:
    """Add a timeline event by the interaction's id, without loading the interaction."""
    db.session.execute(
        insert(InteractionEvent).values(interaction_id=interaction_id, kind=kind,
                                        detail=detail, at=now())
    )


def events_of_kind(interaction_ids: Iterable[int], kind: str) -> list[InteractionEvent]:
    """Every `kind` event on these calls, oldest first: one query for a whole history (the
    screen-pop's history fields read their calls' timelines this way)."""
    return list(db.session.scalars(
        select(InteractionEvent)
        .where(InteractionEvent.interaction_id.in_(list(interaction_ids)),
               InteractionEvent.kind == kind)
        .order_by(InteractionEvent.id)))
