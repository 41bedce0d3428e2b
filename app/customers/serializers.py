"""Customers and interactions as JSON-ready dicts, for the API and the agent's screen-pop.

Later issues add to an interaction's dict without touching this file: an attribute named
in OPTIONAL_INTERACTION_FIELDS appears as soon as the model has it, and packages above
register functions that contribute more keys (`screen_pop_hooks(app).interaction_fields`,
app/customers/hooks.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.customers.hooks import screen_pop_hooks
from app.customers.models import Customer, CustomerPhone
from app.extensions import db
from app.floor.models import Department
from app.interactions.models import Interaction, InteractionEvent

# Columns wrap-up and voicemail work will add to Interaction; shown when they exist.
OPTIONAL_INTERACTION_FIELDS = ("notes", "outcome", "tags", "wrap_up_notes", "disposition")

log = logging.getLogger(__name__)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # SQLite hands back naive datetimes; everything we store is UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


def phone_to_dict(phone: CustomerPhone) -> dict[str, Any]:
    return {"number": phone.number, "source": phone.source, "added_at": iso(phone.created_at)}


def customer_to_dict(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "account_number": customer.account_number,
        "language": customer.language,
        "tier": customer.tier,
        "notes": customer.notes,
        "phones": [phone_to_dict(p) for p in customer.phones],
        "created_at": iso(customer.created_at),
        "updated_at": iso(customer.updated_at),
    }


def department_to_dict(department: Department | None) -> dict[str, Any] | None:
    if department is None:
        return None
    return {"id": department.id, "slug": department.slug, "name": department.name}


def event_to_dict(event: InteractionEvent) -> dict[str, Any]:
    return {"at": iso(event.at), "kind": event.kind, "detail": event.detail or {}}


def interaction_to_dict(interaction: Interaction, *, events: bool = False,
                        departments: Mapping[int, Department] | None = None,
                        extra: Mapping[str, Any] | None = None,
                        unavailable: list[str] | None = None) -> dict[str, Any]:
    """One call. `departments` (id -> Department) and `extra` (the registered fields, see
    `contributed_fields`) save lookups per row in lists."""
    if departments is None:
        departments = _departments([interaction])
    if extra is None:
        extra = contributed_fields([interaction], unavailable).get(interaction.id, {})
    data: dict[str, Any] = {
        "id": interaction.id,
        "call_sid": interaction.call_sid,
        "direction": interaction.direction,
        "from_number": interaction.from_number,
        "to_number": interaction.to_number,
        "status": interaction.status,
        "language": interaction.language,
        "department": department_to_dict(departments.get(interaction.department_id or 0)),
        "customer_id": interaction.customer_id,
        "started_at": iso(interaction.started_at),
        "ended_at": iso(interaction.ended_at),
        "duration_seconds": interaction.duration_seconds,
        "queued_at": iso(interaction.queued_at),
        "answered_at": iso(interaction.answered_at),
        "agent": interaction.agent_identity,
        "wait_seconds": interaction.wait_seconds,
        "abandoned": interaction.abandoned,
    }
    for name in OPTIONAL_INTERACTION_FIELDS:
        if hasattr(interaction, name):
            value = getattr(interaction, name)
            data[name] = iso(value) if isinstance(value, datetime) else value
    data.update(extra)
    if events:
        data["events"] = [event_to_dict(e) for e in interaction.events]
    return data


def interactions_to_dicts(interactions: Iterable[Interaction],
                          unavailable: list[str] | None = None) -> list[dict[str, Any]]:
    interactions = list(interactions)
    departments = _departments(interactions)
    extra = contributed_fields(interactions, unavailable)
    return [interaction_to_dict(i, departments=departments, extra=extra.get(i.id, {}))
            for i in interactions]


def contributed_fields(interactions: list[Interaction],
                       unavailable: list[str] | None = None) -> dict[int, dict[str, Any]]:
    """{interaction id: keys} from every registered `interaction_fields`, one call each for
    the whole list. A failing one is logged and left out (its name added to `unavailable`):
    the rest of the history still reaches the agent."""
    merged: dict[int, dict[str, Any]] = {i.id: {} for i in interactions}
    if not interactions:
        return merged
    for name, contribute in screen_pop_hooks(current_app).fields.items():
        try:
            found = contribute(interactions)
        except Exception:
            log.exception("interaction fields %r failed", name)
            if unavailable is not None and name not in unavailable:
                unavailable.append(name)
            continue
        for interaction_id, values in found.items():
            merged.setdefault(interaction_id, {}).update(values)
    return merged


def _departments(interactions: list[Interaction]) -> dict[int, Department]:
    ids = {i.department_id for i in interactions if i.department_id}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))}
