"""Wrap-ups: the agent's notes, outcome, feedback tags and the "anything else?" check.

Stored per call and per agent; each tag puts the call on a department's feedback list (R8);
submitting ends the agent's wrap-up time (available again). Callers of these functions
commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.auth import Forbidden, Principal
from app.clock import timestamp
from app.customers.errors import CallNotFound
from app.customers.serializers import iso
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.floor.models import Department
from app.interactions import services as interactions
from app.interactions.models import Interaction
from app.queue.services import QueueService
from app.wrapup import options
from app.wrapup.models import FeedbackItem, Wrapup
from config import AppSettings, app_settings

MAX_NOTES = 5000
# Timeline events that name an agent who was on the call.
AGENT_EVENTS = ("answered", "transferred")
# The console's lines an agent confirms having said (app/calls/words.py shows them): the
# greeting (R9), the apology for a wait (R5), "anything else?" before hanging up (R11).
AGENT_LINES = ("greeting", "apology", "anything_else")


@dataclass(frozen=True)
class WrapupForm:
    notes: str
    outcome: str
    tags: list[str]
    anything_else_asked: bool
    words_confirmed: list[str] = field(default_factory=list)


def parse_form(body: dict[str, Any], settings: AppSettings) -> WrapupForm:
    """Validate the form against the configured outcomes and tags."""
    notes = body.get("notes", "")
    if not isinstance(notes, str):
        raise InvalidInput("'notes' is text.", field="notes")
    if len(notes) > MAX_NOTES:
        raise InvalidInput(f"Notes are at most {MAX_NOTES} characters.", field="notes")
    allowed_outcomes = [c.id for c in options.outcomes(settings)]
    outcome = body.get("outcome")
    if outcome not in allowed_outcomes:
        raise InvalidInput("Choose one of the outcomes.", field="outcome",
                           allowed=allowed_outcomes)
    tags = body.get("tags", [])
    allowed_tags = [c.id for c in options.tags(settings)]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("'tags' is a list of tag ids.", field="tags", allowed=allowed_tags)
    unknown = sorted(set(tags) - set(allowed_tags))
    if unknown:
        raise InvalidInput("Unknown tags.", field="tags", unknown=unknown, allowed=allowed_tags)
    asked = body.get("anything_else_asked")
    if not isinstance(asked, bool):
        raise InvalidInput("Say whether you asked the caller if there was anything else (R11).",
                           field="anything_else_asked")
    return WrapupForm(notes.strip(), outcome, list(dict.fromkeys(tags)), asked,
                      _words(body.get("words_confirmed", []), asked))


def _words(value: Any, asked: bool) -> list[str]:
    """The lines confirmed, in the console's order. "anything_else" follows the form's own
    check (`anything_else_asked`, the agent's last word on it), so the two never disagree."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("'words_confirmed' is a list of the lines you said.",
                           field="words_confirmed", allowed=list(AGENT_LINES))
    unknown = sorted(set(value) - set(AGENT_LINES))
    if unknown:
        raise InvalidInput("Unknown lines.", field="words_confirmed", unknown=unknown,
                           allowed=list(AGENT_LINES))
    said = set(value) - {"anything_else"} | ({"anything_else"} if asked else set())
    return [line for line in AGENT_LINES if line in said]


def agents_on_call(interaction: Interaction) -> set[str]:
    """Every agent who answered this call (or took it over in a transfer)."""
    names = {interaction.agent_identity} if interaction.agent_identity else set()
    for event in interaction.events:
        if event.kind in AGENT_EVENTS:
            detail = event.detail or {}
            names |= {detail.get(k) for k in ("agent", "to_agent", "from_agent")} - {None, ""}
    return names


def find_call(call_sid: str) -> Interaction:
    interaction = interactions.find_by_call_sid(call_sid)
    if interaction is None:
        raise CallNotFound(f"No call {call_sid}.", call_sid=call_sid)
    return interaction


def authorise(principal: Principal, interaction: Interaction) -> None:
    if principal.kind in ("supervisor", "admin"):
        return
    if principal.identity not in agents_on_call(interaction):
        raise Forbidden("Only an agent who took this call (or a supervisor) may wrap it up.",
                        call_sid=interaction.call_sid)


def _departments_by_slug() -> dict[str, Department]:
    return {d.slug: d for d in db.session.scalars(select(Department))}


def submit(principal: Principal, call_sid: str, form: WrapupForm) -> Wrapup:
    """Store (or replace) this principal's wrap-up of the call, with its feedback items."""
    interaction = find_call(call_sid)
    authorise(principal, interaction)
    wrapup = db.session.scalars(
        select(Wrapup).where(Wrapup.interaction_id == interaction.id,
                             Wrapup.agent_identity == principal.identity)
    ).first()
    created = wrapup is None
    if wrapup is None:
        wrapup = Wrapup(interaction_id=interaction.id, agent_identity=principal.identity)
        db.session.add(wrapup)
    wrapup.customer_id = interaction.customer_id
    wrapup.notes = form.notes
    wrapup.outcome = form.outcome
    wrapup.tags = form.tags
    wrapup.anything_else_asked = form.anything_else_asked
    wrapup.words_confirmed = list(form.words_confirmed)
    by_slug = _departments_by_slug()
    routes = {c.id: c.department for c in options.tags(app_settings())}
    wrapup.items = [
        FeedbackItem(tag=tag, department=by_slug.get(routes.get(tag) or "")
                     or _call_department(interaction))
        for tag in form.tags
    ]
    interactions.add_event(interaction, "wrapped_up" if created else "wrap_up_changed",
                           agent=principal.identity, outcome=form.outcome, tags=form.tags,
                           anything_else_asked=form.anything_else_asked,
                           words_confirmed=list(form.words_confirmed))
    return wrapup


def _call_department(interaction: Interaction) -> Department | None:
    if interaction.department_id is None:
        return None
    return db.session.get(Department, interaction.department_id)


def _wrapping_up(service: QueueService, identity: str) -> str | None:
    """The call whose wrap-up time the agent is in: their latest `wrap_up` event's."""
    stream = service.events.agent_stream(identity)
    for _id, fields in service.store.redis.xrevrange(stream, count=50):
        if fields.get("type") == "wrap_up":
            return json.loads(fields.get("detail") or "{}").get("call_sid")
    return None


def end_wrap_up_time(service: QueueService, identity: str, call_sid: str) -> str:
    """The agent is done writing about `call_sid`: available again at once, if that call's
    wrap-up time is the one they are in (a late note on an older call changes nothing)."""
    state = service.store.agent(identity).get("state", "offline")
    if state != "wrap_up" or _wrapping_up(service, identity) not in (call_sid, None):
        return state
    service.store.finish_call(identity, "available", timestamp())
    service.events.agent_event(identity, "available", reason="wrap-up submitted")
    service.route(service.agent_departments(identity))
    return "available"


def wrapup_to_dict(wrapup: Wrapup, call_sid: str | None = None) -> dict[str, Any]:
    labels = {c.id: c.label for c in options.tags(app_settings())}
    if call_sid is None:
        call_sid = db.session.get(Interaction, wrapup.interaction_id).call_sid
    return {
        "id": wrapup.id,
        "call_sid": call_sid,
        "agent": wrapup.agent_identity,
        "notes": wrapup.notes,
        "outcome": wrapup.outcome,
        "tags": list(wrapup.tags or []),
        "anything_else_asked": wrapup.anything_else_asked,
        "words_confirmed": list(wrapup.words_confirmed or []),
        "feedback": [
            {"tag": item.tag, "label": labels.get(item.tag, item.tag),
             "department": item.department.slug if item.department else None}
            for item in wrapup.items
        ],
        "created_at": iso(wrapup.created_at),
        "updated_at": iso(wrapup.updated_at),
    }


def feedback(department_slug: str | None, limit: int = 100) -> dict[str, Any]:
    """A department's feedback list, newest first (every department's when none is named)."""
    query = (
        select(FeedbackItem, Wrapup, Interaction)
        .join(Wrapup, Wrapup.id == FeedbackItem.wrapup_id)
        .join(Interaction, Interaction.id == Wrapup.interaction_id)
        .order_by(FeedbackItem.id.desc())
        .limit(limit)
    )
    department = None
    if department_slug:
        department = db.session.scalars(
            select(Department).where(Department.slug == department_slug)).first()
        if department is None:
            raise NotFound("No such department.", department=department_slug)
        query = query.where(FeedbackItem.department_id == department.id)
    labels = {c.id: c.label for c in options.tags(app_settings())}
    items = []
    for item, wrapup, interaction in db.session.execute(query):
        items.append({
            "id": item.id,
            "tag": item.tag,
            "label": labels.get(item.tag, item.tag),
            "department": item.department.slug if item.department else None,
            "notes": wrapup.notes,
            "outcome": wrapup.outcome,
            "agent": wrapup.agent_identity,
            "call_sid": interaction.call_sid,
            "customer_id": interaction.customer_id,
            "from_number": interaction.from_number,
            "at": iso(item.created_at),
        })
    return {"department": department.slug if department else None, "items": items}


def last_wrapup_for(customer_id: int | None, exclude_interaction_id: int | None) -> Wrapup | None:
    """The customer's most recent wrap-up from another call, for the next call's screen-pop."""
    if customer_id is None:
        return None
    query = select(Wrapup).where(Wrapup.customer_id == customer_id)
    if exclude_interaction_id is not None:
        query = query.where(Wrapup.interaction_id != exclude_interaction_id)
    return db.session.scalars(query.order_by(Wrapup.updated_at.desc(), Wrapup.id.desc())).first()
