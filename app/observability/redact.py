"""Masking of what must never reach a log: phone numbers (partly) and secrets (wholly).

Pure functions over text, so they apply the same way to a message, a traceback or a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "\u2022"  # •
REDACTED = "[redacted]"

# +E.164, possibly URL-encoded (%2B) or written with spaces/dashes; at least 7 digits.
_PHONE = re.compile(r"(?<![\w%])(\+|%2[Bb])(\d(?:[ \-]?\d){6,16})(?!\d)")
# Bare digits right after a key that names a number (From=9876543210, "phone": "0123...").
_KEYED_DIGITS = re.compile(
    r"(?i)\b(from|to|caller|called|phone|number|msisdn)([\"']?\s*[=:]\s*[\"']?)(\d{7,15})\b")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[^\s\"',;]+")
_KEYED_SECRET = re.compile(
    r"(?i)\b(password|passwd|secret|api_secret|auth_token|access_token|token|authorization"
    r"|x-twilio-signature|x-csrf-token|csrf_token)([\"']?\s*[=:]\s*[\"']?)([^\s\"'&,;}]{3,})")


def mask_digits(digits: str) -> str:
    """+919876543210 -> +9198•••••210: enough to tell numbers apart, not to dial one."""
    if len(digits) <= 6:
        return MASK * len(digits)
    head, tail = (4, 3) if len(digits) >= 10 else (2, 2)
    return digits[:head] + MASK * (len(digits) - head - tail) + digits[-tail:]


def _phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(2))
    if len(digits) < 7:
        return match.group(0)
    return match.group(1) + mask_digits(digits)


def mask_phone_numbers(text: str) -> str:
    text = _PHONE.sub(_phone, text)
    return _KEYED_DIGITS.sub(lambda m: m.group(1) + m.group(2) + mask_digits(m.group(3)), text)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 6 and secret in text:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    return _KEYED_SECRET.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Secrets out, phone numbers masked."""
    return mask_phone_numbers(redact_secrets(text, secrets))
