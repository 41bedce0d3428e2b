"""Browser sessions: a signed cookie naming a server-side record in Redis, plus a CSRF token.

The cookie (Flask's signed session) carries only two random strings: `sid`, the name of the
session record in Redis, and `csrf`, the token every state-changing request must echo. The
record holds who signed in; deleting it signs the browser out everywhere at once, which a
cookie alone could not do.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import Flask, Request, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from app.auth import Forbidden, Principal
from app.extensions import redis_client
from config import app_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, minus the work for a request without the cookie (every
    Twilio webhook): Flask builds its signing serializer before even looking for the cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


class CsrfFailed(Forbidden):
    error_id = "csrf_failed"


@dataclass(frozen=True)
class SessionUser:
    agent_id: int
    identity: str
    name: str
    role: str

    def principal(self) -> Principal:
        return Principal(kind=self.role, identity=self.identity, agent_id=self.agent_id)


def _key(sid: str) -> str:
    return "{" + app_settings().REDIS_KEY_TAG + "}:web-session:" + sid


def csrf_token() -> str:
    """This browser's CSRF token (created on first use, also before sign-in)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_valid() -> bool:
    expected = session.get("csrf") or ""
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    return bool(expected) and hmac.compare_digest(sent, expected)


def start(agent_id: int, identity: str, name: str, role: str) -> None:
    """Sign this browser in: a fresh record, a fresh cookie, a fresh CSRF token."""
    sid = secrets.token_urlsafe(32)
    ttl = app_settings().SESSION_HOURS * 3600
    redis_client.hset(_key(sid), mapping={"agent_id": agent_id, "identity": identity,
                                          "name": name, "role": role})
    # A session lasts a working day; Redis forgets it afterwards (no deadline of the call
    # flow depends on this expiry, so Redis's own clock is fine here).
    redis_client.expire(_key(sid), ttl)
    # A new cookie on sign-in: a session id planted before sign-in is worthless after it.
    session.clear()
    session.permanent = True
    session["sid"] = sid
    session["csrf"] = secrets.token_urlsafe(32)
    g.pop("session_user", None)


def end() -> None:
    sid = session.get("sid")
    if sid:
        redis_client.delete(_key(sid))
    session.clear()
    g.pop("session_user", None)


def signed_in_cookie() -> bool:
    return bool(session.get("sid"))


def current_user() -> SessionUser | None:
    """Who this browser signed in as, or None (checked against the agent row once a request)."""
    if "session_user" in g:
        return g.session_user
    user = None
    sid = session.get("sid")
    if sid:
        record = redis_client.hgetall(_key(sid))
        if record:
            user = _still_allowed(record)
    g.session_user = user
    return user


def _still_allowed(record: dict[str, str]) -> SessionUser | None:
    from app.agents.models import Agent  # agents depend on auth; keep this module import-light
    from app.extensions import db

    agent = db.session.get(Agent, int(record["agent_id"]))
    if agent is None or not agent.active:
        return None
    # The role is read from the row, so a demotion takes effect on the next request.
    return SessionUser(agent.id, agent.identity, agent.name, agent.role)


def session_principal() -> Principal | None:
    """The principal of a cookie-authenticated request; state changes must carry the CSRF
    token (header X-CSRF-Token or form field csrf_token)."""
    user = current_user()
    if user is None:
        return None
    if request.method not in SAFE_METHODS and not csrf_valid():
        raise CsrfFailed("The request did not carry this page's CSRF token; reload the page.")
    return user.principal()
