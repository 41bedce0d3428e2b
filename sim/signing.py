"""`X-Twilio-Signature`, computed by twilio-python itself so the two can never disagree."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator


def sign(auth_token: str, url: str, params: Mapping[str, str] | None = None) -> str:
    """The signature Twilio sends for a request to `url` (with its query) and POST `params`."""
    return RequestValidator(auth_token).compute_signature(url, dict(params or {}))


def is_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    return RequestValidator(auth_token).validate(url, dict(params), signature)
