"""Every live call as a supervisor sees it: who, where, in what state, for how long.

Each item is the call controls' own view of the call (`GET /api/calls/<sid>`: call_sid,
customer, department, state, agent, held_since, hold, transfer, participants), so the
dashboard and the console agree, plus the queue's view (wait_seconds, position, queue, the
hold-clock steps fired) and the supervisor monitoring it, if any.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.calls import call_controls
from app.calls.services import view
from app.queue.livecall import CallState, LiveCall
from app.queue.store import QueueStore

log = logging.getLogger(__name__)

Monitors = Callable[[str], dict[str, str]]


def _steps_fired(call: LiveCall) -> list[dict[str, Any]]:
    ladder = call.ladder()
    return [{"action": ladder[index].get("action"), "at": ladder[index].get("at"),
             "fired_at": at} for index, at in sorted(call.fired().items())]


def call_item(store: QueueStore, call: LiveCall, now: float,
              monitor: dict[str, str] | None = None) -> dict[str, Any]:
    since = call.since if call.since is not None else now
    waited = (call.answered_at if call.answered_at is not None else now) - since
    item = view(call_controls(), call.sid)
    item.update({
        "kind": call.kind,
        "number": call.number or None,
        "queue": call.department or None,
        "queues": list(call.queues),
        # The queue's own state, as stored (the call controls' word is in "state").
        "queue_state": call.fields.get("state", ""),
        "priority": call.priority,
        "since": since,
        "wait_seconds": round(max(waited, 0.0), 1),
        "position": store.position(call.sid) if call.state is CallState.WAITING else None,
        "steps_fired": _steps_fired(call),
        "monitor": dict(monitor) if monitor else None,
    })
    if monitor:
        item["participants"] = [*item.get("participants", []), {
            "role": "supervisor", "identity": monitor.get("supervisor"),
            "call_sid": monitor.get("leg") or None, "mode": monitor.get("mode")}]
    return item


def live_calls(store: QueueStore, now: float, monitors: Monitors) -> list[dict[str, Any]]:
    """Every call in the queue system that has not ended, longest waiting first."""
    items = []
    for sid, call in store.live_many(sorted(store.live_calls())).items():
        if not call.live:
            continue
        try:
            items.append(call_item(store, call, now, monitors(sid) or None))
        except Exception:
            # One call the view cannot describe must not blank the supervisor's whole floor.
            log.exception("no live view of call %s", sid)
    return sorted(items, key=lambda i: i["since"])
