"""Executing TwiML verbs. Each verb is a generator: it returns the next document to run
(a verb with an action), None (go on to the next verb), or raises CallOver (the call ends)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim import calls
from sim.scheduler import Interrupt, Signal, Sleep
from sim.twiml import Node
from sim.webhooks import CallOver, Doc, application_error, fetch_twiml

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call

MAX_REDIRECTS = 10
FOREVER_LOOPS = 1000  # loop="0" means "until the call ends"; this is long enough
DTMF = frozenset({"digits"})
SPEECH = frozenset({"speech"})


def run_document(emu: Emulator, call: Call, doc: Doc) -> Any:
    """Run a document and whatever its actions lead to; returns when TwiML runs out."""
    redirects = 0
    while doc is not None:
        following: Doc | None = None
        for verb in doc.verbs:
            if verb.name == "Redirect":
                redirects += 1
                if redirects > MAX_REDIRECTS:
                    yield from application_error(emu, call, None, doc.url or "")
                    raise CallOver()
            else:
                redirects = 0
            call.activity = verb.name.lower()
            following = yield from execute(emu, call, verb, doc)
            if call.ended:
                raise CallOver()
            call.activity = "twiml"
            if following is not None:
                break
        doc = following
    raise CallOver()  # TwiML ran out: Twilio hangs up


def execute(emu: Emulator, call: Call, verb: Node, doc: Doc) -> Any:
    if verb.name != "Reject":
        calls.answer(emu, call)
    handler = _HANDLERS[verb.name]
    return (yield from handler(emu, call, verb, doc))


# -- sounds -------------------------------------------------------------------------------


def loops(node: Node) -> int:
    n = int(node.number("loop", 1))
    return FOREVER_LOOPS if n <= 0 else n


def say(emu: Emulator, call: Call, node: Node, wake: frozenset[str] = frozenset(),
        source: str = "twiml") -> Any:
    """Speak `node`'s text; returns the Signal that cut it short, if any."""
    for _ in range(loops(node)):
        seconds = emu.say_seconds(node.text)
        entry = emu.hear(call, "say", text=node.text, voice=node.get("voice", "man"),
                         language=node.get("language", "en-US"), duration=seconds,
                         source=source)
        sig = yield from _sounding(emu, entry, seconds, wake)
        if sig is not None:
            return sig
    return None


def _sounding(emu: Emulator, entry: Any, seconds: float, wake: frozenset[str]) -> Any:
    """Let a sound last; if input, a hangup or a redirect cuts it short, say so."""
    started = emu.sched.now()
    try:
        sig = yield Sleep(seconds, wake)
    except Interrupt:
        entry.interrupted = True
        entry.duration = round(emu.sched.now() - started, 3)
        raise
    if sig is not None:
        entry.interrupted = True
        entry.duration = round(emu.sched.now() - started, 3)
    return sig


def play(emu: Emulator, call: Call, node: Node, doc: Doc | None,
         wake: frozenset[str] = frozenset(), source: str = "twiml") -> Any:
    digits = node.get("digits")
    if digits:
        seconds = sum(0.5 if c == "w" else 1.0 if c == "W" else 0.25 for c in digits)
        emu.hear(call, "dtmf", text=digits, duration=seconds, source=source)
        return (yield Sleep(seconds, wake))
    url = doc.resolve(node.text) if doc else node.text
    for _ in range(loops(node)):
        seconds = emu.play_seconds(url or "")
        entry = emu.hear(call, "play", url=url, duration=seconds, source=source)
        sig = yield from _sounding(emu, entry, seconds, wake)
        if sig is not None:
            return sig
    return None


def pause(emu: Emulator, call: Call, node: Node, wake: frozenset[str] = frozenset(),
          source: str = "twiml") -> Any:
    seconds = node.number("length", 1)
    entry = emu.hear(call, "silence", duration=seconds, source=source)
    return (yield from _sounding(emu, entry, seconds, wake))


def sound(emu: Emulator, call: Call, node: Node, doc: Doc | None,
          wake: frozenset[str] = frozenset(), source: str = "twiml") -> Any:
    """Say, Play or Pause: the verbs allowed inside Gather and in wait/hold music."""
    if node.name == "Say":
        return (yield from say(emu, call, node, wake, source))
    if node.name == "Play":
        return (yield from play(emu, call, node, doc, wake, source))
    return (yield from pause(emu, call, node, wake, source))


def _say(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    yield from say(emu, call, node)


def _play(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    yield from play(emu, call, node, doc)


def _pause(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    yield from pause(emu, call, node)


# -- input --------------------------------------------------------------------------------


def _gather(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    inputs = (node.get("input") or "dtmf").split()
    wake = (DTMF if "dtmf" in inputs else frozenset()) | (
        SPEECH if "speech" in inputs else frozenset())
    finish_key = node.get("finishOnKey", "#")
    num_digits = int(node.number("numDigits", 0)) or None
    timeout = node.number("timeout", 5)
    digits, finished_on, speech = "", None, None

    def take(sig: Signal) -> bool:
        """Apply one input; True when the gather is complete."""
        nonlocal digits, finished_on, speech
        if sig.kind == "speech":
            speech = sig.value
            return True
        for key in sig.value:
            if finish_key and key == finish_key:
                finished_on = key
                return True
            digits += key
            if num_digits and len(digits) >= num_digits:
                return True
        return False

    call.awaiting_input = False
    done = False
    try:
        for child in node.children:
            sig = yield from sound(emu, call, child, doc, wake)
            if sig is not None:
                done = take(sig)
                break
        call.awaiting_input = True
        while not done:
            sig = yield Sleep(timeout, wake)
            if sig is None:
                break
            done = take(sig)
    finally:
        call.awaiting_input = False

    params: dict[str, str] = {}
    if speech is not None:
        params = {"SpeechResult": speech[0], "Confidence": f"{speech[1]:.2f}"}
    elif digits or finished_on:
        params = {"Digits": digits}
        if finished_on:
            params["FinishedOnKey"] = finished_on
    empty = not params.get("Digits") and "SpeechResult" not in params
    emu.log("gather", call_sid=call.sid, result=params, empty=empty)
    if empty and not node.flag("actionOnEmptyResult", False):
        return None
    action = doc.resolve(node.get("action")) or doc.url
    if not action:
        return None
    if empty:
        params = {"Digits": ""}
    return (yield from fetch_twiml(emu, call, action, node.get("method", "POST"), params,
                                   purpose="gather"))


# -- flow ---------------------------------------------------------------------------------


def _redirect(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    url = doc.resolve(node.text)
    if not url:
        yield from application_error(emu, call, None, doc.url or "")
        raise CallOver()
    return (yield from fetch_twiml(emu, call, url, node.get("method", "POST"),
                                   purpose="redirect"))


def _hangup(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    raise CallOver()
    yield  # pragma: no cover - makes this a generator


def _reject(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    if call.answered_at is None:
        emu.hear(call, "rejected", text=node.get("reason", "rejected"), source="line")
        calls.finish(emu, call, "busy")
    raise CallOver()
    yield  # pragma: no cover


def _leave(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    # <Leave> only means something in an <Enqueue> wait URL; elsewhere Twilio ignores it.
    emu.log("ignored_verb", call_sid=call.sid, verb="Leave")
    return None
    yield  # pragma: no cover


def _record(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    from sim.recording import record

    return (yield from record(emu, call, node, doc))


def _enqueue(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    from sim.queues import enqueue

    return (yield from enqueue(emu, call, node, doc))


def _dial(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    from sim.dial import dial

    return (yield from dial(emu, call, node, doc))


_HANDLERS = {
    "Say": _say, "Play": _play, "Pause": _pause, "Gather": _gather, "Redirect": _redirect,
    "Hangup": _hangup, "Reject": _reject, "Leave": _leave, "Record": _record,
    "Enqueue": _enqueue, "Dial": _dial,
}
