"""Where live call-centre state sits in Redis.

Every key carries the same hash tag (`{cc}` by default), so every key lands in one slot: the
Lua scripts that move a caller between queues and an agent between states touch several keys
at once, which a Redis Cluster allows only within one slot. Scaling past one Redis primary
therefore means sharding by tenant (a hash tag each), not by key.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import declared_default


@dataclass(frozen=True)
class Keys:
    tag: str = declared_default("REDIS_KEY_TAG")

    @property
    def prefix(self) -> str:
        return "{" + self.tag + "}"

    def queue(self, department: str) -> str:
        """Sorted set of waiting call SIDs, best first (score: priority band, then time)."""
        return f"{self.prefix}:q:{department}"

    def call(self, call_sid: str) -> str:
        """Hash describing one caller in the queue system."""
        return f"{self.prefix}:call:{call_sid}"

    def available(self, department: str) -> str:
        """Sorted set of available agents of a department, longest idle first."""
        return f"{self.prefix}:avail:{department}"

    def speaks(self, department: str, language: str) -> str:
        """Sorted set of available agents of a department who speak `language`, longest idle
        first; language "*" holds those whose languages are not known (they take anyone)."""
        return f"{self.prefix}:speaks:{department}:{language}"

    def agent(self, identity: str) -> str:
        """Hash with an agent's presence: state, since, reason, call."""
        return f"{self.prefix}:agent:{identity}"

    def offer_lock(self, call_sid: str) -> str:
        """String held while an Accept or the offer's end is under way (never both)."""
        return f"{self.prefix}:offer-lock:{call_sid}"

    def line(self, identity: str) -> str:
        """Hash with an agent's persistent line: its call SID, state, where it is."""
        return f"{self.prefix}:line:{identity}"

    def room_lines(self, call_sid: str) -> str:
        """Set of agents whose line has been moved into a caller's room (kept a day at most):
        the caller's hang-up finds them there."""
        return f"{self.prefix}:room-lines:{call_sid}"

    @property
    def agents(self) -> str:
        """Set of identities with a presence hash (for the dashboard and the sweeps)."""
        return f"{self.prefix}:agents"

    @property
    def calls(self) -> str:
        """Set of call SIDs that have a call hash (the live calls)."""
        return f"{self.prefix}:calls"

    @property
    def deadlines(self) -> str:
        """Hold-clock steps due, as `sid|generation|step` scored by due time."""
        return f"{self.prefix}:deadlines"

    @property
    def leases(self) -> str:
        """Steps a clock process has claimed, scored by when its lease expires."""
        return f"{self.prefix}:deadlines:leases"

    def wait_stats(self, department: str) -> str:
        """Hash with a moving average of answered waits, for estimated wait."""
        return f"{self.prefix}:waitstats:{department}"

    @property
    def events(self) -> str:
        """Stream of floor events (escalations, alerts) for supervisors."""
        return f"{self.prefix}:events"
