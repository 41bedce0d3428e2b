"""Business time: a callback target of 15 minutes counts only minutes the box is open."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HORIZON_DAYS = 400


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock(text: str) -> time | None:
    """"09:00" -> 09:00; "24:00" -> None (end of day)."""
    hours, _, minutes = text.partition(":")
    if int(hours) >= 24:
        return None
    return time(int(hours), int(minutes or 0))


def _intervals(day: date, hours: dict[str, list[list[str]]],
               zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    spans = []
    for opening, closing in sorted(hours.get(DAYS[day.weekday()]) or []):
        start = datetime.combine(day, _clock(opening) or time(0), zone)
        end_clock = _clock(closing)
        end = (datetime.combine(day + timedelta(days=1), time(0), zone) if end_clock is None
               else datetime.combine(day, end_clock, zone))
        if end > start:
            spans.append((start, end))
    return spans


def add_business_minutes(start: datetime, minutes: float, *,
                         hours: dict[str, list[list[str]]] | None, timezone: str = "UTC",
                         holidays: Collection[date] = ()) -> datetime:
    """`start` plus `minutes` of open time. No hours configured at all means always open.

    A box that never opens within a year (misconfigured) falls back to plain minutes rather
    than a due time nobody will ever reach.
    """
    plain = start + timedelta(minutes=minutes)
    if not hours or not any(hours.get(d) for d in DAYS):
        return plain
    zone = _zone(timezone)
    local = start.astimezone(zone)
    remaining = timedelta(minutes=minutes)
    day = local.date()
    for _ in range(_HORIZON_DAYS):
        if day not in holidays:
            for opening, closing in _intervals(day, hours, zone):
                begin = max(opening, local)
                if begin >= closing:
                    continue
                if remaining <= closing - begin:
                    return (begin + remaining).astimezone(UTC)
                remaining -= closing - begin
        day += timedelta(days=1)
    return plain
