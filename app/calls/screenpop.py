"""Transfers on the agent's screen-pop: the one under way on this call (who had the caller
before, and how it came), and those of each earlier call in the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.customers.hooks import CallContext
from app.interactions import services as interactions
from app.interactions.models import Interaction


def transfer_context(context: CallContext) -> dict[str, Any] | None:
    from app.calls import transfers
    from app.calls.factory import controls

    t = transfers.latest(controls(), context.interaction.call_sid)
    return t.to_dict() if t is not None else None


def in_transfer(identity: str, call_sid: str) -> bool:
    """The agent is a party to the call's current transfer (may see its screen-pop)."""
    from app.calls import transfers
    from app.calls.factory import controls

    t = transfers.current(controls(), call_sid)
    return t is not None and identity in {t.from_agent, t.to_agent}


def interaction_transfers(calls: Sequence[Interaction]) -> dict[int, dict[str, Any]]:
    """`transfers` on every call of a history: each completed transfer, from the call's
    timeline (`transferred`, written when it completed), oldest first. One query."""
    found: dict[int, dict[str, Any]] = {c.id: {"transfers": []} for c in calls}
    rows = interactions.events_of_kind(found, "transferred")
    for event in rows:
        d = event.detail or {}
        found[event.interaction_id]["transfers"].append(
            {"mode": d.get("mode"), "from_agent": d.get("from_agent"),
             "to_agent": d.get("to_agent"), "target": d.get("target"),
             "reason": d.get("reason")})
    return found
