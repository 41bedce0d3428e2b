"""Warm and cold transfers (R6, R7): the state machine's moves and what each one does.

Warm: the caller is held in their own conference (hold clock running) while the target's
softphone is rung into the same room; the original agent and the target talk; the original
completes only once the target has joined. Until then the original agent's leaving does not
end the room (endConferenceOnExit is switched off for the transfer), so no path through a
transfer drops the caller: a target who does not answer, rejects or hangs up puts the caller
back with the original agent; an original agent who drops hands the caller to a joined
target, or back to the head of the queue.

Cold: the caller is taken out of the room (REST redirect) into a new wait in the same-named
conference, at the head of the target department's line, or offered straight to one agent.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any
from uuid import uuid4

from sqlalchemy import select

from app.agents.models import Agent
from app.calls import hold, lines
from app.calls.answering import confirm_answer
from app.calls.errors import (
    CallNotLive,
    InvalidTransfer,
    TargetUnavailable,
    TransferInProgress,
    TransferNotFound,
    TransferStateConflict,
    TransferTargetNotJoined,
)
from app.calls.factory import Controls
from app.calls.machine import MODES, MOVES, TARGET_KINDS, Transfer
from app.extensions import db
from app.floor import departments
from app.floor.models import Department
from app.queue.holdclock import step_member
from app.queue.ladder import ladder_for
from app.queue.livecall import CallState, LiveCall
from app.queue.store import MAX_PRIORITY, queue_score
from app.telephony import VoiceResponse

log = logging.getLogger(__name__)


# Why a target's leg ended unanswered, as the original agent is told.
NOT_ANSWERED = {"no-answer": "no_answer", "busy": "rejected", "failed": "unreachable",
                "canceled": "cancelled"}


# -- reading ----------------------------------------------------------------------------------


def latest(c: Controls, call_sid: str) -> Transfer | None:
    fields = c.store.transfer(call_sid)
    return Transfer(fields) if fields else None


def current(c: Controls, call_sid: str) -> Transfer | None:
    t = latest(c, call_sid)
    return t if t is not None and t.live else None


def _live(c: Controls, call_sid: str) -> Transfer:
    t = current(c, call_sid)
    if t is None:
        raise TransferNotFound("No transfer is in progress on this call.", call_sid=call_sid)
    return t


def _number(call: LiveCall | None) -> str:
    return call.number if call is not None else ""


def _since(call: LiveCall | None, now: float) -> float:
    """When the caller's wait began (their place in line), or `now` if unknown."""
    return call.since if call is not None and call.since is not None else now


# -- moves ------------------------------------------------------------------------------------


def _move(c: Controls, t: Transfer, state: str, **fields: Any) -> Transfer | None:
    """One step of the state machine; None if another step got there first."""
    sid = t.get("call_sid")
    if not c.store.transition(sid, t.id, MOVES[state], state, updated_at=round(c.now(), 3),
                              **fields):
        return None
    moved = Transfer(c.store.transfer(sid))
    _notify(c, moved)
    return moved


def _notify(c: Controls, t: Transfer) -> None:
    sid, data = t.get("call_sid"), t.to_dict()
    for agent in dict.fromkeys([t.from_agent, t.to_agent]):
        if agent:
            c.events.agent_event(agent, f"transfer.{t.state}", call_sid=sid, transfer=data)
    if t.state == "completed":
        # The history the next agent's screen-pop shows (R1): who had the caller, and why.
        c.events.call_event(sid, "transferred", transfer_id=t.id, mode=t.mode,
                            from_agent=t.from_agent, to_agent=t.to_agent or None,
                            target=data["target"], reason=t.get("reason") or None)
    else:
        c.events.call_event(sid, f"transfer_{t.state}", transfer_id=t.id, mode=t.mode,
                            to_agent=t.to_agent or None, reason=t.get("reason") or None)


# -- starting ---------------------------------------------------------------------------------


def start(c: Controls, call_sid: str, mode: str, target: Any) -> Transfer:
    """Start a transfer of a live call from the agent talking to the caller."""
    if mode not in MODES:
        raise InvalidTransfer("'mode' is warm or cold.", field="mode", allowed=list(MODES))
    if not isinstance(target, dict) or target.get("kind") not in TARGET_KINDS:
        raise InvalidTransfer("'target' is {kind: agent|department|supervisor, id}.",
                              field="target", allowed=list(TARGET_KINDS))
    kind, target_id = target["kind"], str(target.get("id") or "")
    # Asked for right after answering, the answer's callback may still be on its way.
    call = confirm_answer(c, call_sid, c.call(call_sid))
    if call is not None and call.state is CallState.OFFERED:
        raise CallNotLive("This call has not been answered yet: transfer it once you are "
                          "talking to the caller.", call_sid=call_sid, state="offered")
    if call is None or call.state is not CallState.CONNECTED or not call.agent:
        raise CallNotLive("Only a call an agent is talking on can be transferred.",
                          call_sid=call_sid, state=call.state if call is not None else None)
    from_agent = call.agent
    candidates, department = _target(kind, target_id, from_agent)
    now = round(c.now(), 3)
    fields = {"id": "TR" + uuid4().hex, "call_sid": call_sid, "mode": mode,
              "state": "initiated", "target_kind": kind, "target_id": target_id,
              "from_agent": from_agent, "from_leg": call.agent_leg, "to_agent": "",
              "to_leg": "", "reason": "", "created_at": now, "updated_at": now}
    found = c.store.create_transfer(call_sid, fields)
    if found != "ok":
        raise TransferInProgress("Another transfer of this call is in progress.",
                                 call_sid=call_sid, state=found)
    t = Transfer(fields)
    c.events.call_event(call_sid, "transfer_initiated", transfer_id=t.id, mode=mode,
                        from_agent=from_agent, target={"kind": kind, "id": target_id or None})
    if mode == "cold":
        return _cold(c, t, candidates, department)
    return _warm(c, t, candidates, department)


def _target(kind: str, target_id: str, from_agent: str) -> tuple[list[str], str]:
    """(candidate agent identities, department slug) for the target; checks it exists."""
    if kind == "department":
        if not target_id:
            raise InvalidTransfer("Name the department.", field="target.id")
        department = db.session.scalars(
            select(Department).where(Department.slug == target_id, Department.active)).first()
        if department is None:
            raise InvalidTransfer("No such department.", field="target.id", id=target_id)
        return [], target_id
    query = select(Agent).where(Agent.active, Agent.identity != from_agent)
    if kind == "supervisor":
        query = query.where(Agent.role == "supervisor")
    if target_id:
        query = query.where(Agent.identity == target_id)
    elif kind == "agent":
        raise InvalidTransfer("Name the agent.", field="target.id")
    found = [a.identity for a in db.session.scalars(query)]
    if not found:
        raise InvalidTransfer(f"No such {kind} to transfer to.", field="target.id",
                              id=target_id or None)
    return found, ""


def _fail(c: Controls, t: Transfer, reason: str, **fields: Any) -> None:
    _move(c, t, "failed", reason=reason, **fields)


def _warm(c: Controls, t: Transfer, candidates: list[str], department: str) -> Transfer:
    sid = t.get("call_sid")
    who = c.store.reserve_agent(sid, c.now(), candidates=candidates, department=department)
    if not who:
        _fail(c, t, "target_unavailable")
        raise TargetUnavailable("Nobody of that target is available to take a transfer now.",
                                target=t.to_dict()["target"])
    call = c.call(sid)
    on_line = lines.offerable(who)
    try:
        conference = hold.conference_sid(c, sid)
        # From now until the transfer ends, the original agent leaving must not end the room.
        c.gateway.update_participant(conference, t.get("from_leg"), end_conference_on_exit=False)
        hold.hold(c, sid, t.from_agent, reason="transfer")
        if on_line:
            # The target's console rings; Accept moves their line in (accept_on_line).
            leg = ""
        else:
            c.queue.book_call(sid, "transfer")  # the account's CPS budget (docs/queue.md)
            leg = c.gateway.add_participant(
                sid, to=f"client:{who}", from_=_number(call) or c.queue.settings.caller_id,
                label=f"transfer-{t.id}", timeout=c.settings.transfer_ring_timeout,
                status_callback=c.url(f"/api/calls/twiml/transfer-leg?call={sid}"
                                      f"&transfer={t.id}&agent={who}"),
                start_conference_on_enter=True, end_conference_on_exit=False)
    except Exception as exc:
        log.error("warm transfer %s of call %s could not ring %s: %s", t.id, sid, who, exc)
        c.store.release_agent(sid, who, c.now())
        _fail(c, t, "target_unreachable", to_agent=who)
        _restore(c, sid, t)
        raise TargetUnavailable("The target's phone could not be rung.", agent=who) from exc
    moved = _move(c, t, "target_ringing", to_agent=who, to_leg=leg)
    if on_line:
        c.queue.store.schedule({lines.offer_member(sid, t.id):
                                c.now() + c.settings.transfer_ring_timeout})
    c.events.agent_event(who, "transfer.offer", call_sid=sid, transfer=(moved or t).to_dict(),
                         context=_screen_pop(c, sid), line=on_line)
    return moved or Transfer(c.store.transfer(sid))


# -- a warm transfer offered on the target's line ---------------------------------------------


def _offered_on_line(c: Controls, sid: str, agent: str) -> Transfer:
    t = current(c, sid)
    if (t is None or t.state != "target_ringing" or t.to_agent != agent
            or t.get("to_leg")):
        raise TransferStateConflict("No transfer of this call is offered to you now.",
                                    transfer=_dict(c, sid))
    return t


def accept_on_line(c: Controls, sid: str, agent: str) -> Transfer:
    """The target pressed Accept: their line joins the caller's room (an update, no call
    created), and the transfer goes on exactly as when a rung leg answers."""
    t = _offered_on_line(c, sid, agent)
    leg = lines.agent_lines().join_transfer(agent, sid, f"transfer-{t.id}")
    if not leg:
        on_target_leg(c, sid, t.id, agent, "", "failed")
        raise TargetUnavailable("Your softphone's line is down: go available again.",
                                agent=agent)
    on_target_leg(c, sid, t.id, agent, leg, "in-progress")
    return Transfer(c.store.transfer(sid))


def reject_on_line(c: Controls, sid: str, agent: str) -> Transfer:
    """The target pressed Reject: as a rung target who rejects."""
    t = _offered_on_line(c, sid, agent)
    on_target_leg(c, sid, t.id, agent, "", "busy")
    return Transfer(c.store.transfer(sid))


def on_offer_deadline(deadline: Any, now: float) -> None:
    """A transfer offered on a line was not taken in time: as a rung target who does not
    answer (the caller goes back to the original agent, the target away)."""
    from app.calls.factory import controls

    c = controls()
    sid, transfer_id = deadline.subject, deadline.generation
    t = latest(c, sid)
    if t is not None and t.id == transfer_id and t.state == "target_ringing" \
            and not t.get("to_leg"):
        on_target_leg(c, sid, t.id, t.to_agent, "", "no-answer")


def _cold(c: Controls, t: Transfer, candidates: list[str], department: str) -> Transfer:
    sid = t.get("call_sid")
    call = c.call(sid)
    now = c.now()
    who = ""
    if department:
        if not c.queue.store.signed_in_agents([department]):
            # Nobody could ever pick the caller up there: tell the agent now, while the
            # caller is still with them, rather than send the caller to wait for nobody.
            _fail(c, t, "target_unavailable")
            raise TargetUnavailable("Nobody in that department is signed in.",
                                    target=t.to_dict()["target"])
        pending = f"queue:{department}"
        taken = c.store.take_call(sid, t.from_agent, "transferring")
    else:
        who = c.store.reserve_agent(sid, now, candidates=candidates) or ""
        if not who:
            _fail(c, t, "target_unavailable")
            raise TargetUnavailable("That agent is not available to take the call now.",
                                    target=t.to_dict()["target"])
        pending = f"agent:{who}"
        score = queue_score(MAX_PRIORITY, _since(call, now))
        taken = c.store.take_call(sid, t.from_agent, "offered", agent=who, offered_at=now,
                                  since=now, score=score, priority=MAX_PRIORITY)
    if not taken:
        if who:
            c.store.release_agent(sid, who, now)
        _fail(c, t, "call_not_live")
        raise CallNotLive("The call is no longer with this agent.", call_sid=sid)
    hold.end_hold(c, sid)  # the caller leaves the room; a hold there is over
    c.store.set_ctl(sid, pending=pending)
    try:
        c.gateway.redirect_call(sid, c.url(f"/api/calls/twiml/rejoin?call={sid}"))
    except Exception as exc:
        log.error("cold transfer %s: could not move caller %s: %s", t.id, sid, exc)
        c.store.set_ctl(sid, pending="")
        c.queue.store.set_call_fields(sid, state="connected", agent=t.from_agent)
        if who:
            c.store.release_agent(sid, who, c.now())
        _fail(c, t, "caller_unreachable")
        raise CallNotLive("The caller could not be moved; they are still with you.") from exc
    return _move(c, t, "completed", to_agent=who) or Transfer(c.store.transfer(sid))


def _screen_pop(c: Controls, call_sid: str) -> dict[str, Any] | None:
    try:
        return c.queue.screen_pop(call_sid)
    except Exception:
        log.exception("no screen-pop for transfer of %s", call_sid)
        return None


# -- the agent's buttons ----------------------------------------------------------------------


def complete(c: Controls, call_sid: str) -> Transfer:
    t = _live(c, call_sid)
    if not t.joined:
        raise TransferTargetNotJoined("The target has not joined the call yet.",
                                      transfer=t.to_dict())
    return _handover(c, call_sid, t, reason="")


def three_way(c: Controls, call_sid: str) -> Transfer:
    t = _live(c, call_sid)
    if not t.joined:
        raise TransferTargetNotJoined("The target has not joined the call yet.",
                                      transfer=t.to_dict())
    if t.state == "three_way":
        hold.resume(c, call_sid, why="three_way")  # a retry after Twilio refused the first
        return t
    moved = _move(c, t, "three_way")
    if moved is None:
        raise TransferStateConflict("The transfer moved on.", transfer=_dict(c, call_sid))
    c.store.set_ctl(call_sid, **{f"served:{t.to_agent}": 1})
    hold.resume(c, call_sid, why="three_way")
    return moved


def cancel(c: Controls, call_sid: str) -> Transfer:
    t = _live(c, call_sid)
    moved = _move(c, t, "cancelled", reason="cancelled")
    if moved is None:
        raise TransferStateConflict("The transfer moved on.", transfer=_dict(c, call_sid))
    _drop_target(c, call_sid, moved)
    _restore(c, call_sid, moved)
    return moved


def _dict(c: Controls, call_sid: str) -> dict[str, Any] | None:
    t = latest(c, call_sid)
    return t.to_dict() if t else None


def _handover(c: Controls, sid: str, t: Transfer, *, reason: str,
              original_gone: bool = False) -> Transfer:
    """The target takes the call: the room is theirs, the caller hears them, the original
    agent leaves."""
    moved = _move(c, t, "completed", reason=reason)
    if moved is None:
        raise TransferStateConflict("The transfer moved on.", transfer=_dict(c, sid))
    to_leg = t.get("to_leg")
    c.queue.store.set_call_fields(sid, agent=t.to_agent, agent_leg=to_leg)
    c.store.set_ctl(sid, **{f"served:{t.to_agent}": 1})
    # Each step on its own: one refused by Twilio must not leave the caller on hold.
    if c.store.ctl(sid).get("held") == "1":
        c.store.set_ctl(sid, held_by=t.to_agent)  # the reminder goes to whoever picks up
        try:
            hold.resume(c, sid, why="transferred")
        except Exception:
            log.exception("transfer %s: could not take caller %s off hold", t.id, sid)
    try:
        c.gateway.update_participant(hold.conference_sid(c, sid), to_leg,
                                     end_conference_on_exit=True)
    except Exception:
        log.exception("transfer %s: the target's leaving will not end the room", t.id)
    _record_agent(sid, t.to_agent)
    if not original_gone and lines.is_line(t.from_agent, t.get("from_leg")):
        # A line is not hung up: it goes home, and the original agent's call is over.
        lines.agent_lines().hang_up(t.from_agent, sid)
    elif not original_gone and t.get("from_leg"):
        try:
            c.gateway.hang_up(t.get("from_leg"))
        except Exception as exc:
            log.warning("could not end original agent %s's leg: %s", t.from_agent, exc)
    return moved


def _record_agent(call_sid: str, identity: str) -> None:
    from app.interactions.services import find_by_call_sid

    try:
        interaction = find_by_call_sid(call_sid)
        if interaction is not None:
            interaction.agent_identity = identity
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record %s as the agent of %s", identity, call_sid)


def _drop_target(c: Controls, sid: str, t: Transfer) -> None:
    """End the target's leg (ringing or joined) and free them."""
    if t.get("to_leg"):
        lines.end_leg(c, t.to_agent, sid, t.get("to_leg"))
    if t.to_agent:
        c.store.release_agent(sid, t.to_agent, c.now())


def _restore(c: Controls, sid: str, t: Transfer, *, resume: bool = True) -> None:
    """The caller is back with the original agent, whose leaving ends the room again."""
    try:
        conference = hold.conference_sid(c, sid)
        if t.get("from_leg"):
            c.gateway.update_participant(conference, t.get("from_leg"),
                                         end_conference_on_exit=True)
        if resume:
            hold.resume(c, sid, why=f"transfer_{t.state}", conference=conference)
    except Exception:
        log.exception("could not reconnect caller %s with agent %s", sid, t.from_agent)


# -- what Twilio tells us ---------------------------------------------------------------------


def on_target_leg(c: Controls, sid: str, transfer_id: str, agent: str, leg: str,
                  status: str) -> None:
    """Call-progress events of a warm transfer target's leg."""
    t = latest(c, sid)
    same = t is not None and t.id == transfer_id
    now = c.now()
    if status == "in-progress":
        if (same and t.live and c.store.target_answered(sid, agent, now)
                and _move(c, t, "consulting", to_agent=agent, to_leg=leg) is not None):
            return
        if not (same and t.state in ("consulting", "three_way", "completed")):
            # Answered after the transfer ended (cancelled while ringing): nobody to talk to.
            lines.end_leg(c, agent, sid, leg)
            c.store.release_agent(sid, agent, now)
    elif status in NOT_ANSWERED:
        missed = status == "no-answer"
        c.store.release_agent(sid, agent, now, state="away" if missed else "available",
                              reason="missed transfer" if missed else "")
        if same and t.live:
            moved = _move(c, t, "failed", reason=NOT_ANSWERED[status])
            if moved is not None:
                _restore(c, sid, moved)
    elif status == "completed":
        if same and t.live and c.gateway.call_ended(sid):
            # The caller's hang-up ended the room, and with it this leg; Twilio may tell us
            # of the leg before the caller's own leave.
            on_caller_left(c, sid)
        elif same and t.live:
            moved = _move(c, t, "failed",
                          reason="target_hung_up" if t.joined else "no_answer")
            if moved is not None:
                _restore(c, sid, moved)
        if c.store.ctl(sid).get(f"served:{agent}"):
            c.queue.agent_left(sid, agent)  # they talked with the caller: wrap-up first
        else:
            c.store.release_agent(sid, agent, now)


def on_agent_left(c: Controls, sid: str, leg: str, *, room_ended: bool = False) -> str:
    """An agent's leg left the caller's room; returns who it was ('' if unknown).
    `room_ended`: it left because the room ended, which is no handover."""
    t = latest(c, sid)
    if t is not None and leg and leg == t.get("from_leg"):
        if t.live and not room_ended:
            _original_left(c, sid, t)
        return t.from_agent
    if t is not None and leg and leg == t.get("to_leg"):
        if t.live and not room_ended and lines.is_line(t.to_agent, leg):
            # A target's line left the room (it dropped): no leg callback will say so.
            on_target_leg(c, sid, t.id, t.to_agent, leg, "completed")
        return t.to_agent
    call = c.call(sid)
    return call.agent if call is not None and leg and leg == call.agent_leg else ""


def _original_left(c: Controls, sid: str, t: Transfer) -> None:
    """The original agent dropped mid-transfer: never the caller's end."""
    if t.joined:
        with contextlib.suppress(TransferStateConflict):  # completed meanwhile
            _handover(c, sid, t, reason="original_agent_left", original_gone=True)
        return
    moved = _move(c, t, "failed", reason="original_agent_left")
    if moved is None:
        return
    _drop_target(c, sid, moved)
    call = c.call(sid)
    if c.store.take_call(sid, t.from_agent, "transferring"):
        hold.end_hold(c, sid)
        c.store.set_ctl(sid, pending=f"back:{call.department if call is not None else ''}")
        c.gateway.redirect_call(sid, c.url(f"/api/calls/twiml/rejoin?call={sid}"))


def on_agent_lost(c: Controls, sid: str) -> VoiceResponse | None:
    """The caller's agent was lost mid-call (their line dropped, and the room ended with
    it): the caller waits again at the front of the line, told why, rather than hearing the
    goodbye. None (the goodbye, then) during a transfer, whose own rules handle its agents,
    or if the call is no longer theirs."""
    if current(c, sid) is not None:
        return None
    call = c.call(sid)
    if call is None or not c.store.take_call(sid, call.agent, "transferring"):
        return None
    if hold.is_held(c, sid):
        hold.end_hold(c, sid)
    c.store.set_ctl(sid, pending=f"back:{call.department}")
    c.events.call_event(sid, "agent_lost", agent=call.agent)
    intro = c.queue.phrases.text("calls.back_in_line", call.language or "en")
    # Their room again (a new one: the old ended); joining it requeues them at the head.
    return c.queue.rejoin(sid, intro)


def on_caller_left(c: Controls, sid: str) -> None:
    """The caller hung up: a transfer in progress ends, its target is freed."""
    if hold.is_held(c, sid):
        hold.end_hold(c, sid)
    t = current(c, sid)
    if t is None:
        return
    moved = _move(c, t, "failed", reason="caller_hung_up")
    if moved is not None:
        _drop_target(c, sid, moved)


def on_hold_limit(c: Controls, sid: str) -> None:
    """The hold limit came during a transfer: the caller is reconnected either way (with a
    joined target too, as a three-way call; otherwise the ring is given up)."""
    t = current(c, sid)
    if t is None:
        return
    if t.state == "consulting":
        if _move(c, t, "three_way", reason="hold_limit") is not None:
            c.store.set_ctl(sid, **{f"served:{t.to_agent}": 1})
        return
    if t.state in ("initiated", "target_ringing"):
        moved = _move(c, t, "failed", reason="hold_limit")
        if moved is not None:
            _drop_target(c, sid, moved)
            _restore(c, sid, moved, resume=False)  # the limit's own resume apologises


def on_caller_joined(c: Controls, sid: str) -> None:
    """The caller is in their room again after a cold transfer: queue them or ring the agent."""
    pending = c.store.take_pending(sid)
    if not pending:
        return
    kind, _, subject = pending.partition(":")
    if kind in ("queue", "back"):
        _requeue_at_head(c, sid, subject)
    elif kind == "agent":
        _restart_clock(c, sid, None)
        c.queue.ring(sid, subject)


def _requeue_at_head(c: Controls, sid: str, slug: str) -> None:
    call = c.call(sid)
    now = c.now()
    try:
        department = departments.get(slug)
        language = (call.language if call is not None else "") or "en"
        name = departments.view(department).name_in(language)
        settings = department.settings
    except Exception:
        log.exception("department %s not usable; %s keeps the old one's settings", slug, sid)
        name, settings = (call.department_name if call is not None else "") or slug, None
    if settings is not None:
        steps = [{"at": s.at, "action": s.action, **s.params} for s in ladder_for(settings)]
    else:
        steps = call.ladder() if call is not None else []
    ladder = json.dumps(steps)
    # Transferred callers go first: top priority, and their first wait start as the tiebreak.
    score = queue_score(MAX_PRIORITY, _since(call, now))
    if not c.store.requeue(sid, slug, score=score, priority=MAX_PRIORITY, since=now,
                           department_name=name, ladder=ladder, announce="0",
                           best_position=""):
        return
    _restart_clock(c, sid, ladder)
    c.events.call_event(sid, "requeued", department=slug, transferred=True)
    c.queue.route([slug])


def _restart_clock(c: Controls, sid: str, ladder: str | None) -> None:
    store = c.queue.store
    generation = store.bump_generation(sid)
    if ladder is not None:
        raw = json.loads(ladder)
    else:
        call = store.live(sid)
        raw = call.ladder() if call is not None else []
    now = c.now()
    store.schedule({step_member(sid, generation, i): now + float(s["at"])
                    for i, s in enumerate(raw)})
