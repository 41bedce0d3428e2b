"""A live call as the agent console sees it, who may act on it, and hold/resume/hang-up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.auth import Forbidden, Principal
from app.calls import hold, lines, transfers
from app.calls.answering import confirm_answer
from app.calls.errors import CallNotFound, CallNotLive, TransferInProgress
from app.calls.factory import Controls
from app.calls.machine import Transfer
from app.customers.models import Customer
from app.extensions import db
from app.interactions.services import find_by_call_sid
from app.queue.livecall import Audience, CallState, LiveCall


def _call(c: Controls, call_sid: str) -> LiveCall:
    call = c.call(call_sid)
    if call is None:
        raise CallNotFound("No such live call.", call_sid=call_sid)
    return call


def authorise(c: Controls, principal: Principal, call_sid: str) -> LiveCall:
    """The call, if this principal may act on it: supervisors and the operator always; an
    agent only on a call they are on (or are being transferred)."""
    call = _call(c, call_sid)
    if principal.kind in ("admin", "supervisor"):
        return call
    on_it = {call.agent}
    t = transfers.current(c, call_sid)
    if t is not None:
        on_it |= {t.from_agent, t.to_agent}
    if principal.identity not in on_it - {""}:
        raise Forbidden("You are not on this call.", call_sid=call_sid)
    return call


def _iso(value: str | None) -> str | None:
    return datetime.fromtimestamp(float(value), UTC).isoformat() if value else None


def state_of(c: Controls, call: LiveCall, ctl: dict[str, str],
             transfer: Transfer | None) -> str:
    # The queue's word for the console; held, transferring and wrap-up refine "talking".
    state = call.word(Audience.CONSOLE)
    if state == "talking":
        if transfer is not None and transfer.live:
            return "transferring"
        if ctl.get("held") == "1":
            return "held"
    if (state == "ended" and call.agent
            and c.queue.store.agent(call.agent).get("state") == "wrap_up"):
        return "wrap-up"
    return state


def _customer(call_sid: str, call: LiveCall) -> dict[str, Any] | None:
    interaction = find_by_call_sid(call_sid)
    customer_id = interaction.customer_id if interaction is not None else None
    if customer_id is None:
        customer_id = call.customer_id
    customer = db.session.get(Customer, customer_id) if customer_id else None
    number = call.number or (interaction.from_number if interaction else None)
    if customer is None:
        return {"id": None, "name": None, "number": number or None, "known": False}
    return {"id": customer.id, "name": customer.name, "number": number or None,
            "tier": customer.tier, "language": customer.language, "known": True}


def view(c: Controls, call_sid: str) -> dict[str, Any]:
    call = _call(c, call_sid)
    ctl = c.store.ctl(call_sid)
    latest = transfers.latest(c, call_sid)
    live = latest if latest is not None and latest.live else None
    held = ctl.get("held") == "1"
    participants: list[dict[str, Any]] = [
        {"role": "caller", "call_sid": call_sid, "number": call.number or None,
         "held": held}]
    if call.agent and call.state in (CallState.CONNECTED, CallState.TRANSFERRING):
        participants.append({"role": "agent", "identity": call.agent,
                             "call_sid": call.agent_leg or None})
    if live is not None and live.to_agent:
        participants.append({"role": "transfer_target", "identity": live.to_agent,
                             "call_sid": live.get("to_leg") or None, "joined": live.joined})
    return {
        "call_sid": call_sid,
        "customer": _customer(call_sid, call),
        "department": {"slug": call.department or None,
                       "name": call.department_name or None},
        "language": call.language or None,
        "state": state_of(c, call, ctl, live),
        "agent": call.agent or None,
        "held_since": _iso(ctl.get("held_since")) if held else None,
        "hold": {"warn_at": list(c.settings.hold_warnings), "limit": c.settings.hold_limit},
        "transfer": live.to_dict() if live is not None else None,
        "participants": participants,
    }


def _talking(c: Controls, call_sid: str, call: LiveCall | None) -> LiveCall:
    if call is None or call.state is not CallState.CONNECTED or not call.agent:
        raise CallNotLive("The caller is not talking to an agent.", call_sid=call_sid,
                          state=call.state if call is not None else None)
    if transfers.current(c, call_sid) is not None:
        raise TransferInProgress("A transfer is in progress: complete, cancel or go "
                                 "three-way instead.", call_sid=call_sid)
    return call


def hold_call(c: Controls, principal: Principal, call_sid: str) -> None:
    call = confirm_answer(c, call_sid, authorise(c, principal, call_sid))
    hold.hold(c, call_sid, _talking(c, call_sid, call).agent)


def resume_call(c: Controls, principal: Principal, call_sid: str) -> None:
    call = authorise(c, principal, call_sid)
    _talking(c, call_sid, call)
    hold.resume(c, call_sid)


def hang_up(c: Controls, principal: Principal, call_sid: str) -> None:
    """The agent leaves the call. Their leg ends; the rest follows from the conference's
    events: a caller alone gets the survey or a goodbye, a transfer goes on without them."""
    call = confirm_answer(c, call_sid, authorise(c, principal, call_sid))
    t = transfers.current(c, call_sid)
    if t is not None and principal.identity == t.to_agent and t.get("to_leg"):
        leg = t.get("to_leg")
        if lines.is_line(t.to_agent, leg):
            # The target's line goes home (not hung up); no leg callback will say so.
            lines.end_leg(c, t.to_agent, call_sid, leg)
            transfers.on_target_leg(c, call_sid, t.id, t.to_agent, leg, "completed")
            return
    elif call is not None and call.state is CallState.CONNECTED and call.agent_leg:
        leg = call.agent_leg
        on_line = lines.agent_lines()
        # A persistent line is not hung up: it goes back to the agent's room.
        if leg == on_line.leg_of(call.agent) and on_line.hang_up(call.agent, call_sid):
            return
    else:
        raise CallNotLive("Nobody is on this call to hang up.", call_sid=call_sid,
                          state=call.state if call is not None else None)
    c.gateway.hang_up(leg)
