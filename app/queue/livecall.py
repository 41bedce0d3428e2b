"""A live call, as the queue keeps it in Redis: its states, its one reader, and its words.

The call hash (`Keys.call(sid)`, fields listed in app/queue/lua.py) is written by the queue's
Lua scripts and read only here: every package above the queue gets a `LiveCall`
(`QueueStore.live` / `live_many`, or `read` / `read_many`), so a field renamed or a state
added is a change in one module. The raw fields (`read_fields`, `QueueStore.call`) are the
queue's own. tests/queue/test_call_hash_guard.py fails if a module outside the queue builds
the call hash's key or asks for its raw fields.

Each audience names a state in its own words (`WORDS`); the console and the floor refine
"talking" further (held, transferring, wrap-up) from the call controls' own keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import redis

from app.queue.keys import Keys


class CallState(StrEnum):
    """Where a caller is in the queue system (the call hash's `state`)."""

    WAITING = "waiting"  # in line, in one or more departments' queues
    IN_OFFER = "in_offer"  # out of line, at the offer menu: keep waiting, message or callback
    OFFERED = "offered"  # an agent's phone is ringing for them
    CONNECTED = "connected"  # talking to an agent
    TRANSFERRING = "transferring"  # being handed to another agent (call controls)
    ENDED = "ended"  # hung up; the hash stays a while for the console and the records

    @classmethod
    def parse(cls, value: str | None) -> CallState | None:
        try:
            return cls(value or "")
        except ValueError:
            return None


class Audience(StrEnum):
    FLOOR = "floor"  # the supervisors' dashboard and their live-call list
    CONSOLE = "console"  # the agent console (GET /api/calls/<sid>)
    API = "api"  # error details and other JSON that names a caller's state


# The word each audience sees for a state. `in_offer` is "choosing": the caller is out of line,
# listening to the offer menu and choosing to keep waiting, leave a message or be called back.
_COMMON = {
    CallState.WAITING: "waiting",
    CallState.IN_OFFER: "choosing",
    CallState.OFFERED: "ringing",
    CallState.CONNECTED: "talking",
    CallState.TRANSFERRING: "transferring",
    CallState.ENDED: "ended",
}
WORDS: dict[Audience, dict[CallState, str]] = {
    Audience.FLOOR: dict(_COMMON),
    Audience.CONSOLE: dict(_COMMON),
    Audience.API: dict(_COMMON),
}
# The states in which a caller is still waiting for an agent (not yet talking).
WAITING_STATES = frozenset({CallState.WAITING, CallState.IN_OFFER, CallState.OFFERED})


def word(state: CallState | str | None, audience: Audience) -> str:
    """The audience's word for a state; an unknown state is shown as it is stored."""
    parsed = state if isinstance(state, CallState) else CallState.parse(state)
    if parsed is None:
        return state or ""
    return WORDS[audience][parsed]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@dataclass(frozen=True)
class LiveCall:
    """One call hash, typed. `fields` keeps every raw field (hold-clock marks included)."""

    sid: str
    state: CallState | None
    department: str = ""
    department_name: str = ""
    queues: tuple[str, ...] = ()
    number: str = ""
    customer_id: int | None = None
    language: str = ""
    any_language: bool = False  # the ladder let any agent take them, whatever they speak
    priority: int = 0
    since: float | None = None
    answered_at: float | None = None
    agent: str = ""
    agent_leg: str = ""
    kind: str = "call"
    callback_id: int | None = None
    generation: int = 1
    interaction_id: int | None = None
    fields: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_fields(cls, sid: str, fields: Mapping[str, str]) -> LiveCall:
        f = fields
        return cls(
            sid=f.get("sid") or sid,
            state=CallState.parse(f.get("state")),
            department=f.get("department", ""),
            department_name=f.get("department_name") or f.get("department", ""),
            queues=tuple(q for q in (f.get("queues") or "").split(",") if q),
            number=f.get("number", ""),
            customer_id=_int(f.get("customer_id")),
            language=f.get("language", ""),
            any_language=f.get("any_language") == "1",
            priority=_int(f.get("priority")) or 0,
            since=_float(f.get("since")),
            answered_at=_float(f.get("answered_at")),
            agent=f.get("agent", ""),
            agent_leg=f.get("agent_leg", ""),
            kind="callback" if f.get("kind") == "callback" else "call",
            callback_id=_int(f.get("callback_id")),
            generation=_int(f.get("generation")) or 1,
            interaction_id=_int(f.get("interaction_id")),
            fields=dict(f),
        )

    @property
    def live(self) -> bool:
        """In the queue system and not hung up."""
        return self.state is not None and self.state is not CallState.ENDED

    def word(self, audience: Audience) -> str:
        return word(self.state or self.fields.get("state"), audience)

    def ladder(self) -> list[dict[str, Any]]:
        """The hold-clock ladder the caller's wait runs on (empty if unreadable)."""
        try:
            steps = json.loads(self.fields.get("ladder") or "[]")
        except ValueError:
            return []
        return steps if isinstance(steps, list) else []

    def fired(self) -> dict[int, float]:
        """Ladder step index -> when it fired, for the current wait (generation)."""
        out = {}
        for index in range(len(self.ladder())):
            at = _float(self.fields.get(f"fired:{self.generation}:{index}"))
            if at is not None:
                out[index] = at
        return out


def read_fields(client: redis.Redis, sid: str, keys: Keys | None = None) -> dict[str, str]:
    """The call hash's raw fields ({} if there is none). The queue's own code reads these."""
    return client.hgetall((keys or Keys()).call(sid))


def read(client: redis.Redis, sid: str, keys: Keys | None = None) -> LiveCall | None:
    """The call, or None if the queue system has no hash for it."""
    fields = read_fields(client, sid, keys)
    return LiveCall.from_fields(sid, fields) if fields else None


def read_many(client: redis.Redis, sids: Iterable[str],
              keys: Keys | None = None) -> dict[str, LiveCall]:
    """Several calls in one round trip; SIDs with no hash are left out."""
    keys = keys or Keys()
    wanted = list(sids)
    pipe = client.pipeline(transaction=False)
    for sid in wanted:
        pipe.hgetall(keys.call(sid))
    return {sid: LiveCall.from_fields(sid, fields)
            for sid, fields in zip(wanted, pipe.execute(), strict=True) if fields}
