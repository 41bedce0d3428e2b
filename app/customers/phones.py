"""Phone numbers, normalised with `phonenumbers` to E.164."""

from __future__ import annotations

import phonenumbers

# What Twilio sends for a caller who withheld their number, or has none.
WITHHELD = {"", "anonymous", "unknown", "restricted", "private", "unavailable", "blocked"}


def normalise(raw: str, default_region: str) -> str | None:
    """E.164 for a valid number, else None (withheld, `client:` softphones, garbage)."""
    raw = (raw or "").strip()
    if raw.lower() in WITHHELD or raw.lower().startswith(("client:", "sip:")):
        return None
    try:
        parsed = phonenumbers.parse(raw, default_region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_known_region(region: str) -> bool:
    """True for a country code `phonenumbers` can read national numbers in (US, GB, IN...)."""
    return (region or "").upper() in phonenumbers.SUPPORTED_REGIONS
