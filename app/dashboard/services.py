"""Composition root of the dashboard: the snapshot, figures and live feed for the current app."""

from __future__ import annotations

import json
from typing import Any

from flask import render_template

from app.clock import now, timestamp
from app.customers.models import Customer
from app.dashboard import chart, describe, figures, snapshot
from app.extensions import db
from app.queue import queue_services
from app.queue.store import QueueStore

RECENT_EVENTS = 200
PANELS = ("summary", "queues", "calls", "agents", "callbacks", "alerts")


def parse_event(entry_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """A floor stream entry. `time` is when it happened: the detail may carry its own `at`
    (an escalation step's offset), which FloorEvents.recent() lets shadow the timestamp."""
    try:
        detail = json.loads(fields.get("detail") or "{}")
    except ValueError:
        detail = {}
    return {"id": entry_id, "type": fields.get("type", ""), "at": None, **detail,
            "time": float(fields.get("at") or 0)}


def recent_events(store: QueueStore, count: int = RECENT_EVENTS) -> list[dict[str, Any]]:
    """The latest floor events, newest first."""
    entries = store.redis.xrevrange(store.keys.events, count=count)
    return [parse_event(entry_id, fields) for entry_id, fields in entries]


def _sources() -> snapshot.FloorSources:
    store = queue_services().store
    return snapshot.FloorSources(store=store, recent_events=lambda: recent_events(store),
                                 cps_held=queue_services().governor.held_back,
                                 lines=queue_services().line_book.many)


def floor() -> dict[str, Any]:
    """The floor right now (JSON-able)."""
    return snapshot.build(_sources(), timestamp(), now())


def figures_today() -> list[dict[str, Any]]:
    return figures.today(now())


def render_panels(floor_: dict[str, Any]) -> dict[str, str]:
    """Each panel's HTML, as the page includes it and the live feed replaces it."""
    return {name: render_template(f"dashboard/_{name}.html", floor=floor_) for name in PANELS}


def render_figures(items: list[dict[str, Any]]) -> str:
    charts = {f["slug"]: chart.waits_chart(f["calls"]["hours"], label=f"Waits today: {f['name']}")
              for f in items}
    return render_template("dashboard/_figures.html", figures=items, charts=charts)


def caller_label(store: QueueStore, call_sid: str, names: dict[str, str]) -> str:
    """The caller's name if we know them, else their number; remembered in `names`."""
    if call_sid not in names:
        call = store.live(call_sid)
        customer_id = call.customer_id if call is not None else None
        customer = db.session.get(Customer, customer_id) if customer_id is not None else None
        number = call.number if call is not None else ""
        names[call_sid] = customer.name if customer is not None else number or call_sid[-6:]
    return names[call_sid]


class DashboardFeed:
    """What one SSE connection reads: the floor stream, and the panels and figures rendered.

    It runs inside the request's context (stream_with_context); each snapshot ends the
    database transaction first, so a long-lived stream never reads a stale SQLite snapshot.
    """

    def __init__(self) -> None:
        self.store = queue_services().store
        self.names: dict[str, str] = {}

    def latest_id(self) -> str:
        last = self.store.redis.xrevrange(self.store.keys.events, count=1)
        return last[0][0] if last else "0-0"

    def read(self, after: str, block_ms: int) -> list[dict[str, Any]]:
        found = self.store.redis.xread({self.store.keys.events: after}, count=200,
                                       block=block_ms)
        return [parse_event(entry_id, fields)
                for _stream, entries in found or [] for entry_id, fields in entries]

    def panels(self) -> dict[str, Any]:
        db.session.rollback()
        current = floor()
        self.remember_names(current)
        return {"server_time": current["server_time"], "panels": render_panels(current),
                "counts": counts(current)}

    def remember_names(self, floor_: dict[str, Any]) -> None:
        """Callers' names for the feed's sentences, from the latest snapshot."""
        self.names = {}
        for queue in floor_["queues"]:
            for caller in queue["waiting"]:
                self.names[caller["call_sid"]] = _name(caller)
        for call in floor_["live_calls"]:
            self.names[call["call_sid"]] = _name(call)

    def figures(self) -> dict[str, Any]:
        db.session.rollback()
        return {"html": render_figures(figures_today())}

    def describe(self, event: dict[str, Any]) -> dict[str, Any] | None:
        if describe.hidden(event):
            return None
        return describe.describe(event, lambda sid: caller_label(self.store, sid, self.names))


def _name(call: dict[str, Any]) -> str:
    return call["customer"]["name"] if call.get("customer") else (call.get("number") or "caller")


def counts(floor_: dict[str, Any]) -> dict[str, Any]:
    waiting = [c for q in floor_["queues"] for c in q["waiting"]]
    agents = floor_["agent_counts"]
    return {
        "waiting": len(waiting),
        "oldest_since": min((c["since"] for c in waiting if c["since"]), default=None),
        "available": agents.get("available", 0),
        "busy": agents.get("on_call", 0) + agents.get("ringing", 0) + agents.get("wrap_up", 0),
        "away": agents.get("away", 0),
        "live_calls": len(floor_["live_calls"]),
        "callbacks_open": floor_["callbacks"]["open"],
        "callbacks_overdue": floor_["callbacks"]["overdue"],
        "alerts": len(floor_["alerts"]),
    }
