"""Every live call as a supervisor sees it: who, where, in what state, for how long.

Each item is the call controls' own view of the call (`GET /api/calls/<sid>`: call_sid,
customer, department, state, agent, held_since, hold, transfer, participants), so the
dashboard and the console agree, plus the queue's view (wait_seconds, position, queue, the
hold-clock steps fired) and the supervisor monitoring it, if any.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from app.calls.factory import controls
from app.calls.live import view
from app.queue.store import QueueStore

log = logging.getLogger(__name__)

Monitors = Callable[[str], dict[str, str]]


def _steps_fired(call: dict[str, str]) -> list[dict[str, Any]]:
    generation = call.get("generation", "1")
    try:
        ladder = json.loads(call.get("ladder") or "[]")
    except ValueError:
        ladder = []
    fired = []
    for index, step in enumerate(ladder):
        at = call.get(f"fired:{generation}:{index}")
        if at:
            fired.append({"action": step.get("action"), "at": step.get("at"),
                          "fired_at": float(at)})
    return fired


def call_item(store: QueueStore, call_sid: str, call: dict[str, str], now: float,
              monitor: dict[str, str] | None = None) -> dict[str, Any]:
    state = call.get("state", "")
    since = float(call.get("since") or now)
    answered = call.get("answered_at")
    waited = (float(answered) if answered else now) - since
    item = view(controls(), call_sid)
    item.update({
        "kind": call.get("kind") or "call",
        "number": call.get("number") or None,
        "queue": call.get("department") or None,
        "queues": [q for q in call.get("queues", "").split(",") if q],
        "queue_state": state,
        "priority": int(call.get("priority") or 0),
        "since": since,
        "wait_seconds": round(max(waited, 0.0), 1),
        "position": store.position(call_sid) if state == "waiting" else None,
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
    sids = sorted(store.live_calls())
    pipe = store.redis.pipeline(transaction=False)
    for sid in sids:
        pipe.hgetall(store.keys.call(sid))
    items = []
    for sid, call in zip(sids, pipe.execute(), strict=True):
        if not call or call.get("state") in (None, "", "ended"):
            continue
        try:
            items.append(call_item(store, sid, call, now, monitors(sid) or None))
        except Exception:
            # One call the view cannot describe must not blank the supervisor's whole floor.
            log.exception("no live view of call %s", sid)
    return sorted(items, key=lambda i: i["since"])
