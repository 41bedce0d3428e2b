"""What each hold-clock deadline does when it comes due."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from app.observability.context import call_context, job_context
from app.queue.events import STREAM_LENGTH
from app.queue.holdclock import BatchHandler, Deadline, Handler
from app.queue.lua import FIRE_STEPS
from app.queue.services import QueueService
from app.queue.store import _BAND, MAX_PRIORITY
from config.settings import declared_default

log = logging.getLogger(__name__)

RETRY_WHILE_RINGING = 1.0
# Offers are REST round trips to Twilio (~0.2 s each, a little CPU): threads overlap them.
# A clock process sends about threads / round trip offers a second (HOLD_CLOCK_OFFER_THREADS).
OFFER_THREADS: int = declared_default("HOLD_CLOCK_OFFER_THREADS")
# Offer slots per thread: an offer that waited in the pool past its lease would be claimed
# again and sent twice, so over this many the step is put off instead (OFFER_LATER).
OFFERS_PER_THREAD = 4
# An offer put off comes back at least this much later, and the offers put off are spaced at
# the rate this process sends them (an offer's measured time / threads), so that a backlog
# is claimed again about as fast as slots free up, not all of it every OFFER_LATER.
OFFER_LATER = 0.1
FIRST_OFFER_SECONDS = 0.2  # the guess until offers have been timed (Twilio: ~0.2 s)


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


def _offer_pool(threads: int) -> ThreadPoolExecutor:
    # One per process, however many HoldClock objects are built (tests build one per tick).
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(threads, "holdclock-offer")
        return _pool


def drop_queued_offers() -> None:
    """The clock process is stopping: forget the offers that have not started (their steps
    stay leased and are retried by a clock when the leases expire)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


class Escalations:
    def __init__(self, service: QueueService, timeline: Timeline | None = None,
                 context: Callable[[], Any] | None = None,
                 offer_threads: int = OFFER_THREADS) -> None:
        self.service = service
        self.store = service.store
        # Without a timeline the steps are in the floor's event stream only.
        self.timeline = timeline
        # Offers are REST requests to Twilio: they go out on a thread pool, each thread in its
        # own `context` (an app context); without one, one after the other.
        self.context = context
        self.offer_threads = max(1, offer_threads)
        self._script = self.store.redis.register_script(FIRE_STEPS.source)
        self._pending: set[Future] = set()
        self._in_flight: set[str] = set()
        # Offer slots taken: offers in flight plus those a running batch may still start.
        self._slots = 0
        self._offer_seconds = FIRST_OFFER_SECONDS  # moving average of an offer's time
        self._put_off_until = 0.0  # when the last offer put off comes back
        # Offers buffered timeline entries: written by the clock loop once per turn (one
        # INSERT and COMMIT for all of them), not by each offer's thread.
        self._unflushed = False
        self._lock = threading.Lock()

    def handlers(self) -> dict[str, Handler]:
        return {"step": self.step, "ring": self.ring_overdue, "wrapup": self.wrap_up_over,
                "retry": self.retry_ring}

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
        fired and publishes their events (FIRE_STEPS in app/queue/lua.py); then agents are rung for
        widened callers. Returns the members that took effect or had nothing to do, for the
        clock to acknowledge.

        Offers are REST redirects (a round trip to Twilio each): they go to a thread pool
        and the clock moves on; each is acknowledged by its thread once Twilio took it, or
        left leased (the caller back in line) to be retried. `settle` waits for them. When
        the pool's slots are full, the script leaves the caller in line and puts the offer
        back on the clock a moment later: the clock never waits for Twilio.
        """
        budget = self._take_slots(len(deadlines))
        started = put_off = 0
        at = self.service.now()
        with self._lock:
            put_off_at = max(at + OFFER_LATER, self._put_off_until)
            spacing = self._offer_seconds / self.offer_threads
        try:
            args: list[Any] = [now, at, STREAM_LENGTH,
                               self.timeline.key if self.timeline is not None else "",
                               RETRY_WHILE_RINGING, MAX_PRIORITY, _BAND, budget, put_off_at,
                               spacing]
            for d in deadlines:
                args += [d.member, d.subject, d.generation, d.index, d.due]
            flat = self._script(keys=[self.store.keys.prefix], args=args)
            pushed = int(flat[0])
            by_member = {d.member: d for d in deadlines}
            done: list[str] = []
            widened: set[str] = set()
            for i in range(1, len(flat), 6):
                member, outcome, a, b, c, first_due = flat[i:i + 6]
                if outcome == "redirect":
                    started += self._start_offer((by_member[member], a, b, c),
                                                 float(first_due), now)
                    continue
                if outcome == "later":
                    put_off += 1
                    if a:  # a parked caller went back in line
                        widened.add(a)
                    continue
                done.append(member)
                if outcome == "route":
                    widened.add(a)
                elif outcome == "alert":
                    with call_context(by_member[member].subject):
                        log.warning("hold-clock alert: call %s has waited %s s in %s",
                                    by_member[member].subject, b, a)
        finally:
            if budget > 0:
                self._release_slots(budget - started)
            if put_off:
                with self._lock:
                    self._put_off_until = put_off_at + put_off * spacing
        for departments in widened:
            self.service.route(departments.split(","))
        if pushed:
            self._flush_timeline()
        return done

    def settle(self, wait: bool = True) -> None:
        """Wait for the offers still going out (`wait`), or just forget those finished; then
        write the timeline entries the finished offers buffered."""
        with self._lock:
            pending = list(self._pending)
        if wait:
            for future in pending:
                future.exception()  # _offer logs its own failures
        with self._lock:
            self._pending = {f for f in self._pending if not f.done()}
            unflushed, self._unflushed = self._unflushed, False
        if unflushed and self.context is not None:
            with self.context():
                self._flush_timeline()

    def _take_slots(self, wanted: int) -> int:
        """Reserve offer slots for a batch: how many offers it may start (-1: no limit)."""
        if self.context is None:
            return -1  # offers go out one after the other, in the clock's own thread
        with self._lock:
            slots = OFFERS_PER_THREAD * self.offer_threads
            taken = min(wanted, max(0, slots - self._slots))
            self._slots += taken
            return taken

    def _release_slots(self, count: int) -> None:
        if count:
            with self._lock:
                self._slots -= count

    def _start_offer(self, offer: tuple[Deadline, str, str, str], first_due: float,
                     now: float) -> int:
        """Send an offer (on the pool, in a slot the batch reserved); returns the number of
        slots it took (0 or 1)."""
        if self.context is None:
            self._offer(offer, first_due, now)
            return 0
        member = offer[0].member
        with self._lock:
            if member in self._in_flight:
                return 0  # its lease ran out while it went out: it is still coming
            self._in_flight.add(member)
        context = self.context

        def in_context() -> bool:
            started = time.perf_counter()
            try:
                with context(), job_context(f"holdclock:{member}", offer[0].subject):
                    return self._offer(offer, first_due, now)
            finally:
                took = time.perf_counter() - started
                with self._lock:
                    self._in_flight.discard(member)
                    self._slots -= 1
                    self._offer_seconds += 0.1 * (took - self._offer_seconds)

        future = _offer_pool(self.offer_threads).submit(in_context)
        with self._lock:
            self._pending.add(future)
        return 1

    def _offer(self, offer: tuple[Deadline, str, str, str], first_due: float,
               now: float) -> bool:
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
                  "late": round(at - first_due, 3)}
        pipe.xadd(keys.events, {"type": "call.escalated", "at": f"{at:.3f}",
                                "detail": json.dumps({"call_sid": d.subject, **detail})},
                  maxlen=STREAM_LENGTH, approximate=True)
        pushed = self.timeline is not None and interaction_id.isdigit()
        if pushed:
            self.timeline.push(pipe, int(interaction_id), "escalated", detail, at)
        pipe.zrem(keys.leases, d.member)
        pipe.execute()
        if pushed:
            if self.context is None:
                self._flush_timeline()
            else:
                with self._lock:
                    self._unflushed = True
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
        """The ring's time is up (Twilio rings past its Timeout, and its status callback may
        be late or lost): the app ends it."""
        self.service.ring_expired(deadline.subject, deadline.generation)

    def retry_ring(self, deadline: Deadline, now: float) -> None:
        """A caller's back-off after a refused ring is over: offer them again if still waiting."""
        if self.store.call(deadline.subject).get("state") == "waiting":
            self.service.route(self.service.queues_of(deadline.subject))

    def wrap_up_over(self, deadline: Deadline, now: float) -> None:
        identity, since = deadline.subject, deadline.generation
        agent = self.store.agent(identity)
        if agent.get("state") == "wrap_up" and agent.get("since") == since:
            self.store.finish_call(identity, "available", now)
            self.service.events.agent_event(identity, "available")
            self.service.route(self.service.agent_departments(identity))
