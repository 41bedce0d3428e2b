"""The queues and agent presence in Redis, through the atomic scripts in lua.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from app.queue import livecall, lua
from app.queue.keys import Keys
from app.queue.livecall import LiveCall

# Priorities run 0 (standard) to MAX_PRIORITY. The score puts the priority band first and the
# wait start second, so ZRANGE 0 0 is "highest priority, then longest waiting".
MAX_PRIORITY = 9
_BAND = 1e10  # wider than any epoch-seconds timestamp we will see


def queue_score(priority: int, since: float) -> float:
    priority = max(0, min(MAX_PRIORITY, int(priority)))
    return (MAX_PRIORITY - priority) * _BAND + since


@dataclass(frozen=True)
class Match:
    call_sid: str
    agent: str
    department: str


class QueueStore:
    """Everything live about callers and agents. Takes its Redis and clock time as arguments."""

    def __init__(self, client: redis.Redis, keys: Keys | None = None) -> None:
        self.redis = client
        self.keys = keys or Keys()
        self._scripts = {
            name: client.register_script(getattr(lua, name).source)
            for name in ("ENQUEUE", "MATCH", "RELEASE_OFFER", "ANSWER", "HANG_UP", "PARK",
                         "UNPARK", "RESCORE", "WIDEN", "SET_AGENT_STATE", "SET_AGENT_LANGUAGES",
                         "FINISH_CALL",
                         "CLAIM_DUE", "REASSIGN", "OFFER_TO", "TAKE_BACK", "TAKE_CALL")
        }

    def _run(self, name: str, *args: Any) -> Any:
        """A script that builds its keys from the floor's prefix (its one declared key)."""
        return self._scripts[name](keys=[self.keys.prefix], args=list(args))

    def _run_on(self, name: str, keys: list[str], *args: Any) -> Any:
        """A script that declares every key it touches."""
        return self._scripts[name](keys=keys, args=list(args))

    # -- callers ---------------------------------------------------------------------------

    def enqueue(self, call_sid: str, department: str, *, priority: int, since: float,
                **fields: Any) -> bool:
        """Put a caller in line. False if they already were (a retried webhook)."""
        flat: list[Any] = []
        for key, value in fields.items():
            flat += [key, "" if value is None else value]
        score = queue_score(priority, since)
        keys = [self.keys.call(call_sid), self.keys.calls, self.keys.queue(department)]
        return bool(self._run_on("ENQUEUE", keys, call_sid, department, score, priority, since,
                                 *flat))

    def call(self, call_sid: str) -> dict[str, str]:
        """The call hash's raw fields ({} if none), for the queue's own code; every other
        package reads `live` (a LiveCall)."""
        return livecall.read_fields(self.redis, call_sid, self.keys)

    def live(self, call_sid: str) -> LiveCall | None:
        return livecall.read(self.redis, call_sid, self.keys)

    def live_many(self, call_sids: list[str]) -> dict[str, LiveCall]:
        return livecall.read_many(self.redis, call_sids, self.keys)

    def bump_generation(self, call_sid: str) -> int:
        """Start a fresh hold clock: steps scheduled for the old generation fire as no-ops."""
        return int(self.redis.hincrby(self.keys.call(call_sid), "generation", 1))

    def set_call_fields(self, call_sid: str, **fields: Any) -> None:
        self.redis.hset(self.keys.call(call_sid), mapping={k: str(v) for k, v in fields.items()})

    def position(self, call_sid: str) -> int | None:
        """1-based place in the caller's own department queue (O(log n)), None if not waiting."""
        department = self.redis.hget(self.keys.call(call_sid), "department")
        if not department:
            return None
        rank = self.redis.zrank(self.keys.queue(department), call_sid)
        return None if rank is None else rank + 1

    def queue_length(self, department: str) -> int:
        return self.redis.zcard(self.keys.queue(department))

    def waiting(self, department: str, limit: int = 100) -> list[str]:
        return self.redis.zrange(self.keys.queue(department), 0, limit - 1)

    def rescore(self, call_sid: str, priority: int) -> bool:
        since = self.redis.hget(self.keys.call(call_sid), "since")
        if since is None:
            return False
        return bool(self._run("RESCORE", call_sid, queue_score(priority, float(since)), priority))

    def widen(self, call_sid: str, departments: list[str]) -> int:
        return int(self._run("WIDEN", call_sid, *departments))

    def park(self, call_sid: str) -> bool:
        return bool(self._run("PARK", call_sid))

    def unpark(self, call_sid: str) -> bool:
        return bool(self._run("UNPARK", call_sid))

    def hang_up(self, call_sid: str, now: float) -> tuple[str, str]:
        """The caller is gone. Returns (state they were in, agent who was offered them)."""
        state, agent = self._run("HANG_UP", now, call_sid)
        return state, agent

    # -- routing ---------------------------------------------------------------------------

    def match(self, departments: list[str], now: float) -> Match | None:
        if not departments:
            return None
        found = self._run("MATCH", now, *departments)
        return Match(*found) if found else None

    def release_offer(self, call_sid: str, agent: str, now: float, *, agent_state: str = "away",
                      reason: str = "missed call", retry_at: float | None = None,
                      ring_failures: int = 0) -> bool:
        """End an offer; with `retry_at`, the caller is not matched again before then."""
        extra = () if retry_at is None else (retry_at, ring_failures)
        return bool(self._run("RELEASE_OFFER", now, call_sid, agent, agent_state, reason,
                              *extra))

    def answer(self, call_sid: str, agent: str, now: float) -> float | None:
        """Bridge an offered caller to the agent; returns the caller's wait in seconds."""
        waited = self._run("ANSWER", now, call_sid, agent)
        return None if waited is None else float(waited)

    def lock_offer(self, call_sid: str, holder: str, seconds: float) -> bool:
        """Take the offer of this caller for one step that must not meet another: an agent's
        Accept moving their line in, or the offer's end taking it back. False if the other
        holds it. It lapses after `seconds` (a process that died half-way)."""
        return bool(self.redis.set(self.keys.offer_lock(call_sid), holder, nx=True,
                                   px=int(seconds * 1000)))

    def unlock_offer(self, call_sid: str, holder: str) -> None:
        key = self.keys.offer_lock(call_sid)
        if self.redis.get(key) == holder:
            self.redis.delete(key)

    def take_call(self, call_sid: str, from_agent: str, state: str, **fields: Any) -> bool:
        """Move the caller talking to `from_agent` into `state` (setting `fields`)."""
        flat: list[str] = []
        for key, value in fields.items():
            flat += [key, "" if value is None else str(value)]
        return bool(self._run_on("TAKE_CALL", [self.keys.call(call_sid)], from_agent, state,
                                 *flat))

    # -- supervisors -----------------------------------------------------------------------

    def reassign(self, call_sid: str, department: str, department_name: str) -> str:
        """Move a waiting caller to another department's queue: 'ok' or their state."""
        return self._run("REASSIGN", call_sid, department, department_name)

    def offer_to(self, call_sid: str, agent: str, now: float) -> str:
        """Reserve a waiting caller for one available agent: 'ok', 'caller:..' or 'agent:..'."""
        return self._run("OFFER_TO", now, call_sid, agent)

    def take_back(self, call_sid: str, now: float, agent: str = "") -> list[str]:
        """Withdraw a ringing offer: ['ok', old agent, old leg], or ['caller:..'|'agent:..']."""
        return list(self._run("TAKE_BACK", now, call_sid, agent))

    # -- agents ----------------------------------------------------------------------------

    def set_agent_state(self, identity: str, state: str, departments: list[str], now: float,
                        reason: str = "", *, languages: list[str] | None = None) -> str:
        """Returns the state the agent is in afterwards (unchanged if ringing or on a call).
        `languages`: the codes the agent speaks (None keeps the ones Redis has)."""
        extra = () if languages is None else (",".join(languages),)
        return self._run("SET_AGENT_STATE", now, identity, state, reason, ",".join(departments),
                         *extra)

    def set_agent_languages(self, identity: str, languages: list[str]) -> str:
        """The languages an agent speaks, in any state; returns the state ('' for none)."""
        return self._run("SET_AGENT_LANGUAGES", identity, ",".join(languages))

    def finish_call(self, identity: str, state: str, now: float, reason: str = "") -> bool:
        return bool(self._run("FINISH_CALL", now, identity, state, reason))

    def agent(self, identity: str) -> dict[str, str]:
        return self.redis.hgetall(self.keys.agent(identity))

    def available_agents(self, department: str) -> list[str]:
        return self.redis.zrange(self.keys.available(department), 0, -1)

    def agents_for(self, departments: list[str], language: str, any_language: bool) -> set[str]:
        """The available agents who could take a caller of these queues now, as MATCH would
        choose among them: speaking the caller's language (or of unknown languages), or any
        of them for a caller with no language or widened to any language."""
        pipe = self.redis.pipeline(transaction=False)
        for department in departments:
            if any_language or not language:
                pipe.zrange(self.keys.available(department), 0, -1)
            else:
                pipe.zrange(self.keys.speaks(department, language), 0, -1)
                pipe.zrange(self.keys.speaks(department, "*"), 0, -1)
        return {identity for found in pipe.execute() for identity in found}

    def signed_in_agents(self, departments: list[str]) -> list[str]:
        """Agents of any of these departments who are signed in (any state but offline)."""
        identities = sorted(self.agent_identities())
        pipe = self.redis.pipeline(transaction=False)
        for identity in identities:
            pipe.hmget(self.keys.agent(identity), "state", "departments")
        wanted = set(departments)
        return [
            identity
            for identity, (state, deps) in zip(identities, pipe.execute(), strict=True)
            if state and state != "offline" and wanted & set((deps or "").split(","))
        ]

    def agent_identities(self) -> set[str]:
        return self.redis.smembers(self.keys.agents)

    def live_calls(self) -> set[str]:
        return self.redis.smembers(self.keys.calls)

    # -- hold-clock deadlines -------------------------------------------------------------

    def schedule(self, members: dict[str, float]) -> None:
        if members:
            self.redis.zadd(self.keys.deadlines, members)

    def unschedule(self, members: list[str]) -> None:
        if members:
            self.redis.zrem(self.keys.deadlines, *members)

    def claim_due(self, now: float, limit: int, lease: float) -> list[tuple[str, float]]:
        flat = self._run_on("CLAIM_DUE", [self.keys.deadlines, self.keys.leases], now, limit,
                            lease)
        return [(flat[i], float(flat[i + 1])) for i in range(0, len(flat), 2)]

    def acknowledge(self, member: str) -> None:
        self.redis.zrem(self.keys.leases, member)

    def next_deadline(self) -> float | None:
        head = self.redis.zrange(self.keys.deadlines, 0, 0, withscores=True)
        return head[0][1] if head else None
