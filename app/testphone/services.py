"""The test phone: dial in as any number, read what the caller hears, press keys, speak."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.customers.models import Customer
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.testphone.emulator import EmulatorControl
from config import app_settings

# What a caller's phone can send: an E.164-ish number, or a withheld caller ID.
NUMBER = re.compile(r"^\+?[0-9]{3,15}$")
WITHHELD = ("anonymous", "unknown")
DIGITS = re.compile(r"^[0-9*#w]{1,32}$")
MAX_SPEECH = 300


def offline() -> bool:
    return app_settings().TWILIO_MODE != "live"


def control() -> EmulatorControl:
    return EmulatorControl(app_settings().TWILIO_API_BASE_URL)


def dial_in(number: str) -> dict[str, Any]:
    number = (number or "").strip().replace(" ", "")
    if number.lower() not in WITHHELD and not NUMBER.match(number):
        raise InvalidInput("Enter a phone number like +14155550100 (or 'anonymous').",
                           field="from")
    placed = control().dial_in(number, app_settings().TWILIO_PHONE_NUMBER)
    return {"call_sid": placed["call_sid"], "from": number}


def follow(call_sid: str, since: int = 0) -> dict[str, Any]:
    """The call's status and what its caller heard from entry `since` on."""
    info = control().call(call_sid)
    heard = info.get("heard") or []
    since = max(0, min(since, len(heard)))
    return {"call_sid": call_sid, "status": info.get("status"), "activity": info.get("activity"),
            "awaiting_input": info.get("awaiting_input"), "heard": heard[since:],
            "next": len(heard)}


def act(call_sid: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    if action == "press":
        digits = str(body.get("digits", ""))
        if not DIGITS.match(digits):
            raise InvalidInput("Keys are 0-9, * and #.", field="digits")
        payload: dict[str, Any] = {"digits": digits}
    elif action == "say":
        text = str(body.get("text", "")).strip()
        if not text or len(text) > MAX_SPEECH:
            raise InvalidInput(f"Say 1 to {MAX_SPEECH} characters.", field="text")
        payload = {"text": text, "confidence": 0.9}
    elif action == "hangup":
        payload = {}
    else:
        raise NotFound("Unknown action.", action=action)
    control().act(call_sid, action, payload)
    return follow(call_sid, int(body.get("since") or 0))


def sample_callers(limit: int = 12) -> list[dict[str, str]]:
    """Known customers to call in as (their number is recognised, their language spoken)."""
    rows = db.session.scalars(
        select(Customer).options(selectinload(Customer.phones)).order_by(Customer.id).limit(limit)
    )
    return [{"name": c.name, "number": c.phones[0].number, "language": c.language}
            for c in rows if c.phones]
