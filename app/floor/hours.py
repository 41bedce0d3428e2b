"""Business hours: a weekly schedule in the department's own time zone, plus holidays.

A schedule is `{"mon": [["09:00", "17:00"]], "sat": [["10:00", "14:00"]]}`: ranges of local
"HH:MM" times, end exclusive, "24:00" allowed as an end. A day that is missing or empty is
closed. An empty schedule (`{}`) means no hours were set and the department never closes,
so a department added without hours still answers its callers.

These functions are pure: they take the moment to judge, they never read the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.floor.errors import InvalidHours

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

Schedule = dict[str, list[list[str]]]


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def valid_timezone(name: Any) -> bool:
    if not isinstance(name, str) or not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_ranges(text: str) -> list[list[str]]:
    """ "09:00-12:30,13:30-17:00" -> [["09:00","12:30"], ["13:30","17:00"]]; "closed" -> []."""
    text = text.strip().lower()
    if text in ("", "closed", "-"):
        return []
    ranges = []
    for part in text.split(","):
        start, sep, end = part.strip().partition("-")
        if not sep:
            raise InvalidHours(f"{part.strip()!r} is not a range like 09:00-17:00.",
                               value=part.strip())
        ranges.append([start.strip(), end.strip()])
    return ranges


def validate_schedule(raw: Any) -> Schedule:
    """A clean schedule, or InvalidHours saying exactly which day and range is wrong.

    Each day takes a list of [start, end] pairs or "HH:MM-HH:MM" strings.
    """
    if not isinstance(raw, Mapping):
        raise InvalidHours('Hours must be an object like {"mon": [["09:00", "17:00"]]}.')
    schedule: Schedule = {}
    for day, ranges in raw.items():
        if day not in DAYS:
            raise InvalidHours(f"{day!r} is not a day; use {', '.join(DAYS)}.", day=day)
        if isinstance(ranges, str):
            ranges = parse_ranges(ranges)
        if not isinstance(ranges, list):
            raise InvalidHours(f"{day}: expected a list of [start, end] ranges.", day=day)
        clean = []
        for item in ranges:
            pair = parse_ranges(item)[0] if isinstance(item, str) and "-" in item else item
            if (not isinstance(pair, list | tuple) or len(pair) != 2
                    or not all(isinstance(t, str) and _TIME.match(t) for t in pair)):
                raise InvalidHours(f'{day}: {item!r} is not a range of two "HH:MM" times.',
                                   day=day, value=item)
            start, end = pair
            if start == "24:00" or minutes(start) >= minutes(end):
                raise InvalidHours(f"{day}: {start}-{end} must start before it ends "
                                   "(split a range that passes midnight over two days).",
                                   day=day, value=[start, end])
            clean.append([start, end])
        clean.sort(key=lambda r: minutes(r[0]))
        for before, after in zip(clean, clean[1:], strict=False):
            if minutes(after[0]) < minutes(before[1]):
                raise InvalidHours(
                    f"{day}: {before[0]}-{before[1]} overlaps {after[0]}-{after[1]}.", day=day)
        schedule[day] = clean
    return schedule


def local_time(at: datetime, timezone: str) -> datetime:
    return at.astimezone(ZoneInfo(timezone))


def is_open(schedule: Schedule, timezone: str, holidays: Mapping[date, str],
            at: datetime) -> bool:
    if not schedule:
        return True
    local = local_time(at, timezone)
    if local.date() in holidays:
        return False
    now_minutes = local.hour * 60 + local.minute
    ranges = schedule.get(DAYS[local.weekday()], [])
    return any(minutes(start) <= now_minutes < minutes(end) for start, end in ranges)


def holiday_today(timezone: str, holidays: Mapping[date, str], at: datetime) -> str | None:
    """The holiday's name if `at` falls on one in the department's zone ("" if unnamed)."""
    return holidays.get(local_time(at, timezone).date())


def describe(schedule: Schedule, phrase: Callable[..., str]) -> str:
    """The schedule in words: "Monday to Friday, 09:00 to 17:00 and Saturday, 10:00 to 14:00".

    `phrase(key, **values)` gives the caller's language for the `hours.*` and `day.*` keys.
    Consecutive days with the same ranges are spoken as one span.
    """
    if not schedule:
        return phrase("hours.always_open")
    groups: list[tuple[list[str], list[list[str]]]] = []
    for day in DAYS:
        ranges = schedule.get(day) or []
        if not ranges:
            continue
        if groups and groups[-1][1] == ranges and _next_day(groups[-1][0][-1]) == day:
            groups[-1][0].append(day)
        else:
            groups.append(([day], ranges))
    if not groups:
        return phrase("hours.none")
    and_ = f" {phrase('hours.and')} "
    parts = []
    for days, ranges in groups:
        first, last = phrase(f"day.{days[0]}"), phrase(f"day.{days[-1]}")
        when = first if len(days) == 1 else phrase("hours.day_span", first=first, last=last)
        spans = and_.join(phrase("hours.range", start=s, end=e) for s, e in ranges)
        parts.append(f"{when}, {spans}")
    return ("; ".join(parts[:-1]) + and_ + parts[-1]) if len(parts) > 1 else parts[0]


def zone_label(timezone: str) -> str:
    """How a zone is spoken: "Asia/Kuala_Lumpur" -> "Kuala Lumpur"."""
    return timezone.rsplit("/", 1)[-1].replace("_", " ")


def _next_day(day: str) -> str | None:
    index = DAYS.index(day)
    return DAYS[index + 1] if index + 1 < len(DAYS) else None


def parse_cli_schedule(items: list[str] | tuple[str, ...]) -> Schedule:
    """ ["mon-fri=09:00-17:00", "sat=10:00-14:00", "sun=closed"] -> a raw schedule.

    Days may be a span ("mon-fri") or a list ("sat,sun"); ranges are comma-separated.
    """
    schedule: Schedule = {}
    for item in items:
        days_part, sep, ranges = item.partition("=")
        if not sep:
            raise InvalidHours(f"{item!r}: write DAYS=RANGES, like mon-fri=09:00-17:00.",
                               value=item)
        for days in days_part.lower().split(","):
            first, dash, last = days.strip().partition("-")
            if first not in DAYS or (dash and last not in DAYS):
                raise InvalidHours(f"{days!r} is not a day or span of days like mon-fri.",
                                   value=days)
            span = DAYS[DAYS.index(first):DAYS.index(last) + 1] if dash else (first,)
            if not span:
                raise InvalidHours(f"{days!r}: a span runs forwards, like mon-fri.", value=days)
            for day in span:
                schedule[day] = parse_ranges(ranges)
    return schedule
