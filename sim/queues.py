"""`<Enqueue>` and its queues: waiting with a wait URL, `<Leave>`, `<Dial><Queue>`, and
dequeueing over REST."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.conference import start_music, stop_music
from sim.scheduler import HungUp, Redirected, Sleep
from sim.state import Queue, QueueMember, new_sid
from sim.twiml import Node
from sim.webhooks import Doc, call_params, fetch_twiml, notify

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call


def get_or_create(emu: Emulator, name: str, max_size: int = 100) -> Queue:
    q = emu.store.queue_by_name(name)
    if q is None:
        q = Queue(new_sid("QU"), emu.account_sid, name, emu.clock.now(), max_size=max_size)
        emu.store.queues[q.sid] = q
    return q


def queue_params(emu: Emulator, q: Queue, call: Call) -> dict[str, str]:
    member = next((m for m in q.members if m.call_sid == call.sid), None)
    position = q.members.index(member) + 1 if member else 0
    waited = emu.sched.now() - member.enqueued_at if member else 0
    return {
        "QueuePosition": str(position), "QueueSid": q.sid, "QueueTime": str(int(waited)),
        "AvgQueueTime": str(q.average_wait()), "CurrentQueueSize": str(len(q.members)),
        "MaxQueueSize": str(q.max_size),
    }


def enqueue(emu: Emulator, call: Call, node: Node, doc: Doc) -> Any:
    q = get_or_create(emu, node.text)
    limit = int(node.number("maxQueueSize", q.max_size))
    action = doc.resolve(node.get("action"))
    method = node.get("method", "POST") or "POST"
    started = emu.sched.now()

    def params(result: str) -> dict[str, str]:
        return {"QueueResult": result, "QueueSid": q.sid,
                "QueueTime": str(int(emu.sched.now() - started))}

    if len(q.members) >= limit:
        emu.log("queue_full", call_sid=call.sid, queue_sid=q.sid)
        result = "queue-full"
    else:
        result = yield from _wait(emu, call, q, node, doc, action, method, params)
    call.activity = "twiml"
    if not action:
        return None
    return (yield from fetch_twiml(emu, call, action, method, params(result), purpose="enqueue"))


def _wait(emu: Emulator, call: Call, q: Queue, node: Node, doc: Doc, action: str | None,
          method: str, params: Any) -> Any:
    q.members.append(QueueMember(call.sid, emu.clock.now(), emu.sched.now()))
    call.queue_sid, call.activity = q.sid, "queue"
    emu.log("enqueued", call_sid=call.sid, queue_sid=q.sid, position=len(q.members))
    wait_url = node.get("waitUrl")
    start_music(emu, call, "queue-wait", doc.resolve(wait_url) if wait_url else None,
                node.get("waitUrlMethod", "POST") or "POST",
                extra=lambda: queue_params(emu, q, call),
                on_leave=lambda: emu.sched.signal(call.proc, "queue-leave"))
    bridged_to: str | None = None
    try:
        sig = yield Sleep(None, frozenset({"queue-leave", "queue-bridged"}))
        if sig.kind == "queue-leave":
            return "leave"
        bridged_to = sig.value
        stop_music(emu, call, "queue-wait")
        other = emu.store.calls[bridged_to]
        call.bridged_with, call.activity = bridged_to, "bridged"
        emu.hear(call, "connected", source="line",
                 detail={"to": other.party.address if other.party else other.to})
        yield Sleep(None, frozenset({"bridge-end"}))
        return "bridged"
    except (HungUp, Redirected) as exc:
        if action:
            result = "bridged" if bridged_to else (
                "hangup" if isinstance(exc, HungUp) else "redirected")
            notify(emu, call.sid, action, method, {**call_params(emu, call), **params(result)},
                   "enqueue-action")
        raise
    finally:
        stop_music(emu, call, "queue-wait")
        _remove(emu, q, call.sid)
        call.queue_sid = None
        if bridged_to:
            call.bridged_with = None
            emu.sched.signal(emu.store.calls[bridged_to].proc, "bridge-end")


def _remove(emu: Emulator, q: Queue, call_sid: str) -> QueueMember | None:
    member = next((m for m in q.members if m.call_sid == call_sid), None)
    if member is not None:
        q.members.remove(member)
        q.waits.append(emu.sched.now() - member.enqueued_at)
        q.updated = emu.clock.now()
    return member


def take_member(emu: Emulator, q: Queue, call_sid: str, bridged_to: str) -> None:
    """`<Dial><Queue>`: the member leaves the queue and is bridged to the dialler."""
    _remove(emu, q, call_sid)
    emu.sched.signal(emu.store.calls[call_sid].proc, "queue-bridged", bridged_to)


def dequeue(emu: Emulator, q: Queue, call_sid: str, url: str, method: str) -> None:
    """REST dequeue: the member leaves the queue and runs the TwiML at `url`."""
    _remove(emu, q, call_sid)
    emu.sched.interrupt(emu.store.calls[call_sid].proc,
                        Redirected(url, method, reason="dequeued"))
