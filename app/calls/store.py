"""Live state of call controls in Redis: holds, transfers, and the agents they take.

`{cc}:ctl:<sid>` (hash) holds what the call controls know of a live call: held, held_since,
held_by, hold_gen (bumped by every hold and resume, so old deadlines fire as no-ops),
hold_warn_at, hold_limit, conference_sid, pending (what to do when the caller is back in
their room after a cold transfer). `{cc}:transfer:<sid>` is the call's transfer.
"""

from __future__ import annotations

from typing import Any

from app.queue import lua
from app.queue.store import QueueStore

KEEP_SECONDS = 24 * 3600


class ControlStore:
    def __init__(self, queue_store: QueueStore) -> None:
        self.queue = queue_store
        self.redis = queue_store.redis
        self.prefix = queue_store.keys.prefix
        self._scripts = {
            name: self.redis.register_script(getattr(lua, name).source)
            for name in ("CREATE_TRANSFER", "TRANSITION", "RESERVE_AGENT", "TARGET_ANSWERED",
                         "RELEASE_AGENT", "REQUEUE")
        }

    def _run(self, name: str, *args: Any) -> Any:
        """A script that builds its keys from the floor's prefix (app/queue/lua.py)."""
        return self._scripts[name](keys=[self.prefix], args=list(args))

    @staticmethod
    def _flat(fields: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for key, value in fields.items():
            out += [key, "" if value is None else str(value)]
        return out

    # -- the call's control hash ------------------------------------------------------------

    def ctl_key(self, call_sid: str) -> str:
        return f"{self.prefix}:ctl:{call_sid}"

    def ctl(self, call_sid: str) -> dict[str, str]:
        return self.redis.hgetall(self.ctl_key(call_sid))

    def set_ctl(self, call_sid: str, **fields: Any) -> None:
        self.redis.hset(self.ctl_key(call_sid),
                        mapping={k: "" if v is None else str(v) for k, v in fields.items()})

    def forget_later(self, call_sid: str, seconds: int = KEEP_SECONDS) -> None:
        """The call is over: its control and transfer hashes go after a while (kept a day for
        the console and the dashboard; no deadline depends on this expiry)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.expire(self.ctl_key(call_sid), seconds)
        pipe.expire(self.transfer_key(call_sid), seconds)
        pipe.execute()

    def bump_hold(self, call_sid: str) -> int:
        return int(self.redis.hincrby(self.ctl_key(call_sid), "hold_gen", 1))

    def take_pending(self, call_sid: str) -> str:
        """What was left to do when the caller rejoins; taken once (duplicate events)."""
        key = self.ctl_key(call_sid)
        pending = self.redis.hget(key, "pending") or ""
        if pending and self.redis.hdel(key, "pending") == 1:
            return pending
        return ""

    # -- transfers --------------------------------------------------------------------------

    def transfer_key(self, call_sid: str) -> str:
        return f"{self.prefix}:transfer:{call_sid}"

    def transfer(self, call_sid: str) -> dict[str, str]:
        return self.redis.hgetall(self.transfer_key(call_sid))

    def create_transfer(self, call_sid: str, fields: dict[str, Any]) -> str:
        """'ok', or the state of the transfer already in progress."""
        return self._scripts["CREATE_TRANSFER"](keys=[self.transfer_key(call_sid)],
                                                args=self._flat(fields))

    def transition(self, call_sid: str, transfer_id: str, allowed: set[str] | tuple[str, ...],
                   state: str, **fields: Any) -> bool:
        return self._scripts["TRANSITION"](
            keys=[self.transfer_key(call_sid)],
            args=[transfer_id, ",".join(sorted(allowed)), state, *self._flat(fields)]) == "ok"

    # -- agents and the caller --------------------------------------------------------------

    def reserve_agent(self, call_sid: str, now: float, *, candidates: list[str] | None = None,
                      department: str = "") -> str | None:
        return self._run("RESERVE_AGENT", now, call_sid, ",".join(candidates or []), department)

    def target_answered(self, call_sid: str, identity: str, now: float) -> bool:
        return bool(self._run("TARGET_ANSWERED", now, call_sid, identity))

    def release_agent(self, call_sid: str, identity: str, now: float, *, state: str = "available",
                      reason: str = "") -> bool:
        return bool(self._run("RELEASE_AGENT", now, call_sid, identity, state, reason))

    def take_call(self, call_sid: str, from_agent: str, state: str, **fields: Any) -> bool:
        """Move the caller talking to `from_agent` into `state` (setting `fields`)."""
        return self.queue.take_call(call_sid, from_agent, state, **fields)

    def requeue(self, call_sid: str, department: str, *, score: float, priority: int,
                since: float, **fields: Any) -> bool:
        return bool(self._run("REQUEUE", call_sid, department, score, priority, since,
                              *self._flat(fields)))
