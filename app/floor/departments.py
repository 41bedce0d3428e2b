"""Departments as data: the menu, speech keywords, hours, holidays (R9).

Editing functions stage changes (callers commit, then call `cache.changed()`); the call flow
reads immutable `DepartmentView` snapshots from the shared IVR cache, so answering a call costs
no department query at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.floor import cache, hours
from app.floor.errors import (
    DepartmentConflict,
    DepartmentNotFound,
    InvalidDepartment,
    InvalidHours,
)
from app.floor.languages import LANGUAGES
from app.floor.models import MISSED_CALL_AFTER_SECONDS, Department, Holiday

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_KEYWORDS = 30
EDITABLE = ("name", "names", "menu_key", "speech_keywords", "timezone", "hours", "is_default",
            "position", "active", "missed_call_callbacks", "missed_call_after_seconds")
# A missed-call callback's wait threshold, in seconds: any wait (0) up to ten minutes.
MISSED_CALL_AFTER_RANGE = (0, 600)


@dataclass(frozen=True)
class DepartmentView:
    """What the call flow needs of a department, detached from any database session."""

    id: int
    slug: str
    name: str
    menu_key: str
    timezone: str
    is_default: bool
    position: int
    names: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)
    hours: dict[str, list[list[str]]] = field(default_factory=dict)
    holidays: dict[date, str] = field(default_factory=dict)
    # Other packages' per-department settings (the queue's "ladder", "overflow", ...).
    settings: dict[str, Any] = field(default_factory=dict)
    # A caller who hangs up unserved after this wait gets a missed-call callback (R14).
    missed_call_callbacks: bool = True
    missed_call_after_seconds: int = MISSED_CALL_AFTER_SECONDS

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.name


# -- reading (the call flow) -------------------------------------------------------------------

def active_departments() -> list[DepartmentView]:
    """The menu: active departments in order (cached; see `app.floor.cache`)."""
    return cache.cache().get("departments", _load_active)


def _load_active() -> list[DepartmentView]:
    rows = db.session.scalars(
        select(Department).where(Department.active.is_(True))
        .options(selectinload(Department.holidays))
        .order_by(Department.position, Department.menu_key)
    )
    return [view(d) for d in rows]


def view(department: Department) -> DepartmentView:
    settings = department.settings or {}
    return DepartmentView(
        id=department.id, slug=department.slug, name=department.name,
        menu_key=department.menu_key, timezone=department.timezone or "UTC",
        is_default=bool(department.is_default), position=department.position or 0,
        names=dict(settings.get("names") or {}),
        keywords={k: list(v) for k, v in (department.speech_keywords or {}).items()},
        hours={k: [list(r) for r in v] for k, v in (department.hours or {}).items()},
        holidays={h.day: h.name for h in department.holidays},
        settings=dict(settings),
        missed_call_callbacks=department.missed_call_callbacks is not False,
        missed_call_after_seconds=_after_or_default(department.missed_call_after_seconds),
    )


def _after_or_default(value: int | None) -> int:
    # A row not yet flushed has no column default applied.
    return MISSED_CALL_AFTER_SECONDS if value is None else value


def default_of(departments: list[DepartmentView]) -> DepartmentView | None:
    """The department a caller who makes no choice goes to: the flagged one, else the first."""
    return next((d for d in departments if d.is_default), departments[0] if departments else None)


# -- editing (CLI and API) --------------------------------------------------------------------

def all_departments() -> list[Department]:
    return list(db.session.scalars(
        select(Department).options(selectinload(Department.holidays))
        .order_by(Department.position, Department.menu_key)
    ))


def get(slug: str) -> Department:
    department = db.session.scalars(select(Department).where(Department.slug == slug)).first()
    if department is None:
        raise DepartmentNotFound(f"No department {slug!r}.", slug=slug)
    return department


def create(data: Mapping[str, Any]) -> Department:
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise InvalidDepartment("slug must be 1-40 lower-case letters, digits, - or _, "
                                "starting with a letter or digit.", field="slug", value=slug)
    if db.session.scalars(select(Department).where(Department.slug == slug)).first():
        raise DepartmentConflict(f"Department {slug!r} already exists.", field="slug", slug=slug)
    for required in ("name", "menu_key"):
        if required not in data:
            raise InvalidDepartment(f"{required} is required.", field=required)
    department = Department(slug=slug, name="", menu_key="", speech_keywords={},
                            timezone="UTC", hours={}, is_default=False, active=True, settings={})
    if "position" not in data:
        department.position = _next_position()
    update(department, {k: v for k, v in data.items() if k != "slug"}, creating=True)
    db.session.add(department)
    return department


def update(department: Department, changes: Mapping[str, Any], *,
           creating: bool = False) -> Department:
    unknown = sorted(set(changes) - set(EDITABLE) - ({"slug"} if creating else set()))
    if unknown:
        raise InvalidDepartment(f"Unknown field(s): {', '.join(unknown)}.", unknown=unknown,
                                allowed=list(EDITABLE))
    clean = {name: _CLEAN[name](value) for name, value in changes.items()}
    if "menu_key" in clean:
        _ensure_key_free(clean["menu_key"], department)
    if "names" in clean:
        department.settings = {**(department.settings or {}), "names": clean.pop("names")}
    if clean.get("is_default"):
        with db.session.no_autoflush:
            for other in db.session.scalars(select(Department).where(Department.is_default)):
                if other is not department:
                    other.is_default = False
    for name, value in clean.items():
        setattr(department, name, value)
    return department


def set_hours(department: Department, schedule: Any, timezone: str | None = None) -> None:
    department.hours = hours.validate_schedule(schedule)
    if timezone is not None:
        department.timezone = _timezone(timezone)


def add_holiday(department: Department, day: Any, name: str = "") -> Holiday:
    parsed = _day(day)
    for holiday in department.holidays:
        if holiday.day == parsed:
            holiday.name = _text(name, "name", 120, allow_empty=True)
            return holiday
    holiday = Holiday(day=parsed, name=_text(name, "name", 120, allow_empty=True))
    department.holidays.append(holiday)
    return holiday


def remove_holiday(department: Department, day: Any) -> None:
    parsed = _day(day)
    for holiday in department.holidays:
        if holiday.day == parsed:
            department.holidays.remove(holiday)
            return
    raise DepartmentNotFound(f"{department.slug} has no holiday on {parsed.isoformat()}.",
                             slug=department.slug, day=parsed.isoformat())


def remove(department: Department) -> None:
    """Delete the department (past interactions keep their timeline, lose the link)."""
    db.session.delete(department)


def to_dict(department: Department) -> dict[str, Any]:
    return {
        "slug": department.slug, "name": department.name,
        "names": (department.settings or {}).get("names", {}),
        "menu_key": department.menu_key, "speech_keywords": department.speech_keywords or {},
        "timezone": department.timezone, "hours": department.hours or {},
        "holidays": [{"day": h.day.isoformat(), "name": h.name} for h in department.holidays],
        "is_default": bool(department.is_default), "position": department.position,
        "active": bool(department.active),
        "missed_call_callbacks": department.missed_call_callbacks is not False,
        "missed_call_after_seconds": _after_or_default(department.missed_call_after_seconds),
    }


# -- field validation -------------------------------------------------------------------------

def _text(value: Any, name: str, limit: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not value.strip() and not allow_empty):
        raise InvalidDepartment(f"{name} must be a non-empty string.", field=name)
    value = value.strip()
    if len(value) > limit:
        raise InvalidDepartment(f"{name} is longer than {limit} characters.", field=name)
    return value


def _menu_key(value: Any) -> str:
    value = str(value).strip() if isinstance(value, int | str) else value
    if not isinstance(value, str) or len(value) != 1 or value not in "0123456789":
        raise InvalidDepartment("menu_key must be a single digit, 0 to 9.", field="menu_key",
                                value=value)
    return value


def _ensure_key_free(key: str, department: Department) -> None:
    with db.session.no_autoflush:
        owner = db.session.scalars(select(Department).where(Department.menu_key == key)).first()
    if owner is not None and owner is not department:
        raise DepartmentConflict(f"Menu key {key} already belongs to {owner.slug}.",
                                 field="menu_key", owner=owner.slug)


def _keywords(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        raise InvalidDepartment('speech_keywords must map a language to words, like '
                                '{"en": ["billing"]}.', field="speech_keywords")
    clean: dict[str, list[str]] = {}
    for lang, words in value.items():
        if lang not in LANGUAGES:
            raise InvalidDepartment(f"Language {lang!r} is not supported.",
                                    field="speech_keywords", supported=sorted(LANGUAGES))
        if isinstance(words, str):
            words = [w for w in words.split(",")]
        if not isinstance(words, list) or len(words) > MAX_KEYWORDS:
            raise InvalidDepartment(f"speech_keywords.{lang} must be a list of at most "
                                    f"{MAX_KEYWORDS} words.", field="speech_keywords")
        clean[lang] = list(dict.fromkeys(_text(w, f"speech_keywords.{lang}", 60) for w in words))
    return clean


def _names(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or any(lang not in LANGUAGES for lang in value):
        raise InvalidDepartment("names must map a supported language to the department's "
                                "name in it.", field="names", supported=sorted(LANGUAGES))
    return {lang: _text(name, f"names.{lang}", 120) for lang, name in value.items()}


def _timezone(value: Any) -> str:
    if not hours.valid_timezone(value):
        raise InvalidDepartment(f"{value!r} is not an IANA time zone (like Asia/Kolkata).",
                                field="timezone", value=value)
    return value


def _schedule(value: Any) -> dict[str, list[list[str]]]:
    return hours.validate_schedule(value)


def _bool(name: str):
    def clean(value: Any) -> bool:
        if not isinstance(value, bool):
            raise InvalidDepartment(f"{name} must be true or false.", field=name)
        return value
    return clean


def _position(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise InvalidDepartment("position must be a whole number from 0.", field="position")
    return value


def _after_seconds(value: Any) -> int:
    low, high = MISSED_CALL_AFTER_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidDepartment(f"missed_call_after_seconds must be a whole number of seconds "
                                f"from {low} to {high}.", field="missed_call_after_seconds",
                                value=value)
    return value


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidHours(f"{value!r} is not a date like 2025-12-25.", field="day",
                           value=str(value)) from None


def _next_position() -> int:
    positions = db.session.scalars(select(Department.position)).all()
    return max(positions, default=0) + 1


_CLEAN = {
    "name": lambda v: _text(v, "name", 120),
    "names": _names,
    "menu_key": _menu_key,
    "speech_keywords": _keywords,
    "timezone": _timezone,
    "hours": _schedule,
    "is_default": _bool("is_default"),
    "active": _bool("active"),
    "position": _position,
    "missed_call_callbacks": _bool("missed_call_callbacks"),
    "missed_call_after_seconds": _after_seconds,
}
