"""Who is calling the JSON API.

For now one principal exists: the operator, with the ADMIN_API_TOKEN bearer token. Agent and
supervisor sign-in (the queue issue) add their own principals here; routes only ever ask
`require_api_auth(...)` and read `g.principal`.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request

from app.errors import DomainError


class Unauthorised(DomainError):
    error_id = "unauthorised"
    status = 401


class Forbidden(DomainError):
    error_id = "forbidden"
    status = 403


@dataclass(frozen=True)
class Principal:
    kind: str  # "admin" now; "agent" / "supervisor" later
    identity: str


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_principal() -> Principal | None:
    token = _bearer_token()
    expected = current_app.config.get("ADMIN_API_TOKEN") or ""
    if token and expected and hmac.compare_digest(token, expected):
        return Principal(kind="admin", identity="admin")
    return None


def require_api_auth(*kinds: str) -> Callable:
    """Refuse the request (401/403, JSON) unless a principal of one of `kinds` made it."""
    allowed = set(kinds) or {"admin"}

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                raise Unauthorised("Sign in or send a valid bearer token.")
            if principal.kind not in allowed and principal.kind != "admin":
                raise Forbidden("Your role may not do this.", role=principal.kind)
            g.principal = principal
            return view(*args, **kwargs)

        return wrapper

    return decorator
