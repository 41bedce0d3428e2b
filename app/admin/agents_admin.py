"""Agent accounts as supervisors manage them: departments, languages, role, deactivation,
passwords.

Creating an agent is the agents package's own `create_agent`; the rest lives here because
only the administration pages change accounts after creation. Callers commit.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from app.agents.models import ROLES, Agent, AgentToken
from app.agents.services import find_agent, parse_languages
from app.clock import timestamp
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.floor.models import Department
from app.queue.store import QueueStore

MIN_PASSWORD = 8
BUSY = ("ringing", "on_call")


def all_accounts() -> list[Agent]:
    """Every account, active first, by name (deactivated ones stay for the history)."""
    return list(db.session.scalars(select(Agent).order_by(Agent.active.desc(), Agent.name)))


def update(agent: Agent, *, name: str, role: str, departments: list[str],
           store: QueueStore, languages: list[str] | None = None) -> Agent:
    """Name, role, departments and (when given) languages; presence follows at once."""
    if not name.strip():
        raise InvalidInput("A name is required.", field="name")
    if role not in ROLES:
        raise InvalidInput("Unknown role.", field="role", allowed=list(ROLES))
    found = list(db.session.scalars(select(Department).where(Department.slug.in_(departments))))
    missing = sorted(set(departments) - {d.slug for d in found})
    if missing:
        raise InvalidInput("Unknown departments.", field="departments", unknown=missing)
    if languages is not None:
        agent.languages = ",".join(parse_languages(languages))
    agent.name, agent.role = name.strip()[:120], role
    agent.departments = found
    live = store.agent(agent.identity)
    if live and live.get("state") not in BUSY:
        # The agent's queues change now, not at their next state switch: an available agent
        # moves to the new departments' and languages' lines at once.
        store.set_agent_state(agent.identity, live.get("state") or "offline",
                              agent.department_slugs, timestamp(), live.get("reason") or "",
                              languages=agent.language_codes)
    elif live:
        # Ringing or on a call: the languages wait in the agent hash for the call's end.
        store.set_agent_languages(agent.identity, agent.language_codes)
    return agent


def deactivate(agent: Agent, *, by: str, store: QueueStore) -> Agent:
    """Signed out everywhere (API tokens revoked; web sessions check `active`), offline."""
    if agent.identity == by:
        raise Conflict("You cannot deactivate your own account.")
    state = store.agent(agent.identity).get("state")
    if state in BUSY:
        raise Conflict(f"{agent.name} is on a call; deactivate them when it ends.", state=state)
    agent.active = False
    db.session.execute(delete(AgentToken).where(AgentToken.agent_id == agent.id))
    if state:
        store.set_agent_state(agent.identity, "offline", agent.department_slugs, timestamp())
    return agent


def reactivate(agent: Agent) -> Agent:
    agent.active = True
    return agent


def reset_password(agent: Agent, password: str, confirm: str) -> Agent:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Passwords have at least {MIN_PASSWORD} characters.",
                           field="password")
    if password != confirm:
        raise InvalidInput("The two passwords differ.", field="confirm")
    agent.set_password(password)
    # Whoever had the old password keeps no API token made with it.
    db.session.execute(delete(AgentToken).where(AgentToken.agent_id == agent.id))
    return agent


__all__ = ["all_accounts", "deactivate", "find_agent", "reactivate", "reset_password", "update"]
