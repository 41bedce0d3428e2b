"""What the queue knows about who serves a call, for the screen-pop's access check
(app.customers.access), registered with it when the queue's blueprint is."""

from __future__ import annotations

from app.queue import queue_services


def on_call(identity: str, call_sid: str) -> bool:
    """The call is offered to the agent, or the agent is on it."""
    store = queue_services().store
    return (store.call(call_sid).get("agent") == identity
            or store.agent(identity).get("call") == call_sid)


def is_live(call_sid: str) -> bool:
    return bool(queue_services().store.call(call_sid))
