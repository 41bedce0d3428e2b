"""The audit log of supervisor actions: who, what, when, on which call, with what details."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.clock import now
from app.customers.serializers import iso
from app.extensions import db
from app.supervision.models import SupervisorAction


def record(supervisor: str, action: str, call_sid: str | None, **details: Any) -> None:
    """Stage one entry (the caller commits, with the change it records)."""
    db.session.add(SupervisorAction(supervisor=supervisor, action=action, call_sid=call_sid,
                                    details=details, at=now()))


def entry_to_dict(entry: SupervisorAction) -> dict[str, Any]:
    return {"id": entry.id, "at": iso(entry.at), "supervisor": entry.supervisor,
            "action": entry.action, "call_sid": entry.call_sid, "details": entry.details or {}}


def recent(limit: int = 50, call_sid: str | None = None) -> list[dict[str, Any]]:
    """The latest entries, newest first."""
    query = select(SupervisorAction).order_by(SupervisorAction.id.desc()).limit(limit)
    if call_sid:
        query = query.where(SupervisorAction.call_sid == call_sid)
    return [entry_to_dict(e) for e in db.session.scalars(query)]
