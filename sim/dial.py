"""`<Dial>`: ring numbers and softphones and bridge the first to answer, join a conference,
or take the caller at the front of a queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim import calls, conference
from sim.scheduler import HungUp, Sleep
from sim.twiml import Node
from sim.webhooks import Doc, call_params, fetch_twiml, notify

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call


def dial(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    action = doc.resolve(node.get("action"))
    method = node.get("method", "POST") or "POST"
    nouns = node.children or ([Node("Number", {}, node.text)] if node.text else [])
    result: dict[str, str] = {}
    try:
        conf_noun = next((n for n in nouns if n.name == "Conference"), None)
        queue_noun = next((n for n in nouns if n.name == "Queue"), None)
        if conf_noun is not None:
            conf = conference.get_or_create(emu, conf_noun.text)
            opts = conference_options(conf_noun, doc)
            result["DialCallStatus"] = yield from conference.join(emu, call, conf, opts)
        elif queue_noun is not None:
            yield from _dial_queue(emu, call, node, queue_noun, result)
        else:
            yield from _dial_legs(emu, call, node, nouns, result)
    except HungUp:
        if action:
            status = result.get("DialCallStatus")
            result["DialCallStatus"] = {"in-progress": "completed", "ringing": "canceled",
                                        None: "completed"}.get(status, status or "completed")
            leg = emu.store.calls.get(result.get("DialCallSid", ""))
            if leg is not None and "DialCallDuration" not in result:
                result["DialCallDuration"] = str(leg.duration(emu.sched.now()))
            # The caller is gone: the action is still requested (the parent call already
            # `completed`, as Twilio sends it), its TwiML is never run.
            notify(emu, call.sid, action, method,
                   {**call_params(emu, call), **result, "CallStatus": "completed"},
                   "dial-action")
        raise
    call.activity = "twiml"
    if not action:
        return None
    return (yield from fetch_twiml(emu, call, action, method, result, purpose="dial"))


def conference_options(noun: Node, doc: Doc) -> conference.JoinOptions:
    wait_url = noun.get("waitUrl")
    return conference.JoinOptions(
        muted=noun.flag("muted", False),
        beep=noun.get("beep", "true") or "true",
        start_on_enter=noun.flag("startConferenceOnEnter", True),
        end_on_exit=noun.flag("endConferenceOnExit", False),
        wait_url=doc.resolve(wait_url) if wait_url else wait_url,
        wait_method=noun.get("waitMethod", "POST") or "POST",
        max_participants=int(noun.number("maxParticipants", 250)),
        coach=noun.get("coach") or None,
        label=noun.get("participantLabel") or None,
        status_callback=doc.resolve(noun.get("statusCallback")),
        status_callback_method=noun.get("statusCallbackMethod", "POST") or "POST",
        status_callback_events=conference.expand_events(
            noun.get("statusCallbackEvent") or "start end"),
    )


def _dial_legs(emu: Emulator, call: Call, node: Node, nouns: list[Node],
               result: dict[str, str]) -> Any:
    timeout = node.number("timeout", 30)
    caller_id = node.get("callerId") or call.from_
    legs: dict[str, Call] = {}
    for noun in nouns:
        leg = _ring_leg(emu, call, noun, caller_id)
        if leg is not None:
            legs[leg.sid] = leg
    result["DialCallStatus"] = "ringing"
    emu.hear(call, "ringback", source="line", detail={"to": [c.to for c in legs.values()]})
    deadline = emu.sched.now() + timeout
    answered: Call | None = None
    refused = 0
    try:
        while legs and answered is None and len(legs) > refused:
            sig = yield Sleep(max(deadline - emu.sched.now(), 0), frozenset({"answer", "reject"}))
            if sig is None:
                break
            leg = legs.get(sig.value)
            if leg is None or leg.ended:
                continue
            if sig.kind == "answer":
                answered = leg
            else:
                refused += 1
                calls.finish(emu, leg, "busy")
    finally:
        for leg in legs.values():
            if leg is not answered and not leg.ended:
                calls.finish(emu, leg, "no-answer" if answered is None else "canceled")
    if answered is None:
        status = "busy" if legs and refused == len(legs) else "no-answer"
        if not legs:
            status = "failed"
        result.update({"DialCallStatus": status, "DialBridged": "false"})
        return
    leg = answered
    calls.answer(emu, leg)
    result.update({"DialCallSid": leg.sid, "DialCallStatus": "in-progress"})
    yield from _bridge(emu, call, leg, node, owner_waits=True)
    result.update({"DialCallStatus": "completed", "DialBridged": "true",
                   "DialCallDuration": str(leg.duration(emu.sched.now()))})


def _ring_leg(emu: Emulator, call: Call, noun: Node, caller_id: str) -> Call | None:
    if noun.name == "Number":
        to, party = noun.text, emu.phone(noun.text)
    elif noun.name == "Client":
        ident = noun.child("Identity")
        identity = ident.text if ident is not None else noun.text
        to, party = f"client:{identity}", emu.softphone(identity, register=False)
    else:
        emu.log("unsupported_noun", call_sid=call.sid, noun=noun.name)
        return None
    leg = emu.new_call(from_=caller_id, to=to, direction="outbound-dial", party=party,
                       parent_call_sid=call.sid)
    leg.owner = call.proc
    leg.offer_params = {p.get("name", ""): p.get("value", "") for p in noun.children
                        if p.name == "Parameter"}
    if noun.get("statusCallback"):
        leg.status_callback = noun.get("statusCallback")
        leg.status_callback_method = noun.get("statusCallbackMethod", "POST") or "POST"
        leg.status_callback_events = set(
            (noun.get("statusCallbackEvent") or "completed").replace(",", " ").split())
    calls.set_status(emu, leg, "initiated")
    calls.progress_callback(emu, leg, "initiated")
    calls.set_status(emu, leg, "ringing")
    calls.progress_callback(emu, leg, "ringing")
    if party.policy == "fail" or (noun.name == "Client" and not party.online):
        emu.log("leg_unreachable", call_sid=leg.sid, to=to)
        if party.policy == "fail":
            calls.finish(emu, leg, "failed")
            return None
        return leg  # an offline softphone rings nowhere until the Dial times out
    if party.ignores_invites():
        emu.log("invite_ignored", call_sid=leg.sid, party=party.address, reason="busy")
        return leg  # a busy browser ignores the invite: it rings until the Dial times out
    party.ringing.append(leg.sid)
    emu.hear(leg, "ringing", text=f"incoming call from {caller_id}", source="line",
             detail={"from": caller_id, "params": dict(leg.offer_params)})
    emu.apply_answer_policy(party, leg)
    return leg


def _bridge(emu: Emulator, call: Call, other: Call, node: Node, owner_waits: bool) -> Any:
    """Connect two calls until either hangs up (or `*` with hangupOnStar, or timeLimit)."""
    call.bridged_with, other.bridged_with = other.sid, call.sid
    call.activity = "bridged"
    emu.hear(call, "connected", source="line", detail={"to": _addr(other)})
    emu.hear(other, "connected", source="line", detail={"to": _addr(call)})
    limit = node.number("timeLimit", 14400)
    deadline = emu.sched.now() + limit
    hangup_on_star = node.flag("hangupOnStar", False)
    try:
        while not other.ended:
            sig = yield Sleep(max(deadline - emu.sched.now(), 0),
                              frozenset({"leg-hangup", "digits"}))
            if sig is None or sig.kind == "leg-hangup":
                break
            if hangup_on_star and "*" in sig.value:
                break
    finally:
        call.bridged_with = other.bridged_with = None
        if not other.ended:
            calls.finish(emu, other)


def _addr(call: Call) -> str:
    return call.party.address if call.party else call.to


def _dial_queue(emu: Emulator, call: Call, node: Node, noun: Node,
                result: dict[str, str]) -> Any:
    from sim import queues

    timeout = node.number("timeout", 30)
    waited = 0.0
    while True:
        q = emu.store.queue_by_name(noun.text)
        if q is not None and q.members:
            break
        if waited >= timeout:
            result.update({"DialCallStatus": "no-answer", "DialBridged": "false"})
            return
        yield Sleep(1)
        waited += 1
    member = emu.store.calls[q.members[0].call_sid]
    queues.take_member(emu, q, member.sid, bridged_to=call.sid)
    result.update({"DialCallSid": member.sid, "DialCallStatus": "in-progress",
                   "QueueSid": q.sid})
    started = emu.sched.now()
    call.bridged_with, call.activity = member.sid, "bridged"
    emu.hear(call, "connected", source="line", detail={"to": _addr(member)})
    try:
        yield Sleep(None, frozenset({"bridge-end"}))
    finally:
        call.bridged_with = None
        emu.sched.signal(member.proc, "bridge-end")
    result.update({"DialCallStatus": "completed", "DialBridged": "true",
                   "DialCallDuration": str(int(round(emu.sched.now() - started)))})
