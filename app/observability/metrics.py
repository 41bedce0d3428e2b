"""Prometheus metrics.

Two kinds:

- Counted in the process that sees them (webhook latency, HTTP statuses, errors). With
  several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (an empty directory, cleared on each
  start) and prometheus_client's multiprocess mode adds up every worker's files at scrape.
- Read from the shared state at scrape time (queue depth, waits, escalations, agents, the
  callback backlog): Redis and SQL already hold the truth for every process, so no process
  keeps a copy that could disagree with another's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.registry import REGISTRY, Collector

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)

WEBHOOK_SECONDS = Histogram(
    "callcentre_webhook_duration_seconds",
    "Time to answer a Twilio webhook, by route and outcome (ok, fallback, forbidden).",
    ["route", "outcome"], buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "callcentre_http_requests_total", "Requests answered, by route, method and status class.",
    ["route", "method", "status"],
)
ERRORS = Counter(
    "callcentre_errors_total",
    "Things that went wrong: webhook_fallback (a caller heard the safe fallback), "
    "server_error (a 5xx answered), signature_rejected (a webhook without a valid signature).",
    ["kind", "route"],
)


@dataclass
class WebhookObservation:
    route: str
    outcome: str = "ok"


@contextmanager
def observe_webhook(route: str | None) -> Iterator[WebhookObservation]:
    """Time one webhook; the caller sets `outcome` to `fallback` or `forbidden`."""
    observation = WebhookObservation(route or "unknown")
    started = time.perf_counter()
    try:
        yield observation
    finally:
        elapsed = max(0.0, time.perf_counter() - started)
        WEBHOOK_SECONDS.labels(observation.route, observation.outcome).observe(elapsed)
        if observation.outcome == "fallback":
            ERRORS.labels("webhook_fallback", observation.route).inc()
        elif observation.outcome == "forbidden":
            ERRORS.labels("signature_rejected", observation.route).inc()


def count_response(route: str | None, method: str, status: int) -> None:
    route = route or "unmatched"
    HTTP_REQUESTS.labels(route, method, f"{status // 100}xx").inc()
    if status >= 500:
        ERRORS.labels("server_error", route).inc()


class _ThisProcess(Collector):
    """The default registry's metrics, re-offered to a per-scrape registry."""

    def collect(self):
        yield from REGISTRY.collect()


def exposition(*collectors: Collector) -> bytes:
    """The /metrics body: this process's (or every worker's) counters plus `collectors`."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
