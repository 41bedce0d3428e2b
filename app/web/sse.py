"""The console's server-sent events: the agent's own event stream, and offline the softphone.

One connection per open console. It sends `hello` (the agent's presence now), then each
entry of the agent's Redis stream (the same stream `GET /api/agents/me/events` reads) as
`event: agent` with the stream id as the SSE id, so a reconnecting EventSource resumes after
the last one it saw (Last-Event-ID). Against the emulator it also sends `event: phone`
whenever the agent's emulated softphone changes: ringing, its call, what it heard.

A connection ends after `duration` seconds and the browser reconnects by itself: that bounds
how long one tab holds a web thread, and lets a deploy drain.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis

from app.errors import DomainError
from app.web.hangup import never

log = logging.getLogger(__name__)


def monotonic() -> float:
    # Real time even under freezegun: pacing is about the connection, not the call centre.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


@dataclass(frozen=True)
class Pacing:
    duration: float = 55.0
    block_ms: int = 500
    # A comment line every few seconds keeps proxies from timing the stream out, and where
    # the client's socket cannot be watched (app/web/hangup.py) its failing write is how the
    # server learns that the browser went away.
    keep_alive: float = 2.0


def sse(event: str | None, data: Any, event_id: str | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id else []
    if event:
        lines.append(f"event: {event}")
    lines += [f"data: {line}" for line in json.dumps(data, default=str).splitlines()]
    return "\n".join(lines) + "\n\n"


def latest_id(client: redis.Redis, stream: str) -> str:
    last = client.xrevrange(stream, count=1)
    return last[0][0] if last else "0-0"


def read(client: redis.Redis, stream: str, after: str, block_ms: int) -> list[dict[str, Any]]:
    answer = client.xread({stream: after}, count=50, block=block_ms)
    entries = answer[0][1] if answer else []
    return [{"id": entry_id, "type": fields["type"], "at": float(fields["at"]),
             **json.loads(fields["detail"])} for entry_id, fields in entries]


PhoneStatus = Callable[[int], dict[str, Any]]


def stream(client: redis.Redis, agent_stream: str, hello: dict[str, Any],
           after: str | None = None, phone: PhoneStatus | None = None,
           pacing: Pacing = Pacing(), gone: Callable[[], bool] = never) -> Iterator[str]:
    """The SSE text of one console connection; it ends early once `gone()` (app/web/hangup.py)."""
    started = last_sent = monotonic()
    cursor = after or latest_id(client, agent_stream)
    yield "retry: 2000\n\n"
    yield sse("hello", hello)
    phone_next, phone_seen = None, None
    while monotonic() - started < pacing.duration and not gone():
        for event in read(client, agent_stream, cursor, pacing.block_ms):
            cursor = event["id"]
            last_sent = monotonic()
            yield sse("agent", event, cursor)
        if phone is not None:
            phone_next, phone_seen, message = _phone_change(phone, phone_next, phone_seen)
            if message is not None:
                last_sent = monotonic()
                yield sse("phone", message)
        if monotonic() - last_sent >= pacing.keep_alive:
            last_sent = monotonic()
            yield ": keep-alive\n\n"


def _phone_change(phone: PhoneStatus, since: int | None,
                  seen: tuple | None) -> tuple[int | None, tuple | None, dict | None]:
    try:
        # On connect, skip what the phone heard before: the page shows the present.
        status = phone(since if since is not None else 0)
    except DomainError as exc:
        state = ("unavailable",)
        return since, state, (None if seen == state else {"online": False, "error": exc.message})
    lines = [event.get("line", "") for event in status.get("events", [])] if since is not None \
        else []
    state = (tuple(status.get("ringing", [])), status.get("call_sid"))
    if not lines and state == seen:
        return status.get("next", since), seen, None
    return status.get("next", since), state, {
        "online": True, "ringing": list(state[0]), "call_sid": state[1], "lines": lines}
