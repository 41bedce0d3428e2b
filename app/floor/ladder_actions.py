"""The escalation ladder's actions: the one list every reader of a ladder takes them from.

Each action says, in one place, its name (the `action` of a step in
`Department.settings["ladder"]`), its words for each audience (the admin form's option,
the dashboard's chip, the live feed's line), the form fields its step carries beside `at`,
and what the hold clock does when it fires. The queue validates ladders with it
(`app/queue/ladder.py`), the admin pages build their form from it, and the dashboard words
its chips and feed with it. The hold clock's behaviour itself is Lua (`FIRE_STEPS` in
`app/queue/lua.py`, one branch per action named here); `tests/floor/test_ladder_actions.py`
fails if an action has no branch there.

Adding an action: add a `LadderAction` to `ACTIONS` below (reusing a field kind, or adding
one), and its branch to `FIRE_STEPS` if it does something. See docs/architecture.md,
"Adding a ladder action".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MISSING: Any = object()  # the step does not set the field (distinct from an explicit null)


def _whole_at_least_one(value: Any, overflow: Sequence[str]) -> int:
    by = 1 if value is MISSING else value
    if isinstance(by, bool) or not isinstance(by, int) or by < 1:
        raise ValueError("'by' must be a whole number of at least 1.")
    return by


def _departments(value: Any, overflow: Sequence[str]) -> list[str]:
    departments = list(overflow or []) if value is MISSING else value
    if not isinstance(departments, list) or not all(isinstance(d, str) for d in departments):
        raise ValueError("'departments' must be a list of department ids.")
    return departments


@dataclass(frozen=True)
class StepField:
    """A value a step carries besides `at` and `action`: a key of the step's JSON and a
    column of the admin form (inputs named `step-<row>-<name>`)."""

    name: str
    label: str  # the form's column heading
    kind: str  # "whole" (a number typed in a box) or "departments" (ticked from a list)
    # Validates and normalises a configured value (MISSING when the step leaves it out;
    # the department's overflow list is the default of a department list). Raises ValueError
    # with the message an operator reads.
    parse: Callable[[Any, Sequence[str]], Any]
    placeholder: str = ""
    noun: str = ""  # names the input for screen readers: "Step 3 priority"


PRIORITY_BY = StepField("by", "Priority +", "whole", _whole_at_least_one, placeholder="1",
                        noun="priority")
WIDEN_TO = StepField("departments", "Widen to", "departments", _departments)


@dataclass(frozen=True)
class LadderAction:
    name: str
    label: str  # the admin form's option; its first word marks the step on the form's timeline
    chip: str  # the dashboard's chip on a waiting caller
    feed: str  # the live feed: "<caller>: <feed> at <n> s"
    behaviour: str  # what the hold clock does (its Lua branch in FIRE_STEPS)
    fields: tuple[StepField, ...] = ()
    required: bool = False  # every ladder must have one (before the hold limit)


ACTIONS: dict[str, LadderAction] = {a.name: a for a in (
    LadderAction(
        "announce", "Apologise and tell the position", "Apology",
        "apology and position announced",
        "marks the call so the caller hears the apology and their place in line"),
    LadderAction(
        "raise_priority", "Raise priority", "Priority", "priority raised",
        "raises the caller's priority by `by` (capped), re-scoring them in every queue",
        fields=(PRIORITY_BY,)),
    LadderAction(
        "widen", "Widen to overflow departments", "Widen", "more agents may take the call",
        "adds `departments` (default: the department's overflow) to the caller's queues, "
        "then agents of those are rung", fields=(WIDEN_TO,)),
    LadderAction(
        "any_language", "Widen to any language", "Any language",
        "any agent of the department may take the call",
        "lets any available agent of the caller's queues take them, whatever languages the "
        "agent speaks (until then only agents who speak the caller's language), then agents "
        "are rung"),
    LadderAction(
        "alert", "Alert supervisors", "Alert", "supervisors alerted",
        "publishes alert.long_wait to the floor and logs a warning"),
    LadderAction(
        "offer", "Offer message / callback", "Offer", "offered a message or a callback",
        "takes the caller out of line to the offer menu (keep waiting, a message, a callback)",
        required=True),
)}

def fields() -> list[StepField]:
    """Every field any action uses, once each, in the order the actions list them: the
    admin form's columns."""
    seen: dict[str, StepField] = {}
    for action in ACTIONS.values():
        for field in action.fields:
            seen.setdefault(field.name, field)
    return list(seen.values())


def chip(name: str) -> str:
    """The dashboard's word for an action; an unknown one (an old ladder) shows its name."""
    action = ACTIONS.get(name) if isinstance(name, str) else None
    return action.chip if action else name


def feed(name: str) -> str:
    action = ACTIONS.get(name) if isinstance(name, str) else None
    return action.feed if action else name


def labels() -> dict[str, str]:
    return {a.name: a.label for a in ACTIONS.values()}
