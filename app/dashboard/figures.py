"""Today's figures per department, from the interaction and callback rows.

"Today" is the department's own calendar day (its time zone), up to now. Definitions:

- handled: callers who queued today and whose wait ended: answered, or hung up waiting.
  Callers who left a message or asked for a callback from the offer menu are counted apart
  (`to_callback`), since they were served another way (R4, R10), not abandoned.
- service level: the share of handled callers answered within 60 s of queueing.
- abandon rate: the share of handled callers who hung up while waiting.
- average and longest wait: over the handled callers' waits.
- callbacks returned on time: callbacks opened today in the department's box whose first
  return call (or clearing) came by the due time they were given when opened; one still
  unreturned after that time counts as late; one not yet due counts as neither.
- waits over the day: per local hour, the average and longest wait of handled callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.floor.models import Department
from app.interactions.models import Interaction
from app.queue.ladder import HOLD_LIMIT_SECONDS
from app.voicemail.models import Callback, VoicemailBox
from app.voicemail.services import aware

RETURN_ACTIONS = ("call_started", "attempt", "cleared")


@dataclass
class HourBucket:
    hour: int
    waits: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"hour": self.hour, "calls": len(self.waits),
                "average": round(sum(self.waits) / len(self.waits), 1) if self.waits else None,
                "longest": round(max(self.waits), 1) if self.waits else None}


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_bounds(now: datetime, timezone: str | None) -> tuple[datetime, datetime]:
    """Midnight of the department's local today, and now, both in UTC."""
    zone = _zone(timezone)
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(0), tzinfo=zone)
    return start.astimezone(UTC), now


def _wait(row: Interaction) -> float | None:
    if row.wait_seconds is not None:
        return float(row.wait_seconds)
    if row.queued_at is not None and row.answered_at is not None:
        return (aware(row.answered_at) - aware(row.queued_at)).total_seconds()
    return None


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _naive_utc(moment: datetime) -> datetime:
    # SQLite stores these columns as naive UTC text; comparing with naive values keeps the
    # query index-friendly on SQLite and is equally right on PostgreSQL (UTC sessions).
    return moment.astimezone(UTC).replace(tzinfo=None)


def _bounds_clause(column, start: datetime, end: datetime):
    if db.engine.dialect.name == "sqlite":
        return column.between(_naive_utc(start), _naive_utc(end))
    return column.between(start, end)


def call_figures(department: Department, now: datetime) -> dict[str, Any]:
    start, end = day_bounds(now, department.timezone)
    zone = _zone(department.timezone)
    rows = db.session.scalars(
        select(Interaction).where(Interaction.department_id == department.id,
                                  Interaction.queued_at.is_not(None),
                                  _bounds_clause(Interaction.queued_at, start, end))
    ).all()
    with_callback = set(db.session.scalars(
        select(Callback.interaction_id).where(
            Callback.interaction_id.in_([r.id for r in rows] or [-1]))
    ))
    answered = abandoned = within = to_callback = 0
    waits: list[float] = []
    buckets = {h: HourBucket(h) for h in range(24)}
    for row in rows:
        wait = _wait(row)
        if row.answered_at is not None:
            answered += 1
            if wait is not None and wait <= HOLD_LIMIT_SECONDS:
                within += 1
        elif row.id in with_callback:
            to_callback += 1
            continue
        elif row.abandoned:
            abandoned += 1
        else:
            continue  # still waiting, or talking to the IVR: no outcome yet
        if wait is not None:
            waits.append(wait)
            buckets[aware(row.queued_at).astimezone(zone).hour].waits.append(wait)
    handled = answered + abandoned
    current_hour = now.astimezone(zone).hour
    return {
        "queued": len(rows),
        "answered": answered,
        "abandoned": abandoned,
        "to_callback": to_callback,
        "service_level": _percent(within, handled),
        "abandon_rate": _percent(abandoned, handled),
        "average_wait": round(sum(waits) / len(waits), 1) if waits else None,
        "longest_wait": round(max(waits), 1) if waits else None,
        "hours": [buckets[h].as_dict() for h in range(current_hour + 1)],
    }


def _promised_due(callback: Callback) -> datetime:
    """The due time the callback was given when opened (a retry moves `due_at` later)."""
    for event in callback.events:
        if event.action == "created" and (event.detail or {}).get("due_at"):
            try:
                return aware(datetime.fromisoformat(event.detail["due_at"]))
            except ValueError:
                break
    return aware(callback.due_at)


def _first_return(callback: Callback) -> datetime | None:
    moments = [aware(e.at) for e in callback.events if e.action in RETURN_ACTIONS]
    return min(moments) if moments else None


def callback_figures(department: Department, now: datetime) -> dict[str, Any]:
    start, end = day_bounds(now, department.timezone)
    rows = db.session.scalars(
        select(Callback).join(VoicemailBox, Callback.box_id == VoicemailBox.id)
        .where(VoicemailBox.department_id == department.id,
               _bounds_clause(Callback.created_at, start, end))
        .options(selectinload(Callback.events))
    ).all()
    on_time = late = pending = 0
    for row in rows:
        due = _promised_due(row)
        returned = _first_return(row)
        if returned is not None:
            if returned <= due:
                on_time += 1
            else:
                late += 1
        elif due < now:
            late += 1
        else:
            pending += 1
    return {"opened": len(rows), "on_time": on_time, "late": late, "pending": pending,
            "on_time_rate": _percent(on_time, on_time + late)}


def today(now: datetime) -> list[dict[str, Any]]:
    """Every department's figures for its today."""
    departments = db.session.scalars(
        select(Department).order_by(Department.position, Department.menu_key)
    ).all()
    return [{"slug": d.slug, "name": d.name, "timezone": d.timezone,
             "calls": call_figures(d, now), "callbacks": callback_figures(d, now)}
            for d in departments]
