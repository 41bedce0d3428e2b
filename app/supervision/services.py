"""Supervisors stepping in (R13): reassign a waiting caller, take back a ringing offer, and
listen, whisper or barge into a call. Every action is written to the audit log.

Queue changes go through the queue's atomic scripts, so a caller who hangs up at that very
moment is either moved before the hang-up (and the hang-up then frees whoever was rung) or
refused after it (409 caller_gone). Monitoring is the supervisor's softphone in the caller's
conference; who monitors what lives in Redis, next to the call. Callers commit.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from app.agents.models import Agent
from app.agents.services import find_agent
from app.extensions import db
from app.floor import departments
from app.interactions import services as interactions
from app.queue import queue_services
from app.queue.livecall import Audience, CallState, LiveCall, word
from app.queue.services import QueueService
from app.supervision import audit, snapshot
from app.supervision.errors import (
    AgentNotAvailable,
    BadMonitorMode,
    CallerGone,
    CallNotLive,
    LineBusy,
    NotMonitoring,
    WrongCallState,
)
from app.telephony.gateway import TelephonyError
from config import app_settings

log = logging.getLogger(__name__)

MODES = ("listen", "whisper", "barge")
MONITOR_RING_SECONDS = 30
# Who monitors a call is forgotten when their leg ends; this only sweeps a record whose
# leg's last status callback never came (no deadline depends on it).
MONITOR_RECORD_SECONDS = 12 * 3600
ENDED = ("", "ended")


def _refusal(result: str, call_sid: str) -> Exception:
    """The error for a script's refusal ('caller:<state>' or 'agent:<state>')."""
    who, _, state = result.partition(":")
    if who == "agent":
        return AgentNotAvailable("That agent is not available.", state=state or "offline")
    if state in ENDED:
        return CallerGone("The caller has hung up.", call_sid=call_sid)
    return WrongCallState("The call is not in a state that allows this.", call_sid=call_sid,
                          state=word(state, Audience.API))


# -- looking ---------------------------------------------------------------------------

def monitor_key(queue: QueueService, call_sid: str) -> str:
    return f"{queue.store.keys.prefix}:monitor:{call_sid}"


def monitoring(queue: QueueService, call_sid: str) -> dict[str, str]:
    return queue.store.redis.hgetall(monitor_key(queue, call_sid))


def live_calls(queue: QueueService) -> list[dict[str, Any]]:
    return snapshot.live_calls(queue.store, queue.now(), partial(monitoring, queue))


def live_call(queue: QueueService, call_sid: str) -> dict[str, Any]:
    call = queue.store.live(call_sid)
    if call is None:
        raise CallNotLive("No live call with this SID.", call_sid=call_sid)
    return snapshot.call_item(queue.store, call, queue.now(),
                              monitoring(queue, call_sid) or None)


def _live(queue: QueueService, call_sid: str) -> LiveCall:
    call = queue.store.live(call_sid)
    if call is None:
        raise CallNotLive("No live call with this SID.", call_sid=call_sid)
    if not call.live:
        raise CallerGone("The caller has hung up.", call_sid=call_sid)
    return call


# -- reassign --------------------------------------------------------------------------

def reassign(queue: QueueService, supervisor: str, call_sid: str, *,
             department: str | None = None, agent: str | None = None) -> dict[str, Any]:
    """A waiting caller to another department's queue, or straight to an available agent."""
    call = _live(queue, call_sid)
    before = call.department
    if agent:
        target = _agent(agent)
        result = queue.store.offer_to(call_sid, target.identity, queue.now())
        if result != "ok":
            raise _refusal(result, call_sid)
        _record(queue, supervisor, "reassign", call_sid, to_agent=target.identity,
                from_department=before)
        queue.ring(call_sid, target.identity)
    else:
        found = departments.get(department or "")
        if not found.active:
            raise WrongCallState("That department takes no calls (inactive).",
                                 error_id="department_inactive", department=found.slug)
        name = departments.view(found).name_in(call.language or "en")
        result = queue.store.reassign(call_sid, found.slug, name)
        if result != "ok":
            raise _refusal(f"caller:{result}", call_sid)
        _record(queue, supervisor, "reassign", call_sid, to_department=found.slug,
                from_department=before)
        _move_interaction(call_sid, found.id)
        queue.route([found.slug])
    return live_call(queue, call_sid)


def _agent(identity: str) -> Agent:
    agent = find_agent(identity)
    if not agent.active:
        raise AgentNotAvailable("That agent is deactivated.", agent=identity)
    return agent


def _move_interaction(call_sid: str, department_id: int) -> None:
    interaction = interactions.find_by_call_sid(call_sid)
    if interaction is not None:
        interaction.department_id = department_id
        db.session.commit()


# -- take back -------------------------------------------------------------------------

def take_back(queue: QueueService, supervisor: str, call_sid: str,
              agent: str | None = None) -> dict[str, Any]:
    """Withdraw a ringing offer: the agent is freed and their phone stops ringing; the
    caller goes to `agent`, or back to the head of the line."""
    _live(queue, call_sid)
    target = _agent(agent).identity if agent else ""
    result = queue.store.take_back(call_sid, queue.now(), target)
    if result[0] != "ok":
        raise _refusal(result[0], call_sid)
    _, old, leg = result
    if leg:
        try:
            queue.gateway.withdraw_participant(call_sid, leg)
        except Exception as exc:
            # The leg may have ended on its own meanwhile; the agent is free either way.
            log.warning("could not cancel %s's ringing leg %s: %s", old, leg, exc)
    _record(queue, supervisor, "take_back", call_sid, from_agent=old or None,
            to_agent=target or None)
    if old:
        queue.events.agent_event(old, "offer_taken_back", call_sid=call_sid,
                                 supervisor=supervisor)
    if target:
        queue.ring(call_sid, target)
    else:
        queue.route(queue.queues_of(call_sid))
    if old:
        queue.route(queue.agent_departments(old))
    return live_call(queue, call_sid)


# -- listen, whisper, barge ------------------------------------------------------------

def start_monitor(queue: QueueService, supervisor: str, call_sid: str,
                  mode: str) -> dict[str, Any]:
    if mode not in MODES:
        raise BadMonitorMode("Choose listen, whisper or barge.", field="mode",
                             allowed=list(MODES))
    call = _live(queue, call_sid)
    if call.state is not CallState.CONNECTED:
        raise WrongCallState("Only a call an agent is on can be monitored.",
                             call_sid=call_sid, state=call.word(Audience.API))
    coach = call.agent_leg if mode == "whisper" else None
    if mode == "whisper" and not coach:
        raise WrongCallState("There is no agent on the call to whisper to.",
                             call_sid=call_sid)
    current = monitoring(queue, call_sid)
    if current and current.get("supervisor") != supervisor:
        raise WrongCallState("Another supervisor is monitoring this call.",
                             call_sid=call_sid, supervisor=current.get("supervisor"))
    muted = mode == "listen"
    gateway = queue.gateway
    if current and current.get("leg"):
        conference = gateway.find_conference(call_sid)
        if conference is None:
            raise CallerGone("The call has ended.", call_sid=call_sid)
        gateway.set_monitor_mode(conference, current["leg"], muted=muted,
                                 coach_call_sid=coach)
        leg = current["leg"]
    else:
        # A supervisor whose console holds a line joins on it: no call created.
        lines = queue_services().lines
        leg = lines.monitor(supervisor, call_sid, muted=muted, coach=coach)
        if not leg and lines.leg_of(supervisor):
            # Their line is up but in another room: ringing them would not help, as the
            # Voice SDK ignores a ring while it holds a call.
            raise LineBusy("Your line is on another call: leave it first.",
                           call_sid=call_sid, supervisor=supervisor)
    if not leg:
        config = app_settings()
        callback = (f"{config.PUBLIC_BASE_URL}/supervision/monitor-leg"
                    f"?call={call_sid}&supervisor={supervisor}")
        queue.book_call(call_sid, "monitor")  # the account's CPS budget
        try:
            leg = gateway.add_monitor(call_sid, identity=supervisor,
                                      caller_id=config.TWILIO_PHONE_NUMBER, muted=muted,
                                      coach_call_sid=coach, timeout=MONITOR_RING_SECONDS,
                                      status_callback=callback)
        except TelephonyError as exc:
            raise CallerGone("The call could not be joined; it may have ended.",
                             call_sid=call_sid, twilio_code=exc.code) from exc
    queue.store.redis.hset(monitor_key(queue, call_sid), mapping={
        "supervisor": supervisor, "mode": mode, "leg": leg, "coach": coach or "",
        "since": f"{queue.now():.3f}"})
    queue.store.redis.expire(monitor_key(queue, call_sid), MONITOR_RECORD_SECONDS)
    _record(queue, supervisor, "monitor", call_sid, mode=mode,
            previous=current.get("mode") if current else None, agent=call.agent or None)
    return {"call_sid": call_sid, "mode": mode, "supervisor": supervisor}


def stop_monitor(queue: QueueService, supervisor: str, call_sid: str) -> dict[str, Any]:
    current = monitoring(queue, call_sid)
    if not current:
        raise NotMonitoring("Nobody is monitoring this call.", call_sid=call_sid)
    queue.store.redis.delete(monitor_key(queue, call_sid))
    if current.get("leg") and queue_services().lines.leave(current.get("supervisor", ""),
                                                           call_sid):
        pass  # the supervisor's line went back to their room
    elif current.get("leg"):
        try:
            queue.gateway.hang_up(current["leg"])
        except Exception as exc:
            log.warning("monitor leg %s already gone: %s", current["leg"], exc)
    _record(queue, supervisor, "monitor_end", call_sid, mode=current.get("mode"),
            monitored_by=current.get("supervisor"))
    return {"call_sid": call_sid, "mode": None, "supervisor": current.get("supervisor")}


def participant_left(queue: QueueService, call_sid: str, leg: str, conference_sid: str) -> None:
    """Someone left the caller's room. The supervisor's own leg: forget the monitor. The
    agent being whispered to, with another agent on the call now (a completed transfer):
    whisper to that one; with none, listen (muted), so the caller never hears a whisper."""
    current = monitoring(queue, call_sid)
    if not current:
        return
    if leg == current.get("leg"):
        queue.store.redis.delete(monitor_key(queue, call_sid))
        return
    if current.get("mode") != "whisper" or leg != current.get("coach"):
        return
    call = queue.store.live(call_sid)
    coach = call.agent_leg if call is not None and call.state is CallState.CONNECTED else ""
    if coach == leg:
        coach = ""
    try:
        queue.gateway.set_monitor_mode(conference_sid, current["leg"], muted=not coach,
                                       coach_call_sid=coach or None)
    except Exception as exc:
        log.warning("could not move %s's whisper on call %s: %s",
                    current.get("supervisor"), call_sid, exc)
        return
    mode = "whisper" if coach else "listen"
    queue.store.redis.hset(monitor_key(queue, call_sid), mapping={"coach": coach, "mode": mode})
    queue.events.call_event(call_sid, "supervisor_monitor_moved",
                            supervisor=current.get("supervisor"), mode=mode,
                            agent=call.agent if call is not None and coach else None)


def monitor_leg_ended(queue: QueueService, call_sid: str, leg: str) -> None:
    """The supervisor's softphone left (hung up, never answered, or the call ended)."""
    current = monitoring(queue, call_sid)
    if current.get("leg") == leg:
        queue.store.redis.delete(monitor_key(queue, call_sid))


# -- the audit -------------------------------------------------------------------------

def _record(queue: QueueService, supervisor: str, action: str, call_sid: str,
            **details: Any) -> None:
    audit.record(supervisor, action, call_sid, **details)
    db.session.commit()
    # On the floor stream (the dashboard) and the call's timeline (its history).
    queue.events.call_event(call_sid, f"supervisor_{action}", supervisor=supervisor,
                            **details)
