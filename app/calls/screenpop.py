"""The transfer on the agent's screen-pop: who had the caller before, and how it came."""

from __future__ import annotations

from typing import Any


def transfer_context(context: Any) -> dict[str, Any] | None:
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
