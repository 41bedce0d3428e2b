"""The escalation ladder: what the hold clock does, and when, for a waiting caller (R4).

A department configures its ladder in `Department.settings["ladder"]`, a list of steps:

    [{"at": 0,  "action": "announce"},
     {"at": 20, "action": "raise_priority", "by": 2},
     {"at": 20, "action": "any_language"},
     {"at": 30, "action": "widen", "departments": ["support"]},
     {"at": 40, "action": "alert"},
     {"at": 45, "action": "offer"}]

Every step falls before the 60-second limit, and a ladder without an offer before it is
refused: it would let a caller wait a minute with nothing but music. The actions, their
fields and their words are registered in `app.floor.ladder_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import InvalidInput
from app.floor import ladder_actions

HOLD_LIMIT_SECONDS = 60

DEFAULT_LADDER: list[dict[str, Any]] = [
    {"at": 0, "action": "announce"},
    {"at": 20, "action": "raise_priority", "by": 2},
    {"at": 20, "action": "any_language"},
    {"at": 30, "action": "widen"},
    {"at": 40, "action": "alert"},
    {"at": 45, "action": "offer"},
]


class InvalidLadder(InvalidInput):
    error_id = "invalid_ladder"


@dataclass(frozen=True)
class Step:
    at: float
    action: str
    params: dict[str, Any] = field(default_factory=dict)


def parse_ladder(raw: Any, overflow_default: list[str] | None = None) -> list[Step]:
    """Validate a ladder as configured; raise InvalidLadder saying what is wrong."""
    if not isinstance(raw, list) or not raw:
        raise InvalidLadder("The ladder must be a non-empty list of steps.")
    steps: list[Step] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidLadder("Each step must be an object.", step=index)
        action = item.get("action")
        if not isinstance(action, str) or action not in ladder_actions.ACTIONS:
            raise InvalidLadder(f"Unknown action {action!r}.", step=index,
                                allowed=list(ladder_actions.ACTIONS))
        at = item.get("at")
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise InvalidLadder("'at' must be a number of seconds.", step=index)
        if not 0 <= at < HOLD_LIMIT_SECONDS:
            raise InvalidLadder(
                f"Every step must fall before {HOLD_LIMIT_SECONDS} s of waiting.",
                step=index, at=at,
            )
        params = {k: v for k, v in item.items() if k not in ("at", "action")}
        for step_field in ladder_actions.ACTIONS[action].fields:
            try:
                params[step_field.name] = step_field.parse(
                    params.get(step_field.name, ladder_actions.MISSING), overflow_default or [])
            except ValueError as err:
                raise InvalidLadder(str(err), step=index) from None
        steps.append(Step(at=float(at), action=action, params=params))
    steps.sort(key=lambda s: s.at)
    for required in (a.name for a in ladder_actions.ACTIONS.values() if a.required):
        if not any(s.action == required for s in steps):
            raise InvalidLadder(
                f"The ladder needs an {required!r} step before {HOLD_LIMIT_SECONDS} s: without "
                "it a caller could wait a whole minute with no way out."
            )
    return steps


def ladder_for(settings: dict[str, Any] | None) -> list[Step]:
    """The department's ladder, or the default one."""
    settings = settings or {}
    overflow = settings.get("overflow") or []
    return parse_ladder(settings.get("ladder") or DEFAULT_LADDER, overflow_default=overflow)
