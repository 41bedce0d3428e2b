"""Wrap-ups on the agent's screen: the customer's last wrap-up on the next call (R1), and
each earlier call's wrap-up and survey rating in the history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.customers.hooks import CallContext
from app.extensions import db
from app.interactions.models import Interaction
from app.wrapup import services
from app.wrapup.models import SurveyResponse, Wrapup


def last_wrapup(context: CallContext) -> dict[str, Any] | None:
    """What the last agent wrote about this customer: notes, outcome, tags."""
    customer_id = context.customer.id if context.customer else None
    wrapup = services.last_wrapup_for(customer_id, context.interaction.id)
    if wrapup is None:
        return None
    interaction = db.session.get(Interaction, wrapup.interaction_id)
    data = services.wrapup_to_dict(wrapup, interaction.call_sid)
    data["call_started_at"] = services.iso(interaction.started_at)
    return data


def interaction_wrapups(calls: Sequence[Interaction]) -> dict[int, dict[str, Any]]:
    """`wrapups` and `survey_rating` on every call in a customer's history (two queries for
    the whole list)."""
    ids = [i.id for i in calls]
    found: dict[int, dict[str, Any]] = {i: {"wrapups": [], "survey_rating": None} for i in ids}
    for w in db.session.scalars(
            select(Wrapup).where(Wrapup.interaction_id.in_(ids)).order_by(Wrapup.id)):
        found[w.interaction_id]["wrapups"].append(
            {"agent": w.agent_identity, "notes": w.notes, "outcome": w.outcome,
             "tags": list(w.tags or []), "anything_else_asked": w.anything_else_asked})
    ratings = db.session.execute(  # one survey per call (unique)
        select(SurveyResponse.interaction_id, SurveyResponse.rating)
        .where(SurveyResponse.interaction_id.in_(ids)))
    for interaction_id, rating in ratings:
        found[interaction_id]["survey_rating"] = rating
    return found
