"""The account's calls-per-second (CPS) limit on calls created over the REST API.

Twilio queues every call it is asked to create over the API (`Calls` and `Participants`
alike) and starts them at the account's CPS, 1 by default; the create response carries the
estimated wait as `queue_time` (milliseconds), and a create that would wait more than 24 hours
is refused (error 22005). `<Dial>` legs and inbound calls (a softphone's outgoing call to a
TwiML App included) are not limited, so they never come here.

The queue is first in, first out, on the emulator's clock. A call hung up (or its participant
deleted) while it waits leaves the queue: the calls behind it move up.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from sim.scheduler import Sleep

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Call

MAX_WAIT_SECONDS = 24 * 3600  # Twilio refuses creates that would wait longer (22005)
DEQUEUED = "dequeued"


class QueueTooLong(Exception):
    """The create would wait more than 24 hours."""


class CallThrottle:
    def __init__(self, emu: Emulator, cps: float = 1.0) -> None:
        self.emu = emu
        self.cps = float(cps)
        self._waiting: deque[Call] = deque()
        self._released: set[str] = set()
        self._free_at = float("-inf")  # when the next call may start
        self._pump_due: float | None = None

    @property
    def interval(self) -> float:
        return 1.0 / self.cps

    def estimate(self) -> float:
        """The wait, in seconds, of a call queued now; QueueTooLong past Twilio's 24 hours."""
        now = self.emu.sched.now()
        ahead = sum(1 for c in self._waiting if not c.ended)
        wait = max(self._free_at - now, 0.0) + ahead * self.interval
        if wait > MAX_WAIT_SECONDS:
            raise QueueTooLong(f"the call would wait {wait:.0f} s")
        return wait

    def admit(self, call: Call, wait: float) -> None:
        """Queue a call just created (`wait`: its `estimate()`)."""
        call.queue_time = int(round(wait * 1000))
        self._waiting.append(call)
        self.emu.log("call_queued", call_sid=call.sid, queue_time=call.queue_time)

    def turn(self, call: Call) -> Any:
        """A generator: returns when the call may start (it stays `queued` until then)."""
        while call.sid not in self._released:
            if self._take(call):
                break
            self._schedule_pump()
            yield Sleep(None, frozenset({DEQUEUED}))
        self._released.discard(call.sid)

    def set_cps(self, cps: float) -> None:
        if cps <= 0:
            raise ValueError("calls per second must be positive")
        self.cps = float(cps)
        self._schedule_pump()

    # -- the queue -----------------------------------------------------------------------

    def _drop_ended(self) -> None:
        while self._waiting and self._waiting[0].ended:
            self._waiting.popleft()

    def _take(self, call: Call) -> bool:
        """Start `call` now if it is at the head and the account's rate allows."""
        self._drop_ended()
        now = self.emu.sched.now()
        if not self._waiting or self._waiting[0] is not call or now < self._free_at - 1e-9:
            return False
        self._waiting.popleft()
        self._free_at = now + self.interval
        self._schedule_pump()
        return True

    def _schedule_pump(self) -> None:
        self._drop_ended()
        if not self._waiting:
            return
        due = max(self._free_at, self.emu.sched.now())
        if self._pump_due is not None and self._pump_due <= due + 1e-9:
            return
        self._pump_due = due
        self.emu.sched.post(self._pump, due - self.emu.sched.now())

    def _pump(self) -> Any:
        """Release the call at the head when its turn comes (one per event)."""
        self._pump_due = None
        self._drop_ended()
        if not self._waiting:
            return None
        now = self.emu.sched.now()
        if now < self._free_at - 1e-9:
            self._schedule_pump()
            return None
        call = self._waiting.popleft()
        self._free_at = now + self.interval
        self._released.add(call.sid)
        self._schedule_pump()
        proc = call.proc
        if proc is None or proc.done or proc.waiting is None:
            return None  # it has not reached its turn() yet: it will see it was released
        return self.emu.sched._signal_now(proc, DEQUEUED, call.sid)
