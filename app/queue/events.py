"""Floor events: to Redis streams (live: consoles, dashboard) and to the call's timeline."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import redis

from app.queue.keys import Keys

log = logging.getLogger(__name__)

STREAM_LENGTH = 10_000
AGENT_STREAM_LENGTH = 200

Timeline = Callable[[str, str, dict[str, Any]], None]


class FloorEvents:
    def __init__(self, client: redis.Redis, keys: Keys, timeline: Timeline,
                 now: Callable[[], float]) -> None:
        self.redis = client
        self.keys = keys
        self.timeline = timeline
        self.now = now

    def _publish(self, stream: str, kind: str, maxlen: int, **detail: Any) -> None:
        fields = {"type": kind, "at": f"{self.now():.3f}", "detail": json.dumps(detail)}
        self.redis.xadd(stream, fields, maxlen=maxlen, approximate=True)

    def call_event(self, call_sid: str, kind: str, **detail: Any) -> None:
        self._publish(self.keys.events, f"call.{kind}", STREAM_LENGTH, call_sid=call_sid,
                      **detail)
        try:
            self.timeline(call_sid, kind, detail)
        except Exception:
            # The live state in Redis is what routes calls; a timeline row is history and
            # must not stop a caller being served.
            log.exception("could not write %s to the timeline of call %s", kind, call_sid)

    def agent_event(self, identity: str, kind: str, **detail: Any) -> None:
        self._publish(self.keys.events, f"agent.{kind}", STREAM_LENGTH, agent=identity, **detail)
        self._publish(self.agent_stream(identity), kind, AGENT_STREAM_LENGTH, **detail)

    def agent_notices(self, kind: str, details: dict[str, dict[str, Any]]) -> None:
        """`kind` on each agent's own stream, with their detail, in one round trip. Unlike
        `agent_event`, no copy goes to the floor stream: news for many consoles at once (a
        changed callback list) would fill the dashboard's feed with one line per agent."""
        at = f"{self.now():.3f}"
        pipe = self.redis.pipeline(transaction=False)
        for identity, detail in details.items():
            pipe.xadd(self.agent_stream(identity),
                      {"type": kind, "at": at, "detail": json.dumps(detail)},
                      maxlen=AGENT_STREAM_LENGTH, approximate=True)
        pipe.execute()

    def supervisor_alert(self, kind: str, **detail: Any) -> None:
        self._publish(self.keys.events, f"alert.{kind}", STREAM_LENGTH, **detail)

    def agent_stream(self, identity: str) -> str:
        return f"{self.keys.prefix}:agent-events:{identity}"

    def read_agent_events(self, identity: str, after: str = "0-0",
                          count: int = 50) -> list[dict[str, Any]]:
        entries = self.redis.xrange(self.agent_stream(identity), min=f"({after}"
                                    if after != "0-0" else "-", count=count)
        return [
            {"id": entry_id, "type": fields["type"], "at": float(fields["at"]),
             **json.loads(fields["detail"])}
            for entry_id, fields in entries
        ]

    def recent(self, count: int = 100) -> list[dict[str, Any]]:
        entries = self.redis.xrevrange(self.keys.events, count=count)
        return [
            {"id": entry_id, "type": fields["type"], "at": float(fields["at"]),
             **json.loads(fields["detail"])}
            for entry_id, fields in entries
        ]
