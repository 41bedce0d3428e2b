"""Customers and interactions as JSON-ready dicts, for the API and the agent's screen-pop.

Later issues add to an interaction's dict without touching this file: an attribute named
in OPTIONAL_INTERACTION_FIELDS appears as soon as the model has it, and
`interaction_fields` registers a function that contributes more keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.customers.models import Customer, CustomerPhone
from app.extensions import db
from app.floor.models import Department
from app.interactions.models import Interaction, InteractionEvent

# Columns wrap-up and voicemail work will add to Interaction; shown when they exist.
OPTIONAL_INTERACTION_FIELDS = ("notes", "outcome", "tags", "wrap_up_notes", "disposition")

InteractionFields = Callable[[Interaction], Mapping[str, Any]]
_interaction_contributors: dict[str, InteractionFields] = {}


def interaction_fields(name: str) -> Callable[[InteractionFields], InteractionFields]:
    """Register `fn(interaction) -> {key: value}` under `name` (re-registering replaces)."""

    def register(fn: InteractionFields) -> InteractionFields:
        _interaction_contributors[name] = fn
        return fn

    return register


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
                        departments: Mapping[int, Department] | None = None) -> dict[str, Any]:
    """One call. `departments` (id -> Department) saves a lookup per row in lists."""
    if departments is None:
        departments = _departments([interaction])
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
    for contribute in _interaction_contributors.values():
        data.update(contribute(interaction))
    if events:
        data["events"] = [event_to_dict(e) for e in interaction.events]
    return data


def interactions_to_dicts(interactions: Iterable[Interaction]) -> list[dict[str, Any]]:
    interactions = list(interactions)
    departments = _departments(interactions)
    return [interaction_to_dict(i, departments=departments) for i in interactions]


def _departments(interactions: list[Interaction]) -> dict[int, Department]:
    ids = {i.department_id for i in interactions if i.department_id}
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))}
