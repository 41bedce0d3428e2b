"""A requested callback waiting in the department's queue as a virtual caller.

When an agent works it from the console first, it must leave the line, or the router would
offer it again later.
"""

from __future__ import annotations

from app.clock import timestamp
from app.errors import Conflict
from app.queue.factory import queue_store
from app.queue.store import MAX_PRIORITY
from app.voicemail.models import Callback


def _entry(callback: Callback) -> dict[str, str]:
    if not callback.call_sid:
        return {}
    call = queue_store().call(callback.call_sid)
    return call if call.get("kind") == "callback" else {}


def withdraw(callback: Callback, *, strict: bool = True) -> bool:
    """Take the callback's entry out of the queue. Strict: refuse while the router is ringing
    an agent for it (that agent is about to call the customer)."""
    call = _entry(callback)
    state = call.get("state", "")
    if not call or state == "ended":
        return False
    if state == "offered":
        if strict:
            raise Conflict("The queue is connecting an agent for this callback right now.",
                           callback_id=callback.id, agent=call.get("agent", ""))
        return False
    queue_store().hang_up(callback.call_sid, timestamp())
    return True


def rescore(callback: Callback) -> None:
    """An overdue requested callback still in line moves up with its priority."""
    call = _entry(callback)
    if call.get("state") == "waiting":
        current = int(call.get("priority") or 0)
        queue_store().rescore(callback.call_sid, min(MAX_PRIORITY, current + 1))
