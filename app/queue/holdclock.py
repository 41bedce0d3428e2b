"""The hold clock: deadlines in a Redis sorted set, fired by any number of clock loops.

A deadline member is `kind|subject|generation|index`:
- `step|<call sid>|<gen>|<i>`: ladder step i of the caller's current wait (a new wait bumps
  the generation, so the old wait's steps fire as no-ops);
- `ring|<call sid>|<agent>|0`: the end of an agent's ring by the app's count (Twilio rings
  past its Timeout, may queue the ring for the account's CPS first, and its status callback
  may be late): the app then ends the ring itself;
- `wrapup|<agent>|<since>|0`: the end of an agent's wrap-up time;
- `retry|<call sid>|<failures>|0`: the end of a caller's back-off after Twilio refused to
  ring an agent for them: route them again.

Claiming leases a member; it is acknowledged after it fired. A loop killed mid-step leaves
its lease to expire and another loop (or the same one, restarted) fires the step again, so
every step fires at least once; the handlers are idempotent, so it takes effect once.
Deadlines are scored with `app.clock.timestamp()`, never Redis TTLs, so freezegun moves them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from app.observability.context import job_context
from app.queue.store import QueueStore
from config import app_settings
from config.settings import declared_default

log = logging.getLogger(__name__)

LEASE_SECONDS: float = declared_default("HOLD_CLOCK_LEASE_SECONDS")
BATCH = 500


@dataclass(frozen=True)
class Deadline:
    kind: str
    subject: str
    generation: str
    index: int
    due: float
    member: str

    @classmethod
    def parse(cls, member: str, due: float) -> Deadline | None:
        parts = member.split("|")
        if len(parts) != 4 or not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], parts[2], int(parts[3]), due, member)


def step_member(call_sid: str, generation: int | str, index: int) -> str:
    return f"step|{call_sid}|{generation}|{index}"


def ring_member(call_sid: str, agent: str) -> str:
    return f"ring|{call_sid}|{agent}|0"


def wrapup_member(agent: str, since: float | str) -> str:
    return f"wrapup|{agent}|{since}|0"


def retry_member(call_sid: str, failures: int) -> str:
    return f"retry|{call_sid}|{failures}|0"


Handler = Callable[[Deadline, float], None]
# Fires many deadlines of one kind at once (a few Redis round trips for a whole batch, not a
# few per deadline); returns the members that took effect, to acknowledge. The others keep
# their lease and are fired again when it expires.
BatchHandler = Callable[[list[Deadline], float], list[str]]


def _configured_lease() -> float:
    from flask import has_app_context

    if has_app_context():
        return app_settings().HOLD_CLOCK_LEASE_SECONDS
    return LEASE_SECONDS


class HoldClock:
    """Claims due deadlines and hands each to the handler for its kind.

    With `workers` > 1, claimed deadlines are fired on a thread pool: the steps' work is
    mostly waiting (a REST redirect to Twilio, a row in the timeline), and ten thousand
    waiting callers put hundreds of steps in the same second. `context` wraps each firing
    (an app context per thread).
    """

    def __init__(self, store: QueueStore, handlers: dict[str, Handler],
                 now: Callable[[], float], *, workers: int = 1,
                 context: Callable[[], AbstractContextManager] = nullcontext,
                 lease: float | None = None,
                 batch_handlers: dict[str, BatchHandler] | None = None,
                 settle: Callable[[bool], None] | None = None) -> None:
        self.store = store
        self.handlers = handlers
        self.batch_handlers = batch_handlers or {}
        # Work a handler left running in the background (offers' REST requests): `tick`
        # waits for it, the clock loop does not.
        self.settle = settle
        self.now = now
        self.context = context
        # How long a claim is held: a loop killed mid-step loses its steps for this long.
        # Longer than any step takes (a REST request with its retries), short enough that a
        # step retaken after it still comes before the limit.
        self.lease = lease if lease is not None else _configured_lease()
        self.pool = ThreadPoolExecutor(workers, "holdclock") if workers > 1 else None

    def tick(self) -> int:
        """Fire everything due now, and wait for it; returns how many deadlines were handled."""
        fired = self._tick()
        if self.settle is not None:
            self.settle(True)
        return fired

    def _tick(self) -> int:
        fired = 0
        while True:
            now = self.now()
            claimed = self.store.claim_due(now, BATCH, self.lease)
            single = self._fire_batches(claimed, now) if self.batch_handlers else claimed
            if self.pool is not None and len(single) > 1:
                list(self.pool.map(lambda item, at=now: self._fire(*item, at), single))
            else:
                for member, due in single:
                    self._fire(member, due, now)
            fired += len(claimed)
            if len(claimed) < BATCH:
                return fired

    def _fire_batches(self, claimed: list[tuple[str, float]], now: float
                      ) -> list[tuple[str, float]]:
        """Fire the claimed deadlines that have a batch handler; returns the rest."""
        rest: list[tuple[str, float]] = []
        batches: dict[str, list[Deadline]] = {}
        for member, due in claimed:
            deadline = Deadline.parse(member, due)
            if deadline is not None and deadline.kind in self.batch_handlers:
                batches.setdefault(deadline.kind, []).append(deadline)
            else:
                rest.append((member, due))
        for kind, deadlines in batches.items():
            with self.context():
                try:
                    done = self.batch_handlers[kind](deadlines, now)
                except Exception:
                    # Leave the leases in place: the batch is retried when they expire.
                    log.exception("hold-clock batch of %d %s deadlines failed; retried later",
                                  len(deadlines), kind)
                    continue
            if done:
                self.store.redis.zrem(self.store.keys.leases, *done)
        return rest

    def _fire(self, member: str, due: float, now: float) -> None:
        # Its log lines carry the call it is for (the subject of `step` and `ring` deadlines).
        parts = member.split("|")
        call_sid = parts[1] if len(parts) == 4 and parts[0] in ("step", "ring", "retry") else None
        with self.context(), job_context(f"holdclock:{member}", call_sid):
            self._fire_in_context(member, due, now)

    def _fire_in_context(self, member: str, due: float, now: float) -> None:
        deadline = Deadline.parse(member, due)
        handler = self.handlers.get(deadline.kind) if deadline else None
        if handler is None:
            log.error("dropping unknown hold-clock deadline %r", member)
            self.store.acknowledge(member)
            return
        try:
            handler(deadline, now)
        except Exception:
            # Leave the lease in place: the step is retried when it expires.
            log.exception("hold-clock deadline %s failed; it will be retried", member)
            return
        self.store.acknowledge(member)

    def run_forever(self, idle_sleep: float = 0.05, stop: Callable[[], bool] = lambda: False,
                    after_tick: Callable[[], None] | None = None) -> None:
        """The clock process's loop: fire what is due, then sleep until the next deadline."""
        while not stop():
            try:
                self._tick()
                if self.settle is not None:
                    self.settle(False)
                if after_tick:
                    after_tick()
                upcoming = self.store.next_deadline()
            except Exception:
                log.exception("hold-clock loop error; retrying in 1 s")
                time.sleep(1.0)
                continue
            wait = idle_sleep if upcoming is None else upcoming - self.now()
            time.sleep(min(max(wait, 0.0), idle_sleep))
