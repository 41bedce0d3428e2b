"""Metrics read from the shared state at scrape time: Redis (live) and SQL (the backlog).

Any web process may answer a scrape and gets the same figures, since none comes from its own
memory. Counters that Prometheus expects to only go up (escalations by step, answered and
abandoned waits) are folded from the floor-event stream into a Redis hash: each scrape folds
the entries added since the last one, under a short lock so two processes never count one
entry twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from app.clock import now as clock_now
from app.clock import timestamp
from app.queue.keys import Keys
from config import app_settings

WAIT_BUCKETS = (10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0)
FOLD_BATCH = 2000
FOLD_MAX_BATCHES = 25  # at most 50,000 entries a scrape; the rest at the next one
_BAND = 1e10  # the queue score's priority band (app.queue.store)


def _keys() -> Keys:
    return Keys(app_settings().REDIS_KEY_TAG)


def _metric_key(keys: Keys, name: str) -> str:
    return f"{keys.prefix}:metrics:{name}"


def fold_events(redis: Any, keys: Keys) -> int:
    """Fold new floor events into the counters hash; returns how many entries were read."""
    lock = _metric_key(keys, "lock")
    if not redis.set(lock, "1", nx=True, px=10_000):
        return 0  # another process is folding right now; its result is read below
    try:
        cursor = redis.get(_metric_key(keys, "cursor")) or "0-0"
        read = 0
        for _ in range(FOLD_MAX_BATCHES):
            entries = redis.xrange(keys.events, min=f"({cursor}", count=FOLD_BATCH)
            if not entries:
                break
            increments: dict[str, float] = {}
            for entry_id, fields in entries:
                _count(fields, increments)
                cursor = entry_id
            pipe = redis.pipeline(transaction=True)
            for field, amount in increments.items():
                pipe.hincrbyfloat(_metric_key(keys, "counts"), field, amount)
            pipe.set(_metric_key(keys, "cursor"), cursor)
            pipe.execute()
            read += len(entries)
            if len(entries) < FOLD_BATCH:
                break
        return read
    finally:
        redis.delete(lock)


def _count(fields: dict[str, str], increments: dict[str, float]) -> None:
    kind = fields.get("type", "")
    if kind not in ("call.escalated", "call.answered", "call.abandoned"):
        return
    try:
        detail = json.loads(fields.get("detail") or "{}")
    except ValueError:
        return

    def add(field: str, amount: float = 1.0) -> None:
        increments[field] = increments.get(field, 0.0) + amount

    if kind == "call.escalated":
        add(f"escalated:{detail.get('step', 'unknown')}")
        return
    outcome = kind.removeprefix("call.")
    waited = float(detail.get("wait_seconds") or 0.0)
    add(f"{outcome}:count")
    add(f"{outcome}:sum", waited)
    for bound in WAIT_BUCKETS:
        if waited <= bound:
            add(f"{outcome}:le:{bound}")


class FloorCollector(Collector):
    """Queue depth and longest wait per department, agents by state, escalations by step,
    answered/abandoned waits, the callback backlog and how late the hold clock runs."""

    def collect(self) -> Iterator[Any]:
        from app.extensions import redis_client

        keys = _keys()
        redis = redis_client._get_current_object()
        yield from self._queues(redis, keys)
        yield from self._agents(redis, keys)
        yield from self._clock(redis, keys)
        fold_events(redis, keys)
        counts = {k: float(v) for k, v in
                  redis.hgetall(_metric_key(keys, "counts")).items()}
        yield from self._escalations(counts)
        for outcome in ("answered", "abandoned"):
            yield self._waits(outcome, counts)
        yield from self._callbacks()

    def _queues(self, redis: Any, keys: Keys) -> Iterator[Any]:
        from app.extensions import db
        from app.floor.models import Department

        depth = GaugeMetricFamily("callcentre_queue_depth",
                                  "Callers waiting in each department's queue.",
                                  labels=["department"])
        longest = GaugeMetricFamily("callcentre_queue_longest_wait_seconds",
                                    "How long the longest-waiting caller has waited.",
                                    labels=["department"])
        slugs = db.session.scalars(select(Department.slug).order_by(Department.slug)).all()
        moment = timestamp()
        pipe = redis.pipeline(transaction=False)
        for slug in slugs:
            pipe.zcard(keys.queue(slug))
            pipe.zrange(keys.queue(slug), 0, -1, withscores=True)
        results = pipe.execute()
        for index, slug in enumerate(slugs):
            size, members = results[2 * index], results[2 * index + 1]
            depth.add_metric([slug], float(size))
            starts = [score % _BAND for _, score in members]
            longest.add_metric([slug], max(0.0, moment - min(starts)) if starts else 0.0)
        yield depth
        yield longest

    def _agents(self, redis: Any, keys: Keys) -> Iterator[Any]:
        family = GaugeMetricFamily("callcentre_agents", "Agents with a presence, by state.",
                                   labels=["state"])
        identities = sorted(redis.smembers(keys.agents))
        pipe = redis.pipeline(transaction=False)
        for identity in identities:
            pipe.hget(keys.agent(identity), "state")
        states: dict[str, int] = {}
        for state in pipe.execute() if identities else []:
            states[state or "unknown"] = states.get(state or "unknown", 0) + 1
        for state, count in sorted(states.items()):
            family.add_metric([state], float(count))
        yield family

    def _clock(self, redis: Any, keys: Keys) -> Iterator[Any]:
        due = redis.zrange(keys.deadlines, 0, 0, withscores=True)
        lag = max(0.0, timestamp() - due[0][1]) if due else 0.0
        yield GaugeMetricFamily("callcentre_hold_clock_lag_seconds",
                                "How far past its due time the oldest unfired hold-clock "
                                "step is (0 when the clock keeps up).", value=lag)
        yield GaugeMetricFamily("callcentre_hold_clock_pending",
                                "Hold-clock steps scheduled (due or not).",
                                value=float(redis.zcard(keys.deadlines)))

    def _escalations(self, counts: dict[str, float]) -> Iterator[Any]:
        family = CounterMetricFamily("callcentre_escalations",
                                     "Hold-clock escalation steps that took effect, by step.",
                                     labels=["step"])
        for field, value in sorted(counts.items()):
            if field.startswith("escalated:"):
                family.add_metric([field.removeprefix("escalated:")], value)
        yield family

    def _waits(self, outcome: str, counts: dict[str, float]) -> Any:
        family = HistogramMetricFamily(
            f"callcentre_{outcome}_wait_seconds",
            f"Waits of callers who were {outcome} (from the floor events).")
        buckets = [(str(b), counts.get(f"{outcome}:le:{b}", 0.0)) for b in WAIT_BUCKETS]
        buckets.append(("+Inf", counts.get(f"{outcome}:count", 0.0)))
        family.add_metric([], buckets, counts.get(f"{outcome}:sum", 0.0))
        return family

    def _callbacks(self) -> Iterator[Any]:
        from app.extensions import db
        from app.voicemail.models import Callback, VoicemailBox

        open_family = GaugeMetricFamily("callcentre_callbacks_open",
                                        "Callbacks not yet cleared, by box.", labels=["box"])
        overdue_family = GaugeMetricFamily("callcentre_callbacks_overdue",
                                           "Open callbacks past their due time, by box.",
                                           labels=["box"])
        rows = db.session.execute(
            select(VoicemailBox.slug, func.count(Callback.id),
                   func.sum(case((Callback.due_at <= clock_now(), 1), else_=0)))
            .join(Callback, Callback.box_id == VoicemailBox.id)
            .where(Callback.status != "closed")
            .group_by(VoicemailBox.slug)
        ).all()
        for slug, total, overdue in rows:
            open_family.add_metric([slug], float(total))
            overdue_family.add_metric([slug], float(overdue or 0))
        db.session.rollback()  # read-only; end the transaction a scrape opened
        yield open_family
        yield overdue_family
