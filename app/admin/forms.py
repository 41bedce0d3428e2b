"""Turning the administration pages' form fields into what the domain services take.

Pure functions over a mapping of form fields (werkzeug's MultiDict in the routes): each
returns clean values or raises the domain's own validation error, whose message the page
shows as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from app.errors import InvalidInput
from app.floor import ladder_actions
from app.floor.hours import DAYS, Schedule, parse_ranges, validate_schedule
from app.queue.ladder import InvalidLadder, Step, parse_ladder

MAX_LADDER_ROWS = 12


class Form(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


def hours(form: Form) -> Schedule:
    """`hours-mon` = "09:00-17:00, 18:00-20:00" (blank: closed); `always_open` = no hours."""
    if form.get("always_open"):
        return {}
    raw = {day: parse_ranges(form.get(f"hours-{day}", "") or "") for day in DAYS}
    return validate_schedule(raw)


def hours_text(schedule: Mapping[str, list[list[str]]]) -> dict[str, str]:
    """The schedule as the form shows it, one text per day."""
    return {day: ", ".join(f"{s}-{e}" for s, e in schedule.get(day, [])) for day in DAYS}


def _number(value: str, row: int, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidLadder(f"Step {row + 1}: '{field}' must be a number of seconds.",
                            step=row) from None
    return int(number) if number.is_integer() else number


def ladder_rows(form: Form) -> list[dict[str, Any]]:
    """The steps as typed: rows `step-<i>-at`, `-action` and one input per field of the
    action (`-by`, `-departments`, see app.floor.ladder_actions; a blank action drops the
    row), in the ladder's own JSON shape."""
    rows = []
    for index in range(MAX_LADDER_ROWS):
        action = (form.get(f"step-{index}-action") or "").strip()
        if not action:
            continue
        if action not in ladder_actions.ACTIONS:
            raise InvalidLadder(f"Step {index + 1}: unknown action {action!r}.", step=index)
        step: dict[str, Any] = {"at": _number(form.get(f"step-{index}-at", ""), index, "at"),
                                "action": action}
        for field in ladder_actions.ACTIONS[action].fields:
            name = f"step-{index}-{field.name}"
            if field.kind == "whole":
                step[field.name] = int(_number(form.get(name) or field.placeholder or "1",
                                               index, field.name))
            elif field.kind == "departments":
                chosen = [d for d in form.getlist(name) if d]
                if chosen:  # none ticked: the department's overflow
                    step[field.name] = chosen
        rows.append(step)
    return rows


def ladder(form: Form, overflow: list[str]) -> tuple[list[dict[str, Any]], list[Step]]:
    """(the ladder to store, its parsed steps): validated by the queue's own rules, so a
    ladder that would let a caller wait 60 s with no offer is refused with its reason."""
    rows = ladder_rows(form)
    if not rows:
        raise InvalidLadder("The ladder needs at least one step, and an offer before 60 s.")
    steps = parse_ladder(rows, overflow_default=overflow)
    return sorted(rows, key=lambda r: r["at"]), steps


def positive_int(form: Form, name: str, low: int, high: int) -> int:
    value = (form.get(name) or "").strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise InvalidInput(f"'{name.replace('_', ' ')}' is a whole number from {low} to {high}.",
                           field=name)
    return int(value)
