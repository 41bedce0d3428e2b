"""The agents package's domain errors (answered as JSON by app/errors.py)."""

from __future__ import annotations

from app.errors import DomainError


class BadCredentials(DomainError):
    error_id = "bad_credentials"
    status = 401
