"""Every live call as a supervisor sees it: who, where, in what state, for how long.

The item has the shape of the call controls' `GET /api/calls/<sid>` (call_sid, customer,
department, state, agent, held_since, hold, transfer, participants) plus the queue's view
(wait_seconds, position, queue, the hold-clock steps fired) and who is monitoring it. The
call controls may register `app.extensions["calls.live_view"]`: (call SID, call hash) ->
fields they know better (held, transferring, the transfer, participants).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.customers.models import Customer
from app.extensions import db
from app.interactions.models import Interaction
from app.queue.store import QueueStore

log = logging.getLogger(__name__)

LIVE_VIEW = "calls.live_view"
# The queue's states, as the call controls name them.
STATES = {"waiting": "waiting", "in_offer": "waiting", "offered": "ringing",
          "connected": "talking"}

LiveView = Callable[[str, dict[str, str]], dict[str, Any] | None]


def _hold_settings() -> dict[str, Any]:
    config = current_app.config
    warnings = str(config.get("AGENT_HOLD_WARNINGS", "30,45"))
    return {"warn_at": [int(w) for w in warnings.split(",") if w.strip().isdigit()],
            "limit": int(config.get("AGENT_HOLD_LIMIT_SECONDS", 60))}


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


def _customers(calls: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Customer summaries for the calls, in one query."""
    ids = {int(c["customer_id"]) for c in calls.values() if c.get("customer_id", "").isdigit()}
    if not ids:
        return {}
    rows = db.session.scalars(select(Customer).where(Customer.id.in_(ids)))
    return {str(c.id): {"id": c.id, "name": c.name, "tier": c.tier, "language": c.language}
            for c in rows}


def call_item(store: QueueStore, call_sid: str, call: dict[str, str], now: float,
              customers: dict[str, dict[str, Any]] | None = None,
              monitor: dict[str, str] | None = None) -> dict[str, Any]:
    if customers is None:
        customers = _customers({call_sid: call})
    state = call.get("state", "")
    since = float(call.get("since") or now)
    answered = call.get("answered_at")
    waited = (float(answered) if answered else now) - since
    item: dict[str, Any] = {
        "call_sid": call_sid,
        "kind": call.get("kind") or "call",
        "number": call.get("number") or None,
        "language": call.get("language") or None,
        "customer": customers.get(call.get("customer_id", "")),
        "department": call.get("department") or None,
        "queue": call.get("department") or None,
        "queues": [q for q in call.get("queues", "").split(",") if q],
        "state": STATES.get(state, state),
        "queue_state": state,
        "agent": call.get("agent") or None,
        "held_since": None,
        "hold": _hold_settings(),
        "transfer": None,
        "participants": [],
        "priority": int(call.get("priority") or 0),
        "since": since,
        "wait_seconds": round(max(waited, 0.0), 1),
        "position": store.position(call_sid) if state == "waiting" else None,
        "steps_fired": _steps_fired(call),
        "monitor": dict(monitor) if monitor else None,
    }
    view: LiveView | None = current_app.extensions.get(LIVE_VIEW)
    if view is not None:
        try:
            item.update(view(call_sid, call) or {})
        except Exception:
            log.exception("the call controls' live view failed for %s", call_sid)
    return item


def live_calls(store: QueueStore, now: float,
               monitors: Callable[[str], dict[str, str]]) -> list[dict[str, Any]]:
    """Every call in the queue system that has not ended, longest waiting first."""
    sids = sorted(store.live_calls())
    pipe = store.redis.pipeline(transaction=False)
    for sid in sids:
        pipe.hgetall(store.keys.call(sid))
    calls = {sid: call for sid, call in zip(sids, pipe.execute(), strict=True)
             if call and call.get("state") not in (None, "", "ended")}
    customers = _customers(calls)
    items = [call_item(store, sid, call, now, customers, monitors(sid) or None)
             for sid, call in calls.items()]
    return sorted(items, key=lambda i: i["since"])


def interaction_for(call_sid: str) -> Interaction | None:
    return db.session.scalars(
        select(Interaction).where(Interaction.call_sid == call_sid)).first()
