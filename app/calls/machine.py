"""The transfer state machine: its states, the moves allowed between them, and its record.

    initiated -> target_ringing -> consulting -> (three_way) -> completed
        any state before completed -> cancelled (the agent) | failed (with a reason)

A cold transfer goes initiated -> completed once the caller is on their way to the target.
Every move is a compare-and-set in Redis (scripts.TRANSITION): of two racing moves, exactly
one happens, and the loser sees the state the winner left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MODES = ("warm", "cold")
TARGET_KINDS = ("agent", "department", "supervisor")
FINAL = frozenset({"completed", "cancelled", "failed"})
LIVE = frozenset({"initiated", "target_ringing", "consulting", "three_way"})
JOINED = frozenset({"consulting", "three_way"})

# new state -> the states it may be entered from
MOVES: dict[str, frozenset[str]] = {
    "target_ringing": frozenset({"initiated"}),
    "consulting": frozenset({"initiated", "target_ringing"}),
    "three_way": frozenset({"consulting"}),
    "completed": frozenset({"initiated", "consulting", "three_way"}),
    "cancelled": LIVE,
    "failed": LIVE,
}


def _iso(value: str) -> str | None:
    return datetime.fromtimestamp(float(value), UTC).isoformat() if value else None


@dataclass(frozen=True)
class Transfer:
    """A transfer as kept in its Redis hash."""

    fields: dict[str, str]

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def id(self) -> str:
        return self.get("id")

    @property
    def state(self) -> str:
        return self.get("state")

    @property
    def mode(self) -> str:
        return self.get("mode")

    @property
    def from_agent(self) -> str:
        return self.get("from_agent")

    @property
    def to_agent(self) -> str:
        return self.get("to_agent")

    @property
    def live(self) -> bool:
        return self.state in LIVE

    @property
    def joined(self) -> bool:
        return self.state in JOINED

    def to_dict(self) -> dict[str, Any]:
        f = self.fields
        return {
            "id": f.get("id"),
            "call_sid": f.get("call_sid"),
            "mode": f.get("mode"),
            "state": f.get("state"),
            "target": {"kind": f.get("target_kind"), "id": f.get("target_id") or None},
            "from_agent": f.get("from_agent") or None,
            "to_agent": f.get("to_agent") or None,
            "reason": f.get("reason") or None,
            "created_at": _iso(f.get("created_at", "")),
            "updated_at": _iso(f.get("updated_at", "")),
        }
