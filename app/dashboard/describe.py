"""Floor events in words, for the dashboard's live feed ("Asha: offer at 45 s")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.floor import ladder_actions

# An agent's own copy of a call event already in the feed (offer, answer, transfer, hold):
# shown once, as the call event.
HIDDEN_PREFIXES = ("agent.offer", "agent.answered", "agent.callback_offer", "agent.transfer.",
                   "agent.hold.", "agent.call.ended")

MONITOR_WORDS = {"listen": "is listening to", "whisper": "is whispering to the agent on",
                 "barge": "joined"}

# Agents' own events, in the words of their state changes ("alice is away (Break)").
AGENT_WORDS = {"agent.wrap_up": "is wrapping up", "agent.available": "is available"}

# Severity shown as the item's colour: info, good, warn, bad.
SEVERITY = {
    "call.escalated": "warn",
    "call.abandoned": "bad",
    "call.offer_missed": "warn",
    "call.answered": "good",
    "agent.missed": "warn",
    "agent.unreachable": "bad",
    "alert.long_wait": "bad",
    "alert.callback_overdue": "bad",
    "call.hold_warning": "warn",
    "call.transfer_failed": "bad",
    "call.transferred": "good",
}


def hidden(event: dict[str, Any]) -> bool:
    return str(event.get("type", "")).startswith(HIDDEN_PREFIXES) or _unheard(event)


def _unheard(event: dict[str, Any]) -> bool:
    """An announce step that fired while the caller was at the offer of a message or a
    callback: the ladder still marks it, but nobody was told anything. A caller nobody is
    signed in for is sent there at once, so their first announce step is always this one;
    the no-agents line says what happened instead."""
    return (event.get("type") == "call.escalated" and event.get("step") == "announce"
            and event.get("state") == "in_offer")


def _seconds(value: Any) -> str:
    try:
        return f"{float(value):.0f} s"
    except (TypeError, ValueError):
        return "?"


def describe(event: dict[str, Any], caller: Callable[[str], str]) -> dict[str, Any]:
    """{id, at, type, severity, text, call_sid}: `caller(sid)` names a caller (name or number).

    `event["time"]` is when it happened; `event["at"]`, if any, is part of its detail.
    """
    kind = event.get("type", "")
    sid = event.get("call_sid") or ""
    who = caller(sid) if sid else ""
    agent = event.get("agent") or ""
    if kind == "call.escalated":
        step = event.get("step", "")
        text = f"{who}: {ladder_actions.feed(step)} at {_seconds(event.get('at'))}"
    elif kind == "call.queued":
        text = f"{who} is waiting for {event.get('department', '')}"
    elif kind == "call.offered":
        text = f"{who} is ringing {agent}"
    elif kind == "call.answered":
        text = f"{agent} answered {who} after {_seconds(event.get('wait_seconds'))}"
    elif kind == "call.abandoned":
        text = f"{who} hung up after waiting {_seconds(event.get('wait_seconds'))}"
    elif kind == "call.offer_missed":
        text = f"{agent} did not answer {who}; back in line"
    elif kind == "call.kept_waiting":
        text = f"{who} chose to keep waiting"
    elif kind == "call.no_agents":
        text = (f"{who}: nobody signed in for {event.get('department', '')}; offered a "
                "message or a callback at once")
    elif kind == "alert.long_wait":
        text = (f"{who} has waited {_seconds(event.get('waited'))} in "
                f"{event.get('department', '')}")
    elif kind == "alert.callback_overdue":
        text = (f"Callback #{event.get('callback_id')} to {event.get('number') or 'a caller'} "
                f"is {event.get('overdue_minutes', 0)} min overdue")
    elif kind == "call.held":
        text = f"{agent} put {who} on hold"
    elif kind == "call.resumed":
        text = f"{agent} took {who} off hold after {_seconds(event.get('held_seconds'))}"
    elif kind == "call.hold_warning":
        text = f"{who} has been on hold {_seconds(event.get('after_seconds'))} ({agent})"
    elif kind == "call.transfer_initiated":
        text = f"{who}: {event.get('mode', '')} transfer started"
    elif kind.startswith("call.transfer_"):
        state = kind.removeprefix("call.transfer_").replace("_", " ")
        target = f" to {event['to_agent']}" if event.get("to_agent") else ""
        text = f"{who}: transfer{target} {state}"
    elif kind == "call.transferred":
        target = event.get("to_agent") or (event.get("target") or {}).get("id") or "a queue"
        text = f"{who} transferred from {event.get('from_agent') or '?'} to {target}"
    elif kind == "call.requeued":
        text = f"{who} is back in line for {event.get('department', '')}"
    elif kind == "call.supervisor_monitor":
        verb = MONITOR_WORDS.get(event.get("mode", ""), "is monitoring")
        text = f"{event.get('supervisor', 'A supervisor')} {verb} the call with {who}"
    elif kind == "call.supervisor_monitor_end":
        text = f"{event.get('supervisor', 'A supervisor')} left the call with {who}"
    elif kind == "call.supervisor_reassign":
        target = event.get("to_agent") or event.get("to_department") or "?"
        text = f"{event.get('supervisor', 'A supervisor')} reassigned {who} to {target}"
    elif kind == "call.supervisor_take_back":
        text = f"{event.get('supervisor', 'A supervisor')} took {who} back from a ringing offer"
    elif kind == "agent.state":
        reason = f" ({event['reason']})" if event.get("reason") else ""
        text = f"{agent} is {event.get('state', '')}{reason}".replace("_", " ")
    elif kind in AGENT_WORDS:
        reason = f" ({event['reason']})" if event.get("reason") else ""
        text = f"{agent} {AGENT_WORDS[kind]}{' the call with ' + who if who else ''}{reason}"
    elif kind.startswith("agent."):
        text = f"{agent}: {kind.removeprefix('agent.').replace('_', ' ')}"
    else:
        subject = who or agent or event.get("supervisor") or ""
        text = f"{subject}: {kind.replace('.', ' ').replace('_', ' ')}".strip(": ")
    return {"id": event.get("id"), "at": event.get("time"), "type": kind,
            "severity": SEVERITY.get(kind, "info"), "text": text, "call_sid": sid or None}
