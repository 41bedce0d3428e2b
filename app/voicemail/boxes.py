"""Finding (or lazily opening) the box for a department, an agent, or everything else.

Boxes are created on first use with the settings' defaults, so a new department or agent
has a box the moment a caller needs one; supervisors then edit greetings and limits.
Callers commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.agents.models import Agent
from app.errors import InvalidInput, NotFound
from app.extensions import db, get_row
from app.floor.models import Department
from app.voicemail import phrases
from app.voicemail.hours import add_business_minutes
from app.voicemail.models import VoicemailBox
from config import app_settings

GENERAL = "general"
AGENT_PREFIX = "agent-"
MAX_GREETING = 1000


def _defaults() -> dict[str, int]:
    config = app_settings()
    return {
        "max_length_seconds": config.VOICEMAIL_MAX_SECONDS,
        "callback_target_minutes": config.CALLBACK_TARGET_MINUTES,
    }


def _get_or_create(slug: str, **fields: Any) -> VoicemailBox:
    box = db.session.scalars(select(VoicemailBox).where(VoicemailBox.slug == slug)).first()
    if box is not None:
        return box
    try:
        with db.session.begin_nested():
            box = VoicemailBox(slug=slug, greetings={}, **_defaults(), **fields)
            db.session.add(box)
    except IntegrityError:  # another request opened it at the same moment
        box = db.session.scalars(select(VoicemailBox).where(VoicemailBox.slug == slug)).one()
    return box


def general_box() -> VoicemailBox:
    return _get_or_create(GENERAL, kind="general", name="General")


def department_box(slug: str) -> VoicemailBox:
    department = db.session.scalars(select(Department).where(Department.slug == slug)).first()
    if department is None:
        return general_box()  # never refuse a caller's message over a stale department id
    return _get_or_create(slug, kind="department", name=department.name,
                          department_id=department.id)


def agent_box(identity: str) -> VoicemailBox:
    agent = db.session.scalars(select(Agent).where(Agent.identity == identity)).first()
    if agent is None:
        return general_box()
    return _get_or_create(AGENT_PREFIX + identity, kind="agent", name=agent.name,
                          agent_id=agent.id)


def box_by_slug(slug: str) -> VoicemailBox:
    """The box a webhook names: its department, agent, or the general box."""
    if slug == GENERAL or not slug:
        return general_box()
    if slug.startswith(AGENT_PREFIX):
        return agent_box(slug[len(AGENT_PREFIX):])
    return department_box(slug)


def find_box(box_id: int) -> VoicemailBox:
    box = get_row(VoicemailBox, box_id)
    if box is None:
        raise NotFound("No such voicemail box.", box_id=box_id)
    return box


def greeting(box: VoicemailBox, language: str) -> str:
    custom = (box.greetings or {}).get(language)
    return custom or phrases.text("voicemail.greeting", language, box=box.name or box.slug)


def hours_department(box: VoicemailBox) -> Department | None:
    """Whose business hours the box keeps: its department's, or its agent's first one's."""
    if box.department is not None:
        return box.department
    if box.agent is not None and box.agent.departments:
        return box.agent.departments[0]
    return None


def due_time(box: VoicemailBox, start: datetime, minutes: float | None = None) -> datetime:
    department = hours_department(box)
    target = box.callback_target_minutes if minutes is None else minutes
    if department is None:
        return add_business_minutes(start, target, hours=None)
    holidays: set[date] = {h.day for h in department.holidays}
    return add_business_minutes(start, target, hours=department.hours,
                                timezone=department.timezone, holidays=holidays)


def worked_by(box: VoicemailBox) -> dict[str, Any]:
    if box.kind == "agent" and box.agent is not None:
        return {"agent": box.agent.identity}
    if box.department is not None:
        return {"department": box.department.slug}
    return {"role": "supervisor"}


def update_box(box: VoicemailBox, changes: dict[str, Any]) -> VoicemailBox:
    """Edit greetings (per language; an empty text restores the default) and limits."""
    greetings = changes.get("greetings")
    if greetings is not None:
        if not isinstance(greetings, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_GREETING
            for k, v in greetings.items()
        ):
            raise InvalidInput("'greetings' maps a language code to a text (at most "
                               f"{MAX_GREETING} characters).", field="greetings")
        merged = dict(box.greetings or {})
        for language, text in greetings.items():
            if text.strip():
                merged[language] = text.strip()
            else:
                merged.pop(language, None)
        box.greetings = merged
    for field, low, high in (("max_length_seconds", 5, 3600),
                             ("callback_target_minutes", 1, 60 * 24 * 14)):
        if field in changes:
            value = changes[field]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidInput(f"'{field}' is a whole number from {low} to {high}.",
                                   field=field)
            setattr(box, field, value)
    if "name" in changes:
        name = changes["name"]
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("'name' is a non-empty text.", field="name")
        box.name = name.strip()[:120]
    return box
