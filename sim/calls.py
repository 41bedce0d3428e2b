"""A call's life: statuses, progress callbacks, ringing a party, and the processes that drive
inbound and outbound calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.clock import rfc2822
from sim.scheduler import HungUp, Redirected, Sleep
from sim.twiml import parse
from sim.webhooks import CallOver, Doc, call_params, fetch_twiml, notify

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call

CALL_EVENTS = ("initiated", "ringing", "answered", "completed")


def set_status(emu: Emulator, call: Call, status: str) -> None:
    if call.status == status:
        return
    call.status = status
    call.updated = emu.clock.now()
    emu.log("call_status", call_sid=call.sid, status=status)


def progress_callback(emu: Emulator, call: Call, event: str) -> None:
    """Twilio's call progress event (`StatusCallbackEvent`), if the call asked for it."""
    if not call.status_callback or event not in call.status_callback_events:
        return
    params = call_params(emu, call)
    params.update({
        "CallbackSource": "call-progress-events",
        "Timestamp": rfc2822(emu.clock.now()),
        "SequenceNumber": str(call.callback_sequence),
    })
    call.callback_sequence += 1
    if event == "completed":
        params["CallDuration"] = str(call.duration(emu.sched.now()))
    notify(emu, call.sid, call.status_callback, call.status_callback_method, params,
           f"call-status:{event}")


def answer(emu: Emulator, call: Call) -> None:
    if call.answered_at is not None:
        return
    call.answered_at = emu.sched.now()
    call.start_time = emu.clock.now()
    set_status(emu, call, "in-progress")
    progress_callback(emu, call, "answered")


def finish(emu: Emulator, call: Call, status: str | None = None) -> None:
    """End the call once: final status, the party hears the line drop, `completed` callback."""
    if call.ended:
        return
    if status is None:
        status = "completed" if call.answered_at is not None else "canceled"
    call.ended_at = emu.sched.now()
    call.end_time = emu.clock.now()
    call.activity = "ended"
    call.awaiting_input = False
    set_status(emu, call, status)
    if call.party is not None:
        if call.sid in call.party.ringing:
            call.party.ringing.remove(call.sid)
        emu.hear(call, "hangup", text=status, source="line")
    progress_callback(emu, call, "completed")


def ring(emu: Emulator, call: Call, timeout: float) -> Any:
    """Ring the call's party until it answers, refuses, or `timeout` passes.

    A generator returning `answered`, `busy`, `no-answer` or `failed`.
    """
    party = call.party
    set_status(emu, call, "ringing")
    progress_callback(emu, call, "ringing")
    if party is None or party.policy == "fail":
        return "failed"
    if party.ignores_invites():
        emu.log("invite_ignored", call_sid=call.sid, party=party.address, reason="busy")
        yield Sleep(timeout, frozenset({"answer", "reject"}))
        return "no-answer"
    party.ringing.append(call.sid)
    emu.hear(call, "ringing", text=f"incoming call from {call.from_}", source="line",
             detail={"from": call.from_, "params": dict(call.offer_params)})
    emu.log("ringing", call_sid=call.sid, party=party.address)
    emu.apply_answer_policy(party, call)
    try:
        sig = yield Sleep(timeout, frozenset({"answer", "reject"}))
    finally:
        if call.sid in party.ringing:
            party.ringing.remove(call.sid)
    if sig is None:
        emu.hear(call, "missed", text="stopped ringing", source="line")
        return "no-answer"
    return "answered" if sig.kind == "answer" else "busy"


def inbound(emu: Emulator, call: Call, url: str, method: str) -> Any:
    """An incoming call: the voice URL is requested while it rings, then its TwiML runs."""
    from sim.verbs import run_document

    set_status(emu, call, "ringing")
    try:
        doc = yield from fetch_twiml(emu, call, url, method, purpose="voice")
        yield from drive(emu, call, doc, run_document)
    except (CallOver, HungUp):
        pass
    finally:
        finish(emu, call)


def outbound(emu: Emulator, call: Call, after_answer: Callable[[], Any]) -> Any:
    """A call Twilio places (REST Calls or Participants): queued for the account's CPS,
    initiated, ringing (its `Timeout` plus Twilio's buffer), then TwiML."""
    try:
        yield from emu.throttle.turn(call)
        set_status(emu, call, "initiated")
        progress_callback(emu, call, "initiated")
        outcome = yield from ring(emu, call, call.timeout + emu.ring_buffer)
        if outcome != "answered":
            finish(emu, call, outcome)
            return
        answer(emu, call)
        emu.hear(call, "connected", source="line", detail={"to": call.from_})
        yield from after_answer()
    except (CallOver, HungUp):
        pass
    finally:
        finish(emu, call)


def first_document(emu: Emulator, call: Call) -> Any:
    """The TwiML a placed call starts with: inline `Twiml`, or its `Url`."""
    from sim.verbs import run_document

    if call.twiml is not None:
        doc = Doc(None, parse(call.twiml))
    else:
        doc = yield from fetch_twiml(emu, call, call.url or "", call.method, purpose="voice")
    yield from drive(emu, call, doc, run_document)


def drive(emu: Emulator, call: Call, doc: Doc, run: Callable[..., Any]) -> Any:
    """Run documents until the call ends; a REST redirect replaces whatever was running."""
    redirect: Redirected | None = None
    while True:
        try:
            if redirect is not None:
                if redirect.twiml is not None:
                    doc = Doc(None, parse(redirect.twiml))
                else:
                    doc = yield from fetch_twiml(emu, call, redirect.url or "",
                                                 redirect.method, purpose="redirect")
                redirect = None
            yield from run(emu, call, doc)
            return
        except Redirected as exc:
            emu.log("redirected", call_sid=call.sid, url=exc.url, reason=exc.reason)
            call.activity = "twiml"
            redirect = exc
