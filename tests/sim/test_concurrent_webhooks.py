"""Real-time delivery on a pool: calls' webhooks overlap, one call's never do.

These run on real time (the pool exists only there), so they use short pauses; what they
assert is overlap and order, never how long anything took.
"""

from __future__ import annotations

import threading

from sim import Emulator, WsgiTransport
from sim.clock import RealClock
from tests.sim.apps import ACCOUNT_SID, AUTH_TOKEN, BASE, NUMBER, make_app, respond


class Gate:
    """Holds every /ivr/incoming request until `release`; counts how many are inside."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.lock = threading.Lock()
        self.go = threading.Event()

    def incoming(self, hit):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        self.go.wait(5)
        with self.lock:
            self.inside -= 1
        return respond("<Say>hello</Say>")


def emulator(app, workers: int) -> Emulator:
    emu = Emulator(ACCOUNT_SID, AUTH_TOKEN, clock=RealClock(), transport=WsgiTransport(app),
                   webhook_workers=workers)
    emu.add_number(NUMBER, f"{BASE}/ivr/incoming", status_callback=f"{BASE}/ivr/status")
    return emu.start()


def test_calls_webhooks_are_in_flight_at_once():
    gate = Gate()
    app = make_app({"/ivr/incoming": gate.incoming})
    emu = emulator(app, workers=8)
    try:
        calls = [emu.dial_in(f"+1555123000{i}", NUMBER) for i in range(5)]
        emu.run_until(lambda: gate.inside == 5, timeout=5)
        gate.go.set()
        emu.run_until(lambda: all(c.ended for c in calls), timeout=10)
        assert all(c.says() == ["hello"] for c in calls)
    finally:
        gate.go.set()
        emu.stop()
    assert gate.most == 5


def test_without_workers_one_webhook_at_a_time():
    gate = Gate()
    gate.go.set()
    app = make_app({"/ivr/incoming": gate.incoming})
    emu = emulator(app, workers=0)
    try:
        calls = [emu.dial_in(f"+1555123000{i}", NUMBER) for i in range(5)]
        emu.run_until(lambda: all(c.ended for c in calls), timeout=10)
    finally:
        emu.stop()
    assert gate.most == 1


def test_one_calls_webhooks_never_overlap_and_keep_their_order():
    """The voice webhook is still in flight when its call hangs up: the status callback
    waits for it, then goes, so the app hears them in the order they happened."""
    order: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def incoming(hit):
        inside.set()
        release.wait(5)
        order.append("voice")
        return respond("<Pause length='30'/>")

    def status(hit):
        order.append("status:" + hit.params["CallStatus"])
        return ("", 204)

    app = make_app({"/ivr/incoming": incoming, "/ivr/status": status})
    emu = emulator(app, workers=8)
    try:
        call = emu.dial_in("+15551230000", NUMBER)
        emu.run_until(inside.is_set, timeout=5)
        call.hangup()
        release.set()
        emu.run_until(lambda: len(order) == 2, timeout=5)
    finally:
        release.set()
        emu.stop()
    assert order == ["voice", "status:canceled"] or order == ["voice", "status:completed"]


def test_the_engine_keeps_each_calls_webhooks_serial_across_its_processes():
    """Two processes of one call (say, the call and its status callback) ask at once: the
    second webhook goes when the first is answered; another call's goes meanwhile."""
    from sim.scheduler import Fetch, Scheduler

    lock = threading.Lock()
    inside: dict[str, int] = {}
    most: dict[str, int] = {}
    order: list[str] = []
    overlap_across_calls = threading.Event()
    both = threading.Barrier(2, timeout=5)

    def fetcher(fetch: Fetch) -> str:
        with lock:
            inside[fetch.call_sid] = inside.get(fetch.call_sid, 0) + 1
            most[fetch.call_sid] = max(most.get(fetch.call_sid, 0), inside[fetch.call_sid])
            order.append(fetch.url)
        if fetch.url in ("a1", "b1"):
            try:
                both.wait()  # only returns if a1 and b1 are in flight together
                overlap_across_calls.set()
            except threading.BrokenBarrierError:
                pass
        with lock:
            inside[fetch.call_sid] -= 1
        return fetch.url

    def proc(call: str, url: str):
        answer = yield Fetch("POST", url, {}, call, "test")
        assert answer == url

    errors: list[str] = []
    sched = Scheduler(RealClock(), fetcher, lambda name, tb: errors.append(tb))
    sched.start_realtime(webhook_workers=4)
    try:
        for call, url in (("A", "a1"), ("A", "a2"), ("B", "b1")):
            sched.spawn(proc(call, url), url)
        done = threading.Event()
        for _ in range(200):
            if len(order) == 3:
                done.set()
                break
            done.wait(0.02)
    finally:
        sched.stop_realtime()
    assert errors == []
    assert overlap_across_calls.is_set()
    assert most == {"A": 1, "B": 1}
    assert order.index("a1") < order.index("a2")
