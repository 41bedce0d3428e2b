"""The account's calls-per-second budget, shared by every process of the app.

Twilio creates calls made over its REST API (`Calls.create`, `Participants.create`) at the
account's CPS limit (1 by default) and queues the rest. Every call the app creates over the
API takes a slot here first (`reserve`): one Redis sorted set of slots, one interval
(1 / `TWILIO_CPS`) apart, handed out by one Lua script (RESERVE_CPS in app/queue/lua.py), so
no two processes ever book the same second. The slot is when the call will actually start;
the create request itself goes out at once and Twilio holds it in its own queue until then
(its `queue_time`), which with the budget matched to the account is the same wait.

A ring for a caller on hold asks for a slot no later than their budget allows (`latest`):
a later one is not booked, and the caller gets the offer instead of a ring that would start
too late (QueueService._ring). docs/queue.md, "Calls per second".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import redis

from app.queue import lua
from app.queue.keys import Keys


@dataclass(frozen=True)
class Slot:
    """A reservation: `at` when the call may start; `granted` False if `at` was past the
    caller's `latest` and nothing was booked."""

    at: float
    granted: bool

    def wait(self, now: float) -> float:
        return max(0.0, self.at - now)


@dataclass(frozen=True)
class HeldBack:
    """Calls the budget holds back now: how many, and how long the last of them waits."""

    waiting: int
    longest_wait: float


class CpsGovernor:
    def __init__(self, client: redis.Redis, keys: Keys, cps: float) -> None:
        self.redis = client
        self.key = f"{keys.prefix}:cps"
        self.interval = 1.0 / max(float(cps), 0.001)
        self._script = client.register_script(lua.RESERVE_CPS.source)

    def reserve(self, now: float, *, latest: float | None = None, purpose: str = "") -> Slot:
        """Book the next free slot (now, or a later one); not past `latest` if given."""
        member = f"{purpose}:{uuid.uuid4().hex}"
        granted, at = self._script(keys=[self.key], args=[
            f"{now:.6f}", repr(self.interval), "" if latest is None else f"{latest:.6f}", member,
        ])
        return Slot(at=float(at), granted=bool(int(granted)))

    def held_back(self, now: float) -> HeldBack:
        """Slots still to come: calls created and waiting in Twilio's queue for their turn."""
        later = self.redis.zrangebyscore(self.key, f"({now:.6f}", "+inf", withscores=True)
        if not later:
            return HeldBack(0, 0.0)
        return HeldBack(len(later), round(max(score for _, score in later) - now, 1))
