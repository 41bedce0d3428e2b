"""Agent accounts, sign-in tokens and presence. Callers commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta

from sqlalchemy import select

from app.agents.errors import BadCredentials
from app.agents.models import IDENTITY_PATTERN, ROLES, Agent, AgentToken
from app.agents.presence import CHOOSABLE
from app.auth import Principal
from app.clock import now, timestamp
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.floor.languages import LANGUAGES
from app.floor.models import Department
from app.queue.lines import LineBook
from app.queue.services import QueueService
from config import app_settings


def departments_named(slugs: list[str]) -> list[Department]:
    found = db.session.scalars(select(Department).where(Department.slug.in_(slugs))).all()
    missing = sorted(set(slugs) - {d.slug for d in found})
    if missing:
        raise InvalidInput("Unknown departments.", field="departments", unknown=missing)
    return list(found)


def parse_languages(codes: list[str] | str | None) -> list[str]:
    """The languages an agent speaks, checked: codes of app/floor/languages.py, at least
    one, each once, in the order given. None (not said) is the floor's default language."""
    if codes is None:
        return [app_settings().DEFAULT_LANGUAGE]
    items = codes.split(",") if isinstance(codes, str) else codes
    if not isinstance(items, list) or not all(isinstance(c, str) for c in items):
        raise InvalidInput("'languages' is a list of language codes.", field="languages",
                           allowed=list(LANGUAGES))
    chosen = list(dict.fromkeys(c.strip() for c in items if c.strip()))
    unknown = [c for c in chosen if c not in LANGUAGES]
    if unknown:
        raise InvalidInput("Unknown languages.", field="languages", unknown=unknown,
                           allowed=list(LANGUAGES))
    if not chosen:
        raise InvalidInput("An agent speaks at least one language.", field="languages",
                           allowed=list(LANGUAGES))
    return chosen


def create_agent(name: str, identity: str, *, role: str = "agent", departments: list[str],
                 password: str | None = None, languages: list[str] | str | None = None
                 ) -> Agent:
    if not name or not name.strip():
        raise InvalidInput("A name is required.", field="name")
    if not IDENTITY_PATTERN.match(identity or ""):
        raise InvalidInput("The identity may hold letters, digits and underscores only "
                           "(at most 121).", field="identity")
    if role not in ROLES:
        raise InvalidInput("Unknown role.", field="role", allowed=list(ROLES))
    if db.session.scalars(select(Agent).where(Agent.identity == identity)).first():
        raise Conflict("An agent with this identity exists.", field="identity")
    agent = Agent(name=name.strip(), identity=identity, role=role)
    agent.departments = departments_named(departments)
    agent.languages = ",".join(parse_languages(languages))
    if password:
        if len(password) < 8:
            raise InvalidInput("Passwords have at least 8 characters.", field="password")
        agent.set_password(password)
    db.session.add(agent)
    return agent


def set_languages(service: QueueService, agent: Agent, languages: list[str] | str) -> Agent:
    """The languages the agent speaks, from now on: an available agent takes callers in
    their new languages at once (and is offered any waiting caller they now can take); one
    on a call, from the end of it."""
    agent.languages = ",".join(parse_languages(languages))
    if service.store.set_agent_languages(agent.identity, agent.language_codes) == "available":
        service.route(agent.department_slugs)
    return agent


def find_agent(identity: str) -> Agent:
    agent = db.session.scalars(select(Agent).where(Agent.identity == identity)).first()
    if agent is None:
        raise NotFound("No such agent.", identity=identity)
    return agent


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(identity: str, password: str, hours: int) -> tuple[Agent, str]:
    """A new API token for the agent (returned once; only its hash is stored)."""
    agent = db.session.scalars(select(Agent).where(Agent.identity == identity)).first()
    if agent is None or not agent.active or not agent.check_password(password or ""):
        raise BadCredentials("Unknown identity or wrong password.")
    token = secrets.token_urlsafe(32)
    db.session.add(AgentToken(agent=agent, token_hash=_hash(token),
                              expires_at=now() + timedelta(hours=hours)))
    return agent, token


def _token_row(token: str) -> AgentToken | None:
    return db.session.scalars(
        select(AgentToken).where(AgentToken.token_hash == _hash(token))
    ).first()


def agent_for_token(token: str) -> Agent | None:
    row = _token_row(token)
    if row is None or not row.agent.active:
        return None
    expires = row.expires_at
    if expires.tzinfo is None:  # SQLite hands back naive datetimes; they were stored in UTC
        expires = expires.replace(tzinfo=UTC)
    return row.agent if expires > now() else None


def token_principal(token: str) -> Principal | None:
    """Who an agent's bearer token belongs to (app.auth's token source)."""
    agent = agent_for_token(token)
    if agent is None:
        return None
    return Principal(kind=agent.role, identity=agent.identity, agent_id=agent.id)


def sign_out(token: str) -> None:
    row = _token_row(token)
    if row is not None:
        db.session.delete(row)


def change_state(service: QueueService, agent: Agent, state: str, reason: str = "") -> str:
    """The agent's own switch: available, away (with a reason) or offline."""
    if state not in CHOOSABLE:
        raise InvalidInput("Agents may choose only these states.", field="state",
                           allowed=list(CHOOSABLE))
    if state == "away" and not reason.strip():
        raise InvalidInput("Say why you are away.", field="reason")
    result = service.store.set_agent_state(agent.identity, state, agent.department_slugs,
                                           timestamp(), reason.strip(),
                                           languages=agent.language_codes)
    if result != state:
        raise Conflict("You are on a call: your state changes when it ends.", current=result)
    service.events.agent_event(agent.identity, "state", state=state, reason=reason)
    if state == "available":
        service.route(agent.department_slugs)
    return result


def presence(service: QueueService, agent: Agent) -> dict[str, object]:
    live = service.store.agent(agent.identity)
    return {
        "identity": agent.identity,
        "name": agent.name,
        "role": agent.role,
        "departments": agent.department_slugs,
        "languages": agent.language_codes,
        "state": live.get("state", "offline"),
        "since": float(live["since"]) if live.get("since") else None,
        "reason": live.get("reason") or None,
        "call_sid": live.get("call") or None,
        "line": _line(service, agent.identity),
    }


def _line(service: QueueService, identity: str) -> dict[str, object] | None:
    line = LineBook(service.store.redis, service.store.keys).get(identity)
    if line is None:
        return None
    return {"state": line.shown_state, "since": line.since, "in_call": bool(line.call),
            "sid": line.sid}


def all_agents() -> list[Agent]:
    return list(db.session.scalars(select(Agent).where(Agent.active).order_by(Agent.name)))
