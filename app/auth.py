"""Who is calling: the JSON API's `require_api_auth` and the browser pages' `login_required`.

Principals: the operator (bearer ADMIN_API_TOKEN), and agents and supervisors (bearer tokens
from `POST /api/agents/login`, or the session cookie of a browser signed in at /signin, whose
state-changing requests must carry the X-CSRF-Token header; see app/web/sessions.py).
Routes only ever ask `require_api_auth(...)` and read `g.principal`; pages ask
`login_required(role=...)` and read `g.principal` and `g.user` too. A supervisor may do
whatever an agent may; the operator may do anything.

This module sits at the bottom of the layers (docs/architecture.md): it knows neither agents
nor browser sessions. The packages that do register how to recognise theirs, and app.web its
sign-in and forbidden pages, at wiring time (`principal_sources(app)`), so auth imports
neither of them.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask, current_app, g, request

from app.errors import DomainError
from config import app_settings


class Unauthorised(DomainError):
    error_id = "unauthorised"
    status = 401


class Forbidden(DomainError):
    error_id = "forbidden"
    status = 403


@dataclass(frozen=True)
class Principal:
    kind: str  # "admin", "agent" or "supervisor"
    identity: str
    agent_id: int | None = None


class BrowserUser(Protocol):
    """Who a browser signed in as (app.web.sessions.SessionUser)."""

    role: str

    def principal(self) -> Principal: ...


SessionSource = Callable[[], "Principal | None"]
TokenSource = Callable[[str], "Principal | None"]
UserSource = Callable[[], "BrowserUser | None"]

# A supervisor may do whatever an agent may (the operator, anything: see require_api_auth).
ROLES_HELD = {"agent": {"agent"}, "supervisor": {"agent", "supervisor"}}


def has_role(role: str, required: str) -> bool:
    return required in ROLES_HELD.get(role, set())


def _nobody(*_args: Any) -> None:
    return None


@dataclass
class PrincipalSources:
    """How a request is recognised beyond the operator's token: `session` reads a signed-in
    browser (app.web), `token` an agent's bearer token (app.agents). Both answer None when
    the request is not theirs. For pages, app.web registers `user` (the signed-in browser's
    user), `sign_in` (the answer to a visitor who is not signed in) and `forbidden` (to one
    who lacks the role named)."""

    session: SessionSource = _nobody
    token: TokenSource = _nobody
    user: UserSource = _nobody
    sign_in: Callable[[], Any] = _nobody
    forbidden: Callable[[str], Any] = _nobody


_SOURCES = "auth.principal_sources"


def principal_sources(app: Flask) -> PrincipalSources:
    """The app's sources, to register one: `principal_sources(app).token = ...`."""
    return app.extensions.setdefault(_SOURCES, PrincipalSources())


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_principal() -> Principal | None:
    sources = principal_sources(current_app)
    token = bearer_token()
    if not token:
        # A browser signed in through /signin; state changes must carry its CSRF token.
        return sources.session()
    expected = app_settings().ADMIN_API_TOKEN
    if expected and hmac.compare_digest(token, expected):
        return Principal(kind="admin", identity="admin")
    return sources.token(token)


def require_api_auth(*kinds: str) -> Callable:
    """Refuse the request (401/403, JSON) unless a principal of one of `kinds` made it."""
    allowed = set(kinds) or {"admin"}

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None:
                raise Unauthorised("Sign in or send a valid bearer token.")
            kinds_held = ROLES_HELD.get(principal.kind, {principal.kind})
            if not kinds_held & allowed and principal.kind != "admin":
                raise Forbidden("Your role may not do this.", role=principal.kind)
            g.principal = principal
            return view(*args, **kwargs)

        return wrapper

    return decorator


def login_required(role: str = "agent") -> Callable:
    """Guard a browser page: signed in, with `role` ("agent" or "supervisor"). A visitor who
    is not signed in gets the sign-in page (and comes back afterwards), a signed-in agent who
    lacks the role the forbidden page (403); both are app.web's."""
    if role not in ROLES_HELD:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sources = principal_sources(current_app)
            user = sources.user()
            if user is None:
                return sources.sign_in()
            if not has_role(user.role, role):
                return sources.forbidden(role)
            g.user = user
            g.principal = user.principal()
            return view(*args, **kwargs)

        return wrapper

    return decorator
