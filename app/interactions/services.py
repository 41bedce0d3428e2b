"""Recording calls and their timelines. Callers commit; these functions only stage rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.clock import now
from app.extensions import db
from app.interactions.models import Interaction, InteractionEvent

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}


def find_by_call_sid(call_sid: str) -> Interaction | None:
    return db.session.scalars(select(Interaction).where(Interaction.call_sid == call_sid)).first()


def open_interaction(call_sid: str, *, from_number: str, to_number: str,
                     direction: str = "inbound") -> Interaction:
    """The interaction for this call, created on its first webhook (idempotent on retries)."""
    interaction = find_by_call_sid(call_sid)
    if interaction is None:
        interaction = Interaction(
            call_sid=call_sid, from_number=from_number, to_number=to_number, direction=direction
        )
        db.session.add(interaction)
    return interaction


def add_event(interaction: Interaction, kind: str, **detail: Any) -> InteractionEvent:
    event = InteractionEvent(kind=kind, detail=detail, at=now())
    interaction.events.append(event)
    return event


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
        interaction.answered_at = at
        interaction.agent_identity = detail.get("agent")
        interaction.wait_seconds = detail.get("wait_seconds")
    elif kind == "abandoned":
        interaction.abandoned = True
        interaction.wait_seconds = detail.get("wait_seconds")
