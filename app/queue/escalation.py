"""What each hold-clock deadline does when it comes due."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol

from app.queue.events import STREAM_LENGTH
from app.queue.holdclock import BatchHandler, Deadline, Handler
from app.queue.service import QueueService
from app.queue.step_script import FIRE_STEPS
from app.queue.store import _BAND, MAX_PRIORITY

log = logging.getLogger(__name__)

RETRY_WHILE_RINGING = 1.0
OFFER_THREADS = 8
MAX_OFFERS_IN_FLIGHT = 4 * OFFER_THREADS


class Timeline(Protocol):
    """Where a step's timeline event goes: a Redis list (`key`) written to SQL in batches
    (app.interactions.timeline.TimelineBuffer)."""

    key: str

    def push(self, pipe: Any, interaction_id: int, kind: str, detail: dict[str, Any],
             at: float) -> None: ...

    def flush(self) -> int: ...


class StepNotFired(RuntimeError):
    """A single step fired through the batch path did not take effect (it will be retried)."""


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _offer_pool() -> ThreadPoolExecutor:
    # One per process, however many HoldClock objects are built (tests build one per tick).
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(OFFER_THREADS, "holdclock-offer")
        return _pool


class Escalations:
    def __init__(self, service: QueueService, timeline: Timeline | None = None,
                 context: Callable[[], Any] | None = None) -> None:
        self.service = service
        self.store = service.store
        # Without a timeline the steps are in the floor's event stream only.
        self.timeline = timeline
        # Offers are REST requests to Twilio: they go out on a thread pool, each thread in its
        # own `context` (an app context); without one, one after the other.
        self.context = context
        self._script = self.store.redis.register_script(FIRE_STEPS)
        self._pending: set[Future] = set()
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def handlers(self) -> dict[str, Handler]:
        return {"step": self.step, "ring": self.ring_overdue, "wrapup": self.wrap_up_over}

    def batch_handlers(self) -> dict[str, BatchHandler]:
        return {"step": self.steps}

    # -- ladder steps ----------------------------------------------------------------------

    def step(self, deadline: Deadline, now: float) -> None:
        done = self.steps([deadline], now)
        self.settle()
        if deadline.member not in done and self.store.redis.zscore(
                self.store.keys.leases, deadline.member) is not None:
            raise StepNotFired(f"step {deadline.member} did not take effect")

    def steps(self, deadlines: list[Deadline], now: float) -> list[str]:
        """Fire a batch of ladder steps: one Lua call checks and applies them all, marks them
        fired and publishes their events (app/queue/step_script.py); then agents are rung for
        widened callers. Returns the members that took effect or had nothing to do, for the
        clock to acknowledge.

        Offers are REST redirects (a round trip to Twilio each): they go to a thread pool
        and the clock moves on; each is acknowledged by its thread once Twilio took it, or
        left leased (the caller back in line) to be retried. `settle` waits for them.
        """
        args: list[Any] = [self.store.keys.prefix, now, self.service.now(), STREAM_LENGTH,
                           self.timeline.key if self.timeline is not None else "",
                           RETRY_WHILE_RINGING, MAX_PRIORITY, _BAND]
        for d in deadlines:
            args += [d.member, d.subject, d.generation, d.index, d.due]
        flat = self._script(keys=[], args=args)
        pushed = int(flat[0])
        by_member = {d.member: d for d in deadlines}
        done: list[str] = []
        widened: set[str] = set()
        for i in range(1, len(flat), 5):
            member, outcome, a, b, c = flat[i:i + 5]
            if outcome == "redirect":
                self._start_offer((by_member[member], a, b, c), now)
                continue
            done.append(member)
            if outcome == "route":
                widened.add(a)
            elif outcome == "alert":
                log.warning("hold-clock alert: call %s has waited %s s in %s",
                            by_member[member].subject, b, a)
        for departments in widened:
            self.service.route(departments.split(","))
        if pushed:
            self._flush_timeline()
        return done

    def settle(self, wait: bool = True) -> None:
        """Wait for the offers still going out (`wait`), or just forget those finished."""
        with self._lock:
            pending = list(self._pending)
        if wait:
            for future in pending:
                future.exception()  # _offer logs its own failures
        with self._lock:
            self._pending = {f for f in self._pending if not f.done()}

    def _start_offer(self, offer: tuple[Deadline, str, str, str], now: float) -> None:
        if self.context is None:
            self._offer(offer, now)
            return
        member = offer[0].member
        with self._lock:
            if member in self._in_flight:
                return  # its lease ran out while it waited its turn: it is still coming
            self._in_flight.add(member)
        # Back-pressure: an offer that waited in the pool longer than its lease would be
        # claimed again and sent twice; the clock waits here instead, so an offer starts
        # within a few redirects' time of its claim.
        while True:
            with self._lock:
                pending = {f for f in self._pending if not f.done()}
                self._pending = pending
            if len(pending) < MAX_OFFERS_IN_FLIGHT:
                break
            wait(pending, return_when=FIRST_COMPLETED)
        context = self.context

        def in_context() -> bool:
            try:
                with context():
                    return self._offer(offer, now)
            finally:
                with self._lock:
                    self._in_flight.discard(member)

        future = _offer_pool().submit(in_context)
        with self._lock:
            self._pending.add(future)

    def _offer(self, offer: tuple[Deadline, str, str, str], now: float) -> bool:
        """Redirect a parked caller to the offer menu; then mark the step fired (when it took
        effect), publish it and acknowledge it. A failed redirect puts the caller back in
        line and leaves the step leased, to be retried."""
        d, since, interaction_id, step_at = offer
        if not self._redirect(d.subject):
            return False
        at = self.service.now()
        keys = self.store.keys
        pipe = self.store.redis.pipeline(transaction=False)
        pipe.hset(keys.call(d.subject), f"fired:{d.generation}:{d.index}", f"{at:.3f}")
        at_ = float(step_at)
        detail = {"step": "offer", "at": int(at_) if at_.is_integer() else at_,
                  "waited": round(now - float(since), 3) if since else 0.0,
                  "late": round(now - d.due, 3)}
        pipe.xadd(keys.events, {"type": "call.escalated", "at": f"{at:.3f}",
                                "detail": json.dumps({"call_sid": d.subject, **detail})},
                  maxlen=STREAM_LENGTH, approximate=True)
        pushed = self.timeline is not None and interaction_id.isdigit()
        if pushed:
            self.timeline.push(pipe, int(interaction_id), "escalated", detail, at)
        pipe.zrem(keys.leases, d.member)
        pipe.execute()
        if pushed:
            self._flush_timeline()
        return True

    def _flush_timeline(self) -> None:
        try:
            self.timeline.flush()
        except Exception:
            # History only: the events stay buffered for the next flush.
            log.exception("could not write buffered timeline events")

    def _redirect(self, sid: str) -> bool:
        try:
            self.service.gateway.redirect_call(sid, self.service.url(f"/queue/offer?call={sid}"))
            return True
        except Exception:
            log.exception("could not take call %s to the offer; retried when its lease ends",
                          sid)
            self.store.unpark(sid)  # still in line, at their place
            return False

    # -- other deadlines -------------------------------------------------------------------

    def ring_overdue(self, deadline: Deadline, now: float) -> None:
        """The ring should have ended long ago but no status callback said so."""
        call = self.store.call(deadline.subject)
        if call.get("state") == "offered" and call.get("agent") == deadline.generation:
            self.service.agent_missed(deadline.subject, deadline.generation, "no status callback")

    def wrap_up_over(self, deadline: Deadline, now: float) -> None:
        identity, since = deadline.subject, deadline.generation
        agent = self.store.agent(identity)
        if agent.get("state") == "wrap_up" and agent.get("since") == since:
            self.store.finish_call(identity, "available", now)
            self.service.events.agent_event(identity, "available")
            self.service.route(self.service.agent_departments(identity))
