"""A requested callback waiting in the department's queue as a virtual caller.

When an agent works it from the console first, it must leave the line, or the router would
offer it again later.
"""

from __future__ import annotations

from app.clock import timestamp
from app.errors import Conflict
from app.queue import queue_services
from app.queue.livecall import CallState, LiveCall
from app.queue.store import MAX_PRIORITY
from app.voicemail import services
from app.voicemail.models import Callback


def _entry(callback: Callback) -> LiveCall | None:
    if not callback.call_sid:
        return None
    call = queue_services().store.live(callback.call_sid)
    return call if call is not None and call.kind == "callback" else None


def withdraw(callback: Callback, *, strict: bool = True) -> bool:
    """Take the callback's entry out of the queue. Strict: refuse while the router is ringing
    an agent for it (that agent is about to call the customer)."""
    call = _entry(callback)
    if call is None or call.state is CallState.ENDED:
        return False
    if call.state is CallState.OFFERED:
        if strict:
            raise Conflict("The queue is connecting an agent for this callback right now.",
                           callback_id=callback.id, agent=call.agent)
        return False
    queue_services().store.hang_up(callback.call_sid, timestamp())
    return True


def rescore(callback: Callback) -> None:
    """An overdue requested callback still in line moves up with its priority."""
    call = _entry(callback)
    if call is not None and call.state is CallState.WAITING:
        current = call.priority
        queue_services().store.rescore(callback.call_sid, min(MAX_PRIORITY, current + 1))


def reconcile(callback: Callback) -> bool:
    """A requested callback the router rang an agent for, back in line because the agent
    missed the ring, is nobody's work any more: open it again. True if it changed.

    The queue's own status callback follows the agent's leg, so this package learns of the
    miss only by seeing the entry waiting again with no agent ever connected.
    """
    if callback.status != "claimed" or callback.kind != "requested":
        return False
    call = _entry(callback)
    if call is None or call.state is not CallState.WAITING:
        return False
    events = list(callback.events)
    starts = [i for i, e in enumerate(events) if e.action == "call_started"]
    if not starts or any(e.action == "agent_connected" for e in events[starts[-1]:]):
        return False
    last = events[starts[-1]]
    callback.status = "open"
    callback.assigned_agent_id = callback.box.agent_id
    services.audit(callback, "agent_missed", last.actor, leg=(last.detail or {}).get("leg"),
                   via="queue")
    return True
