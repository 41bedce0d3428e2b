"""The dashboard's server-sent events: the floor stream as it happens, plus fresh panels.

One connection per open dashboard. It sends, in order: the panels (a snapshot), today's
figures, then every floor event as it lands in the Redis stream (`event: floor`, with the
stream id as the SSE id, so a reconnecting browser resumes after the last one it saw). After
events, the panels are sent again, at most every `min_gap` seconds however busy the floor
(200 callers' steps firing must not mean 200 snapshots a second), and at least every
`refresh` seconds (callbacks fall overdue with no event). Figures follow answered and
abandoned calls, at most every `figures_gap` seconds.

A stream ends after `duration` seconds; the browser's EventSource reconnects by itself with
Last-Event-ID. That bounds how long a web thread is held by one tab and lets a deploy drain.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from app.web.hangup import never

FIGURE_EVENTS = ("call.answered", "call.abandoned", "alert.callback_overdue")
KEEP_ALIVE_SECONDS = 15.0


def monotonic() -> float:
    # Real time even under freezegun (which freezes time.monotonic): the stream's pacing is
    # about the browser's connection, not the call centre's clock.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class FeedSource(Protocol):
    def latest_id(self) -> str: ...

    def read(self, after: str, block_ms: int) -> list[dict[str, Any]]: ...

    def panels(self) -> dict[str, Any]: ...

    def figures(self) -> dict[str, Any]: ...

    def describe(self, event: dict[str, Any]) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Pacing:
    duration: float = 55.0
    min_gap: float = 0.5
    refresh: float = 5.0
    figures_gap: float = 10.0
    figures_refresh: float = 60.0
    block_ms: int = 500


def sse(event: str | None, data: Any, event_id: str | None = None) -> str:
    lines = []
    if event_id:
        lines.append(f"id: {event_id}")
    if event:
        lines.append(f"event: {event}")
    payload = json.dumps(data, separators=(",", ":"), default=str)
    lines += [f"data: {line}" for line in payload.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def stream(source: FeedSource, after: str | None = None, pacing: Pacing = Pacing(),
           gone: Callable[[], bool] = never) -> Iterator[str]:
    """The SSE text of one connection; it ends early once `gone()` (app/web/hangup.py)."""
    started = monotonic()
    cursor = after or source.latest_id()
    yield "retry: 2000\n\n"
    yield sse("snapshot", source.panels())
    yield sse("figures", source.figures())
    last_panels = last_figures = last_sent = monotonic()
    panels_due = figures_due = False
    while monotonic() - started < pacing.duration and not gone():
        events = source.read(cursor, pacing.block_ms)
        for event in events:
            cursor = event["id"]
            panels_due = True
            figures_due = figures_due or event.get("type") in FIGURE_EVENTS
            described = source.describe(event)
            if described is not None:  # None: not worth a line (a duplicate, say)
                yield sse("floor", described, event_id=event["id"])
                last_sent = monotonic()
        now = monotonic()
        if (panels_due and now - last_panels >= pacing.min_gap) or \
                now - last_panels >= pacing.refresh:
            yield sse("snapshot", source.panels())
            last_panels = last_sent = monotonic()
            panels_due = False
        if (figures_due and now - last_figures >= pacing.figures_gap) or \
                now - last_figures >= pacing.figures_refresh:
            yield sse("figures", source.figures())
            last_figures = last_sent = monotonic()
            figures_due = False
        if now - last_sent >= KEEP_ALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = now
