"""The agent's screen-pop for a call: the call, who is calling, and their history (R1).

Other domains add to it without touching this file: `context_contributor("open_callbacks")`
registers a function that receives the CallContext and returns that key's value. The
voicemail issue replaces the placeholder below with the caller's open callbacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.customers import services
from app.customers.errors import CallNotFound
from app.customers.models import Customer
from app.customers.phones import normalise
from app.customers.serializers import customer_to_dict, interaction_to_dict, interactions_to_dicts
from app.interactions.models import Interaction
from app.interactions.services import find_by_call_sid

log = logging.getLogger(__name__)

HISTORY_LENGTH = 10


@dataclass(frozen=True)
class CallContext:
    interaction: Interaction
    customer: Customer | None
    caller_number: str | None  # E.164, or None when withheld


Contributor = Callable[[CallContext], Any]
_contributors: dict[str, Contributor] = {}


def context_contributor(key: str) -> Callable[[Contributor], Contributor]:
    """Register `fn(context) -> value` to fill `key` in every screen-pop (replaces any
    contributor already registered for that key)."""

    def register(fn: Contributor) -> Contributor:
        _contributors[key] = fn
        return fn

    return register


@context_contributor("open_callbacks")
def _no_callbacks_yet(context: CallContext) -> list[Any]:
    return []


def call_context(call_sid: str, default_region: str) -> dict[str, Any]:
    interaction = find_by_call_sid(call_sid)
    if interaction is None:
        raise CallNotFound(f"No call {call_sid}.", call_sid=call_sid)
    number = normalise(interaction.from_number, default_region)
    customer = None
    if interaction.customer_id is not None:
        customer = services.get_customer(interaction.customer_id)
    elif number is not None:
        customer = services.find_by_phone(number)
    context = CallContext(interaction, customer, number)
    history = (
        services.recent_interactions(customer.id, HISTORY_LENGTH, exclude_call_sid=call_sid)
        if customer else []
    )
    data: dict[str, Any] = {
        "call": interaction_to_dict(interaction, events=True),
        "caller": {"number": number, "raw": interaction.from_number,
                   "known": customer is not None},
        "customer": customer_to_dict(customer) if customer else None,
        "history": interactions_to_dicts(history),
    }
    unavailable = []
    for key, contribute in _contributors.items():
        try:
            data[key] = contribute(context)
        except Exception:
            # One broken contributor must not blank the agent's whole screen.
            log.exception("screen-pop contributor %r failed for %s", key, call_sid)
            data[key] = None
            unavailable.append(key)
    data["unavailable"] = unavailable
    return data
