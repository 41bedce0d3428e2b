"""The agent's screen-pop for a call: the call, who is calling, and their history (R1).

Other packages add to it without touching this file, through the app's `ScreenPopHooks`
(app/customers/hooks.py), set in their `register(app)`: voicemail the caller's open
callbacks, call controls the transfer, wrap-up the last wrap-up and each earlier call's.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from app.customers import services
from app.customers.errors import CallNotFound
from app.customers.hooks import CallContext, screen_pop_hooks
from app.customers.phones import normalise
from app.customers.serializers import customer_to_dict, interaction_to_dict, interactions_to_dicts
from app.interactions.services import find_by_call_sid

log = logging.getLogger(__name__)

HISTORY_LENGTH = 10

__all__ = ["HISTORY_LENGTH", "CallContext", "call_context"]


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
    unavailable: list[str] = []
    data: dict[str, Any] = {
        "call": interaction_to_dict(interaction, events=True, unavailable=unavailable),
        "caller": {"number": number, "raw": interaction.from_number,
                   "known": customer is not None},
        "customer": customer_to_dict(customer) if customer else None,
        # Newest first (services.recent_interactions), without the call in progress.
        "history": interactions_to_dicts(history, unavailable),
    }
    for key, contribute in screen_pop_hooks(current_app).contributors.items():
        try:
            data[key] = contribute(context)
        except Exception:
            # One broken contributor must not blank the agent's whole screen.
            log.exception("screen-pop contributor %r failed for %s", key, call_sid)
            data[key] = None
            unavailable.append(key)
    data["unavailable"] = unavailable
    return data
