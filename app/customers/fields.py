"""What a valid customer field is, shared by the CSV import and the JSON API."""

from __future__ import annotations

from app.customers.errors import InvalidField
from app.customers.models import TIERS
from app.floor.languages import LANGUAGES  # the languages the IVR speaks (R15)

NAME_MAX = 200
ACCOUNT_NUMBER_MAX = 64
NOTES_MAX = 10_000


def clean_name(value: object) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise InvalidField("name", "A customer needs a name.")
    if len(name) > NAME_MAX:
        raise InvalidField("name", f"The name is longer than {NAME_MAX} characters.")
    return name


def clean_account_number(value: object, *, required: bool) -> str | None:
    account = str(value or "").strip()
    if not account:
        if required:
            raise InvalidField("account_number", "The account number is missing.")
        return None
    if len(account) > ACCOUNT_NUMBER_MAX:
        raise InvalidField(
            "account_number", f"The account number is longer than {ACCOUNT_NUMBER_MAX} characters."
        )
    return account


def clean_language(value: object) -> str:
    raw = str(value or "").strip().lower()
    # Accept a locale ("hi-IN", "ms_MY"): the IVR only cares about the language.
    language = raw.replace("_", "-").split("-", 1)[0]
    if language not in LANGUAGES:
        raise InvalidField(
            "language",
            f"Unknown language {raw!r}: use one of {', '.join(LANGUAGES)}.",
            allowed=list(LANGUAGES),
        )
    return language


def clean_tier(value: object) -> str:
    tier = str(value or "").strip().lower()
    if tier not in TIERS:
        raise InvalidField(
            "tier", f"Unknown tier {tier!r}: use one of {', '.join(TIERS)}.", allowed=list(TIERS)
        )
    return tier


def clean_notes(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidField("notes", "Notes are text.")
    notes = value.strip()
    if len(notes) > NOTES_MAX:
        raise InvalidField("notes", f"Notes are longer than {NOTES_MAX} characters.")
    return notes
