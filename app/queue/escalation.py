"""What each hold-clock deadline does when it comes due."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from app.queue.events import STREAM_LENGTH
from app.queue.holdclock import BatchHandler, Deadline, Handler
from app.queue.service import QueueService
from app.queue.step_script import FIRE_STEPS
from app.queue.store import _BAND, MAX_PRIORITY

log = logging.getLogger(__name__)

RETRY_WHILE_RINGING = 1.0
OFFER_THREADS = 8


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
        # Offers are REST requests to Twilio: a batch's offers go out side by side, each
        # thread in its own `context` (an app context).
        self.context = context
        self._script = self.store.redis.register_script(FIRE_STEPS)

    def handlers(self) -> dict[str, Handler]:
        return {"step": self.step, "ring": self.ring_overdue, "wrapup": self.wrap_up_over}

    def batch_handlers(self) -> dict[str, BatchHandler]:
        return {"step": self.steps}

    # -- ladder steps ----------------------------------------------------------------------

    def step(self, deadline: Deadline, now: float) -> None:
        if deadline.member not in self.steps([deadline], now):
            raise StepNotFired(f"step {deadline.member} did not take effect")

    def steps(self, deadlines: list[Deadline], now: float) -> list[str]:
        """Fire a batch of ladder steps: one Lua call checks and applies them all, marks them
        fired and publishes their events (app/queue/step_script.py); then agents are rung for
        widened callers and the offers' redirects go out side by side. Returns the members
        that took effect or had nothing to do, for the clock to acknowledge; a failed offer's
        is left leased, to be retried.
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
        offers: list[tuple[Deadline, str, str, str]] = []
        for i in range(1, len(flat), 5):
            member, outcome, a, b, c = flat[i:i + 5]
            if outcome == "redirect":
                offers.append((by_member[member], a, b, c))
                continue
            done.append(member)
            if outcome == "route":
                widened.add(a)
            elif outcome == "alert":
                log.warning("hold-clock alert: call %s has waited %s s in %s",
                            by_member[member].subject, b, a)
        for departments in widened:
            self.service.route(departments.split(","))
        done += self._offers(offers, now)
        if self.timeline is not None and (pushed or offers):
            try:
                self.timeline.flush()
            except Exception:
                # History only: the events stay buffered for the next batch's flush.
                log.exception("could not write buffered timeline events")
        return done

    def _offers(self, offers: list[tuple[Deadline, str, str, str]], now: float) -> list[str]:
        """Redirect the parked callers to the offer menu, side by side; mark the steps of
        those redirected fired, put the others back in line (their steps stay leased)."""
        if not offers:
            return []
        sids = [d.subject for d, _, _, _ in offers]
        results = self._map(self._redirect, sids)
        at = self.service.now()
        pipe = self.store.redis.pipeline(transaction=False)
        done = []
        for (d, since, interaction_id, step_at), ok in zip(offers, results, strict=True):
            if not ok:
                continue
            done.append(d.member)
            pipe.hset(self.store.keys.call(d.subject), f"fired:{d.generation}:{d.index}",
                      f"{at:.3f}")
            at_ = float(step_at)
            detail = {"step": "offer", "at": int(at_) if at_.is_integer() else at_,
                      "waited": round(now - float(since), 3) if since else 0.0,
                      "late": round(now - d.due, 3)}
            pipe.xadd(self.store.keys.events,
                      {"type": "call.escalated", "at": f"{at:.3f}",
                       "detail": json.dumps({"call_sid": d.subject, **detail})},
                      maxlen=STREAM_LENGTH, approximate=True)
            if self.timeline is not None and interaction_id.isdigit():
                self.timeline.push(pipe, int(interaction_id), "escalated", detail, at)
        pipe.execute()
        return done

    def _redirect(self, sid: str) -> bool:
        try:
            self.service.gateway.redirect_call(sid, self.service.url(f"/queue/offer?call={sid}"))
            return True
        except Exception:
            log.exception("could not take call %s to the offer; retried when its lease ends",
                          sid)
            self.store.unpark(sid)  # still in line, at their place
            return False

    def _map(self, fn: Callable[[str], bool], items: list[str]) -> list[bool]:
        if len(items) < 2 or self.context is None:
            return [fn(item) for item in items]
        context = self.context

        def in_context(item: str) -> bool:
            with context():
                return fn(item)

        return list(_offer_pool().map(in_context, items))

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
