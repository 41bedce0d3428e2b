"""JSON request bodies turned into clean field values, or a 400 naming the bad field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.customers import fields
from app.customers.errors import InvalidField
from app.customers.phones import normalise
from app.errors import InvalidInput

EDITABLE = ("name", "account_number", "language", "tier", "notes")
CREATABLE = (*EDITABLE, "phones")


def json_object(body: object) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    return body


def phone(raw: object, region: str, field: str = "phone") -> str:
    """E.164 for any common way of writing a number, or a 400 naming `field`."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidField(field, f"'{field}' is a phone number, e.g. +14155550100.")
    number = normalise(raw, region)
    if number is None:
        raise InvalidField(field, f"{raw!r} is not a valid phone number.", value=raw)
    return number


def new_customer(body: Mapping[str, Any], region: str, default_language: str) -> dict[str, Any]:
    _refuse_unknown(body, CREATABLE)
    values = _clean(body, ("name",) + tuple(k for k in EDITABLE if k != "name" and k in body))
    values.setdefault("language", default_language)
    raw_phones = body.get("phones", [])
    if isinstance(raw_phones, str):
        raw_phones = [raw_phones]
    if not isinstance(raw_phones, list):
        raise InvalidField("phones", "'phones' is a list of phone numbers.")
    values["phones"] = [phone(p, region, "phones") for p in raw_phones]
    return values


def customer_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    _refuse_unknown(body, EDITABLE)
    if not body:
        raise InvalidInput(f"Nothing to change: send any of {', '.join(EDITABLE)}.")
    return _clean(body, tuple(body))


def _clean(body: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in keys:
        raw = body.get(key)
        if key == "notes":
            values[key] = fields.clean_notes(raw)
            continue
        if raw is not None and not isinstance(raw, str):
            raise InvalidField(key, f"'{key}' is text.")
        if key == "name":
            values[key] = fields.clean_name(raw)
        elif key == "account_number":
            values[key] = fields.clean_account_number(raw, required=False)
        elif key == "language":
            values[key] = fields.clean_language(raw)
        elif key == "tier":
            values[key] = fields.clean_tier(raw)
    return values


def _refuse_unknown(body: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}.",
            field=unknown[0], unknown=unknown,
        )
