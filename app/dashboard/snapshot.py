"""The floor as a supervisor sees it: queues with their waiting callers and hold clocks, agents,
live calls, the callback backlog and alerts, read in one go.

Live state comes from Redis (the queue's call and agent hashes, read with one pipeline each,
so 200 callers and 100 agents cost a handful of round trips); names and the backlog come from
SQL. Times are epoch seconds from `app.clock`, so the browser ticks the hold clocks itself
from `server_time` and each caller's `since`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.agents.models import Agent
from app.customers.models import Customer
from app.dashboard import takers
from app.extensions import db
from app.floor.models import Department
from app.queue import lua
from app.queue.ladder import HOLD_LIMIT_SECONDS, ladder_for
from app.queue.livecall import Audience, CallState, word
from app.queue.store import QueueStore
from app.voicemail.models import Callback
from app.voicemail.services import aware

# A caller not yet talking, in the floor's words: waiting, ringing, choosing (offer menu).
WAITING = tuple(word(state, Audience.FLOOR) for state in
                (CallState.WAITING, CallState.OFFERED, CallState.IN_OFFER))
HOLD_WARNINGS = (30, 45)
BACKLOG_LIMIT = 100
# Callers read per script call: a script runs alone in Redis, so each stays short.
CHUNK = 50
ALERT_KINDS = ("alert.",)


@dataclass(frozen=True)
class FloorSources:
    """Where a snapshot reads from; the route builds one for the current app."""

    store: QueueStore
    recent_events: Any  # () -> list of floor events, newest first
    # (now) -> HeldBack: calls the calls-per-second budget holds back (app/queue/governor.py)
    cps_held: Any = None
    # (identities) -> {identity: Line}: agents' persistent lines (app/queue/lines.py)
    lines: Any = None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _steps(call: dict[str, Any]) -> list[dict[str, Any]]:
    """The caller's ladder with the steps of their current wait marked fired (and when)."""
    try:
        ladder = json.loads(call.get("ladder") or "[]")
    except ValueError:
        ladder = []
    fired = call.get("fired") or {}
    steps = []
    for index, step in enumerate(ladder if isinstance(ladder, list) else []):
        fired_at = _number(fired.get(str(index)))
        steps.append({"at": step.get("at"), "action": step.get("action"),
                      "fired": fired_at is not None, "fired_at": fired_at})
    return steps


# Transfer states during which the call is "transferring" (app/calls/machine.py).
TRANSFER_LIVE = ("initiated", "target_ringing", "consulting", "three_way")


def _call_state(call: dict[str, Any]) -> str:
    # A warm transfer holds the caller while the agents consult: the transfer is the news
    # (the hold clock still shows beside it).
    if call.get("transfer_state") in TRANSFER_LIVE:
        return "transferring"
    if call.get("held") == "1":
        return "held"
    return word(call.get("state"), Audience.FLOOR)


def _call_item(call: dict[str, str], customers: dict[int, str],
               positions: dict[str, int]) -> dict[str, Any]:
    customer_id = call.get("customer_id") or ""
    customer = None
    if customer_id.isdigit() and int(customer_id) in customers:
        customer = {"id": int(customer_id), "name": customers[int(customer_id)]}
    sid = call.get("sid", "")
    return {
        "call_sid": sid,
        "kind": "callback" if call.get("kind") == "callback" else "call",
        "callback_id": int(call["callback_id"]) if call.get("callback_id", "").isdigit() else None,
        "department": call.get("department", ""),
        "department_name": call.get("department_name") or call.get("department", ""),
        "queues": [q for q in call.get("queues", "").split(",") if q],
        "number": call.get("number", ""),
        "customer": customer,
        "language": call.get("language", ""),
        "language_name": takers.language_name(call.get("language", "")),
        "any_language": call.get("any_language") == "1",
        "state": _call_state(call),
        "priority": int(call.get("priority") or 0),
        "since": _number(call.get("since")),
        "answered_at": _number(call.get("answered_at")),
        "held_since": _number(call.get("held_since")),
        "agent": call.get("agent") or None,
        "transfer_to": call.get("transfer_to") or None,
        "position": positions.get(sid),
        "steps": _steps(call),
    }


def _customer_names(ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(wanted)))
    return {row.id: row.name for row in rows}


def _departments() -> list[Department]:
    return list(db.session.scalars(
        select(Department).order_by(Department.position, Department.menu_key)
    ))


def _agents_by_identity() -> dict[str, Any]:
    """Names and roles of every account (columns only: no ORM objects, no departments)."""
    rows = db.session.execute(select(Agent.identity, Agent.name, Agent.role, Agent.active))
    return {row.identity: row for row in rows}


def _list(value: Any) -> list[Any]:
    # Lua's cjson writes an empty table as {}: an empty list here.
    return value if isinstance(value, list) else []


def _script(store: QueueStore, name: str):
    from flask import current_app

    key = f"dashboard.script.{name}"
    script = current_app.extensions.get(key)
    if script is None:
        script = current_app.extensions[key] = store.redis.register_script(
            getattr(lua, name).source)
    return script


def read_floor(store: QueueStore, slugs: list[str]) -> tuple[list[dict[str, Any]],
                                                            list[dict[str, str]],
                                                            dict[str, list[str]]]:
    """(live calls, agents' presence, each department's queue order).

    Calls are read by a script (CALLS, app/queue/lua.py) in slices of `CHUNK` and answered
    as JSON, which `json.loads` decodes far faster than redis-py parses the hashes' replies."""
    sids = sorted(store.live_calls())
    calls_script = _script(store, "CALLS")
    calls: list[dict[str, Any]] = []
    for start in range(0, len(sids), CHUNK):
        chunk = sids[start:start + CHUNK]
        calls += _list(json.loads(calls_script(keys=[store.keys.prefix], args=chunk)))
    agents = _list(json.loads(_script(store, "AGENTS")(keys=[store.keys.prefix], args=[])))
    pipe = store.redis.pipeline(transaction=False)
    for slug in slugs:
        pipe.zrange(store.keys.queue(slug), 0, -1)
    orders = dict(zip(slugs, pipe.execute(), strict=True)) if slugs else {}
    return calls, agents, orders


def backlog(now_dt, limit: int = BACKLOG_LIMIT) -> dict[str, Any]:
    """Open callbacks, overdue first (then by due time), with the count of overdue ones."""
    rows = db.session.scalars(
        select(Callback).where(Callback.status != "closed")
        .options(selectinload(Callback.box), selectinload(Callback.customer),
                 selectinload(Callback.assigned_agent))
        .order_by(Callback.due_at).limit(limit)
    ).all()
    items = []
    for row in rows:
        due = aware(row.due_at)
        items.append({
            "id": row.id, "kind": row.kind, "status": row.status, "number": row.number,
            "customer": row.customer.name if row.customer is not None else None,
            "box": row.box.name or row.box.slug, "box_slug": row.box.slug,
            "due_at": due.timestamp(), "overdue": due <= now_dt, "priority": row.priority,
            "attempts": row.attempts,
            "assigned_to": row.assigned_agent.identity if row.assigned_agent else None,
        })
    items.sort(key=lambda c: (not c["overdue"], -c["priority"], c["due_at"]))
    return {"items": items, "open": len(items), "overdue": sum(c["overdue"] for c in items)}


def build(sources: FloorSources, now: float, now_dt) -> dict[str, Any]:
    """The whole floor, as one JSON-able dict."""
    store = sources.store
    departments = _departments()
    slugs = [d.slug for d in departments]
    calls, presence, orders = read_floor(store, slugs)
    positions = {sid: i + 1 for order in orders.values() for i, sid in enumerate(order)}
    customers = _customer_names(
        int(c["customer_id"]) for c in calls if (c.get("customer_id") or "").isdigit()
    )
    items = {c.get("sid", ""): _call_item(c, customers, positions) for c in calls}
    names = {d.slug: d.name for d in departments}
    for item in items.values():
        # The call hash has the name in the caller's language (said to them); supervisors
        # read the department's own name.
        item["department_name"] = names.get(item["department"], item["department_name"])
    accounts = _agents_by_identity()

    queues = []
    for department in departments:
        order = orders.get(department.slug, [])
        in_line = [items[s] for s in order if s in items and items[s]["department"]
                   == department.slug]
        # Callers of this department not in its sorted set: ringing or at the offer menu.
        others = sorted((i for i in items.values() if i["department"] == department.slug
                         and i["state"] in WAITING[1:]),
                        key=lambda i: i["since"] or now)
        # Callers of other departments this queue's agents may now take (the ladder widened).
        widened = [items[s] for s in order if s in items and items[s]["department"]
                   != department.slug]
        waiting = others + in_line
        for caller in waiting:
            # Those at the offer menu or ringing are not offered to anyone else meanwhile;
            # the count says who could take them were they back in line.
            caller["could_take"] = len(takers.could_take(caller, presence))
        queues.append({
            "slug": department.slug, "name": department.name, "active": department.active,
            "waiting": waiting, "widened_in": [w["call_sid"] for w in widened],
            "ladder": [{"at": s.at, "action": s.action}
                       for s in ladder_for(department.settings or {})],
        })

    agents = []
    for row in presence:
        identity = row.get("identity", "")
        account = accounts.get(identity)
        if account is not None and not account.active:
            continue
        agents.append({
            "identity": identity,
            "name": account.name if account else identity,
            "role": account.role if account else "agent",
            "departments": [d for d in row.get("departments", "").split(",") if d],
            "languages": [c for c in row.get("languages", "").split(",") if c],
            "state": row.get("state", "offline"),
            "since": _number(row.get("since")),
            "reason": row.get("reason") or None,
            "call_sid": row.get("call") or None,
        })
    lines = sources.lines([a["identity"] for a in agents]) if sources.lines else {}
    for agent in agents:
        line = lines.get(agent["identity"])
        agent["line"] = line.shown_state if line is not None else None
    signed_in = {a["identity"] for a in agents}
    for identity, account in accounts.items():
        if identity not in signed_in and account.active:
            agents.append({"identity": identity, "name": account.name, "role": account.role,
                           "departments": [], "languages": [], "state": "offline",
                           "since": None, "reason": None, "call_sid": None, "line": None})
    order_of = {"ringing": 0, "on_call": 1, "wrap_up": 2, "available": 3, "away": 4,
                "offline": 5}
    agents.sort(key=lambda a: (order_of.get(a["state"], 9), a["name"].lower()))

    live = sorted((i for i in items.values() if i["state"] not in WAITING),
                  key=lambda i: i["answered_at"] or i["since"] or now)
    recent = sources.recent_events()
    alerts = [e for e in recent if e.get("type", "").startswith(ALERT_KINDS)][:20]
    return {
        "server_time": now,
        "hold": {"warn_at": list(HOLD_WARNINGS), "limit": HOLD_LIMIT_SECONDS},
        "queues": queues,
        "agents": agents,
        "agent_counts": _count(a["state"] for a in agents),
        "live_calls": live,
        "callbacks": backlog(now_dt),
        "cps": _cps(sources, now),
        # Signed-in agents whose persistent line is down: away until they reconnect.
        "lines_down": [a["identity"] for a in agents
                       if a["line"] == "down" and a["state"] != "offline"],
        # Lines whose browser is reconnecting after a network blip: not offered callers.
        "lines_reconnecting": [a["identity"] for a in agents if a["line"] == "reconnecting"],
        "alerts": alerts,
        "events": recent[:30],
        "departments": [{"slug": d.slug, "name": d.name} for d in departments],
    }


def _cps(sources: FloorSources, now: float) -> dict[str, Any]:
    """Calls booked on the account's calls-per-second budget that have not started yet, and
    how long until the last of them does (0 and 0.0 when nothing is held back)."""
    if sources.cps_held is None:
        return {"waiting": 0, "longest_wait": 0.0}
    held = sources.cps_held(now)
    return {"waiting": held.waiting, "longest_wait": held.longest_wait}


def _count(states: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return counts
