"""Agent hold (R5, R12): the caller hears music with an apology; the hold clock warns the
agent and, at the limit, apologises to the caller and reconnects them.

Deadlines are the queue's hold clock's, of kind `agenthold`: `agenthold|<sid>|<gen>|<i>`,
i = 0.. for the warnings and the last index for the limit. Every hold and resume bumps the
call's hold generation, so the deadlines of an earlier hold fire as no-ops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app

from app.calls.errors import CallNotLive
from app.calls.factory import Controls
from app.queue.holdclock import Deadline

log = logging.getLogger(__name__)

HOLD_KIND = "agenthold"
RESUME_REMINDER = "apologise and explain"

LimitHook = Callable[[Controls, str], None]
"""(controls, caller's call SID): run when a hold reaches its limit, before the caller is
reconnected. Transfers register one (the limit may end a transfer): they use holds, so hold
must not import them."""

_LIMIT_HOOKS = "calls.hold_limit_hooks"


def hold_limit_hooks(app: Flask) -> list[LimitHook]:
    return app.extensions.setdefault(_LIMIT_HOOKS, [])


def member(call_sid: str, generation: int | str, index: int) -> str:
    return f"{HOLD_KIND}|{call_sid}|{generation}|{index}"


def conference_sid(c: Controls, call_sid: str) -> str:
    """The SID of the caller's live conference (Twilio updates participants by it)."""
    known = c.store.ctl(call_sid).get("conference_sid")
    if known:
        return known
    found = c.gateway.find_conference(call_sid)
    if not found:
        raise CallNotLive("The caller's conference is not live.", call_sid=call_sid)
    c.store.set_ctl(call_sid, conference_sid=found)
    return found


def hold_url(c: Controls, call_sid: str) -> str:
    return c.url(f"/api/calls/twiml/hold?call={call_sid}")


def is_held(c: Controls, call_sid: str) -> bool:
    return c.store.ctl(call_sid).get("held") == "1"


def hold(c: Controls, call_sid: str, agent: str, *, reason: str = "agent") -> None:
    """Put the caller on hold and start the hold clock (idempotent: held stays held)."""
    if is_held(c, call_sid):
        return
    c.gateway.update_participant(conference_sid(c, call_sid), call_sid, hold=True,
                                 hold_url=hold_url(c, call_sid))
    now = c.now()
    generation = c.store.bump_hold(call_sid)
    warnings, limit = c.settings.hold_warnings, c.settings.hold_limit
    c.store.set_ctl(call_sid, held=1, held_since=round(now, 3), held_by=agent,
                    hold_reason=reason, hold_warn_at=",".join(map(str, warnings)),
                    hold_limit=limit)
    due = {member(call_sid, generation, i): now + w for i, w in enumerate(warnings) if w < limit}
    due[member(call_sid, generation, len(warnings))] = now + limit
    c.queue.store.schedule(due)
    c.events.call_event(call_sid, "held", agent=agent, reason=reason)
    c.events.agent_event(agent, "hold.started", call_sid=call_sid, held_since=round(now, 3),
                         hold={"warn_at": list(warnings), "limit": limit}, reason=reason)


def resume(c: Controls, call_sid: str, *, announce_url: str | None = None,
           why: str = "agent", conference: str | None = None) -> bool:
    """Take the caller off hold; the agent is reminded to apologise and explain (R5).
    False if they were not held."""
    ctl = c.store.ctl(call_sid)
    if ctl.get("held") != "1":
        return False
    c.gateway.update_participant(conference or conference_sid(c, call_sid), call_sid,
                                 hold=False, announce_url=announce_url)
    end_hold(c, call_sid)
    held_for = round(c.now() - float(ctl.get("held_since") or c.now()), 1)
    agent = ctl.get("held_by", "")
    c.events.call_event(call_sid, "resumed", agent=agent, held_seconds=held_for, why=why)
    if agent:
        c.events.agent_event(agent, "hold.resumed", call_sid=call_sid, held_seconds=held_for,
                             why=why, remind=RESUME_REMINDER)
    return True


def end_hold(c: Controls, call_sid: str) -> None:
    """Forget the hold (its deadlines become no-ops); nothing is said to Twilio."""
    c.store.bump_hold(call_sid)
    c.store.set_ctl(call_sid, held=0, held_since="")


def on_deadline(deadline: Deadline, now: float) -> None:
    """A hold-clock deadline of an agent hold: a warning to the agent, or the limit."""
    from app.calls.factory import controls

    c = controls()
    sid = deadline.subject
    ctl = c.store.ctl(sid)
    if ctl.get("held") != "1" or ctl.get("hold_gen") != deadline.generation:
        return  # resumed, or a later hold
    fired = f"fired:{deadline.generation}:{deadline.index}"
    if ctl.get(fired):
        return  # a retried claim of a deadline that already took effect
    warnings = [int(w) for w in (ctl.get("hold_warn_at") or "").split(",") if w]
    agent = ctl.get("held_by", "")
    if deadline.index < len(warnings):
        c.events.agent_event(agent, "hold.warning", call_sid=sid,
                             after_seconds=warnings[deadline.index],
                             limit=int(ctl.get("hold_limit") or c.settings.hold_limit))
        c.events.call_event(sid, "hold_warning", agent=agent,
                            after_seconds=warnings[deadline.index])
    else:
        log.info("hold limit reached on call %s (agent %s): reconnecting", sid, agent)
        c.events.agent_event(agent, "hold.limit", call_sid=sid)
        for hook in hold_limit_hooks(current_app):
            hook(c, sid)
        resume(c, sid, announce_url=c.url(f"/api/calls/twiml/announce?call={sid}"
                                          "&say=calls.hold_limit_apology"), why="limit")
    c.store.set_ctl(sid, **{fired: round(now, 3)})
