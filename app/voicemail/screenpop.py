"""Callbacks on the agent's screen-pop (R1, R10): what this caller is still owed, and what each
earlier call left in a box.

A customer who left a message and calls again is answered by an agent who should see that
message, whichever box it is in, and close it there and then ("handled on this call",
`POST /api/calls/<sid>/callbacks/<id>/handled`) rather than call the customer back later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.clock import now
from app.customers.hooks import CallContext
from app.customers.models import Customer
from app.customers.phones import normalise
from app.customers.services import find_by_phone
from app.extensions import db
from app.interactions import services as interactions
from app.interactions.models import Interaction
from app.voicemail import serializers, services
from app.voicemail.models import Callback
from config import app_settings


def caller_context(interaction: Interaction) -> CallContext:
    """Who is on this call, as the screen-pop sees them (record first, then the number)."""
    number = normalise(interaction.from_number, app_settings().DEFAULT_REGION)
    customer = None
    if interaction.customer_id is not None:
        customer = db.session.get(Customer, interaction.customer_id)
    elif number is not None:
        customer = find_by_phone(number)
    return CallContext(interaction, customer, number)


def _numbers(context: CallContext) -> list[str]:
    """The caller's number as a callback may hold it: E.164 and raw as Twilio sent it. A
    withheld number matches nothing: "anonymous" is not one caller."""
    if not context.caller_number:
        return []
    return [context.caller_number, context.interaction.from_number]


def owed_to(context: CallContext) -> list[Callback]:
    """The caller's callbacks still open, by customer record and by number."""
    customer_id = context.customer.id if context.customer is not None else None
    return services.open_for_caller(customer_id, _numbers(context),
                                    exclude_call_sid=context.interaction.call_sid)


def belongs_to(callback: Callback, context: CallContext) -> bool:
    """Is this callback the caller's (the one on this call), open or not?"""
    if callback.call_sid and callback.call_sid == context.interaction.call_sid:
        return False  # this very call's own: not something to "handle on" it
    if context.customer is not None and callback.customer_id == context.customer.id:
        return True
    return bool(callback.number) and callback.number in _numbers(context)


def open_callback_item(callback: Callback) -> dict[str, Any]:
    """A callback as the screen-pop lists it: the backlog's fields, its age and its audit."""
    data = serializers.callback(callback)
    data["age_seconds"] = max(0, round((now() - services.aware(callback.created_at))
                                       .total_seconds()))
    return data


def open_callbacks(context: CallContext) -> list[dict[str, Any]]:
    """The screen-pop's `open_callbacks`: voicemails, missed calls and requested callbacks
    this caller is still owed, overdue first."""
    return [open_callback_item(c) for c in owed_to(context)]


def interaction_callbacks(calls: Sequence[Interaction]) -> dict[int, dict[str, Any]]:
    """On every call of a history: `callbacks`, what the call left in a box (a voicemail, a
    missed call, a requested callback) and what became of it; `callbacks_handled`, the
    earlier ones its agent closed on it. Two queries."""
    found: dict[int, dict[str, Any]] = {c.id: {"callbacks": [], "callbacks_handled": []}
                                        for c in calls}
    rows = db.session.scalars(
        select(Callback).options(*services.SHOWN_WITH)
        .where(Callback.interaction_id.in_(list(found))).order_by(Callback.id))
    for callback in rows:
        message = callback.message
        found[callback.interaction_id]["callbacks"].append({
            "id": callback.id, "kind": callback.kind, "status": callback.status,
            "outcome": callback.outcome, "box": {"slug": callback.box.slug,
                                                 "name": callback.box.name},
            "closed_by": callback.closed_by,
            "message": None if message is None else {
                "duration_seconds": message.duration_seconds,
                "transcription": message.transcription_text,
            },
        })
    handled = interactions.events_of_kind(found, "callback_handled")
    for event in handled:
        d = event.detail or {}
        found[event.interaction_id]["callbacks_handled"].append(
            {"id": d.get("callback_id"), "kind": d.get("callback_kind"), "box": d.get("box"),
             "agent": d.get("agent")})
    return found
