"""Callback lists that change on open consoles the moment a callback does.

Every change to a callback goes through `services.audit` (or, for a transcription, `note`),
which notes it on the database session. Once that transaction has committed, each agent who
sees the callback in `GET /api/callbacks` (its box's department, the box's own agent, whoever
it is or was assigned to, every supervisor) gets one `callbacks.changed` entry on their own
event stream, which the console's SSE relays and answers by re-reading its list:

    {"type": "callbacks.changed", "changes": [{"callback_id": 7, "change": "claimed",
                                                "by": "amy"}]}

After the commit, not before: a console that reloads on the event must find the change,
and whichever request, webhook, job or queue hook committed it, nothing else has to remember
to publish. Publishing is news, not the record: a failure (Redis or the database down) is
logged and never undoes or fails what was saved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import has_app_context
from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session, SessionTransaction

from app.agents.models import Agent, agent_departments
from app.extensions import db
from app.voicemail.models import Callback

log = logging.getLogger(__name__)

EVENT = "callbacks.changed"
# Audit actions that change what a callback list shows (its rows, their order, who has
# them). Not: listened, agent_connected, customer_leg, no_message (history only).
CHANGES = frozenset({
    "created", "kind_changed", "message_recorded", "transcribed", "claimed", "released",
    "reassigned", "attempt", "cleared", "call_started", "escalated", "recording_deleted",
    "agent_missed", "handled_on_call",
})
# A sweep may change hundreds at once: the console re-reads its whole list anyway.
MAX_LISTED = 50
_PENDING = "voicemail.live.pending"
_READY = "voicemail.live.ready"


@dataclass
class _Noted:
    callback: Callback
    changes: list[tuple[str, str]] = field(default_factory=list)
    # Whoever had it during the transaction: an agent it is taken from must see it go.
    assignees: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Change:
    callback_id: int
    department_id: int | None
    agent_ids: frozenset[int]
    change: str
    by: str


def note(callback: Callback, change: str, actor: str = "system") -> None:
    """Remember that `callback` changed; published once the session's transaction commits."""
    if change in CHANGES:
        _noted(inspect(callback).session or db.session(), callback).changes.append(
            (change, actor))


def _noted(session: Session, callback: Callback) -> _Noted:
    pending: dict[int, _Noted] = session.info.setdefault(_PENDING, {})
    return pending.setdefault(id(callback), _Noted(callback))


@event.listens_for(Callback.assigned_agent_id, "set", active_history=True)
def _taken_from(callback: Callback, value: Any, previous: Any, _initiator: Any) -> None:
    # Whoever had it must see it leave their list. Heard here, as it is set: by the time the
    # audit line is written an autoflush may have forgotten the old value.
    session = inspect(callback).session
    if session is not None and isinstance(previous, int) and previous != value:
        _noted(session, callback).assignees.add(previous)


@event.listens_for(Session, "before_commit")
def _snapshot(session: Session) -> None:
    # After the commit the rows are expired and the session may not query: read them now.
    pending = session.info.get(_PENDING)
    if not pending or session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    session.info.pop(_PENDING)
    session.flush()  # a new callback gets its id (the commit flushes anyway: same errors)
    try:
        session.info[_READY] = [_change(noted) for noted in pending.values() if noted.changes]
    except Exception:
        log.exception("could not read the changed callbacks to tell the consoles")


def _change(noted: _Noted) -> _Change:
    callback = noted.callback
    box = callback.box
    agents = {*noted.assignees, callback.assigned_agent_id, box.agent_id} - {None}
    change, by = noted.changes[-1]
    return _Change(callback.id, box.department_id, frozenset(agents), change, by)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    if session.in_nested_transaction():
        return
    ready = session.info.pop(_READY, None)
    if not ready or not has_app_context():
        return
    try:
        publish(ready)
    except Exception:
        log.exception("could not tell the consoles about %d changed callback(s)", len(ready))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back (or published): nothing is left to tell
        session.info.pop(_PENDING, None)
        session.info.pop(_READY, None)


def publish(changes: list[_Change]) -> None:
    from app.queue import queue_services
    notices: dict[str, dict[int, dict[str, Any]]] = {}
    for identity, role, agent_id, department_id in _audience(changes):
        listed = notices.setdefault(identity, {})
        for c in changes:
            if c.callback_id not in listed and (
                    role == "supervisor" or agent_id in c.agent_ids
                    or (department_id is not None and department_id == c.department_id)):
                listed[c.callback_id] = {"callback_id": c.callback_id, "change": c.change,
                                         "by": c.by}
    details = {
        identity: {"changes": list(listed.values())[:MAX_LISTED],
                   "more": max(0, len(listed) - MAX_LISTED)}
        for identity, listed in notices.items() if listed
    }
    if details:
        queue_services().events.agent_notices(EVENT, details)


def _audience(changes: list[_Change]) -> list[tuple[str, str, int, int | None]]:
    """(identity, role, id, one of their departments) of each active agent who may see one
    of these callbacks, by the rule of `services.worklist`; read on a connection of its own,
    as the session that committed may not query inside its after-commit hook."""
    agent_ids = sorted(set().union(*(c.agent_ids for c in changes)))
    department_ids = sorted({c.department_id for c in changes} - {None})
    membership = agent_departments.c
    query = (
        select(Agent.identity, Agent.role, Agent.id, membership.department_id)
        .outerjoin(agent_departments, membership.agent_id == Agent.id)
        .where(Agent.active.is_(True),
               or_(Agent.role == "supervisor", Agent.id.in_(agent_ids),
                   membership.department_id.in_(department_ids)))
    )
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]
