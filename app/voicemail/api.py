"""The agents' JSON API for callbacks: the backlog, claiming, calling back, clearing."""

from __future__ import annotations

import logging

from flask import Response, g, jsonify, request
from sqlalchemy import select

from app.agents.models import Agent
from app.auth import Forbidden, require_api_auth
from app.customers.access import check_may_see_call
from app.errors import Conflict, DomainError, InvalidInput, NotFound, json_object
from app.extensions import db
from app.interactions.services import find_by_call_sid
from app.queue import queue_services
from app.voicemail import boxes, bp, dialer, queue_link, screenpop, serializers, services
from app.voicemail.models import Callback, VoicemailBox

log = logging.getLogger(__name__)

SCOPES = ("all", "mine", "departments")


class RecordingUnavailable(DomainError):
    error_id = "recording_unavailable"
    status = 502


def _me() -> Agent | None:
    """The signed-in agent or supervisor; None for the operator's token."""
    agent_id = g.principal.agent_id
    return db.session.get(Agent, agent_id) if agent_id is not None else None


def _workable(callback_id: int) -> Callback:
    callback = services.find_callback(callback_id)
    if queue_link.reconcile(callback):
        db.session.commit()
    if not services.can_work(_me(), callback):
        raise Forbidden("This callback is not in your boxes.", callback_id=callback_id)
    return callback


def _agent_only() -> Agent:
    agent = _me()
    if agent is None:
        raise Forbidden("Only an agent can do this: it needs a softphone.")
    return agent


def _one(callback: Callback):
    return jsonify(serializers.callback(callback, detail=True))


@bp.get("/api/callbacks")
@require_api_auth("agent")
def backlog():
    """Open callbacks I may work, overdue first. ?scope=mine|departments|all&closed=1"""
    scope = request.args.get("scope", "all")
    if scope not in SCOPES:
        raise InvalidInput("Unknown scope.", field="scope", allowed=list(SCOPES))
    items = services.worklist(_me(), scope, include_closed=request.args.get("closed") == "1")
    if [c for c in items if queue_link.reconcile(c)]:
        db.session.commit()
    return jsonify({
        "callbacks": [serializers.callback(c) for c in items],
        "overdue": sum(1 for c in items if services.is_overdue(c)),
    })


@bp.get("/api/callbacks/<int:callback_id>")
@require_api_auth("agent")
def show(callback_id: int):
    return _one(_workable(callback_id))


@bp.post("/api/callbacks/<int:callback_id>/claim")
@require_api_auth("agent")
def claim(callback_id: int):
    callback = services.claim(_workable(callback_id), _agent_only())
    db.session.commit()
    return _one(callback)


@bp.post("/api/callbacks/<int:callback_id>/release")
@require_api_auth("agent")
def release(callback_id: int):
    callback, me = _workable(callback_id), _me()
    if (me is not None and me.role != "supervisor"
            and callback.assigned_agent_id not in (None, me.id)):
        raise Forbidden("Only the agent working it or a supervisor may release it.")
    services.release(callback, g.principal.identity)
    db.session.commit()
    return _one(callback)


@bp.post("/api/callbacks/<int:callback_id>/call")
@require_api_auth("agent")
def call_back(callback_id: int):
    """Call the customer on my line (or ring my softphone first, without one). A requested
    callback leaves the queue first."""
    agent = _agent_only()
    callback = services.claim(_workable(callback_id), agent)
    queue_link.withdraw(callback)
    db.session.commit()
    leg = dialer.call_back_now(agent.identity, callback.id)
    # "line": the agent's open line calls the customer now; "ring": their softphone rings.
    via = "line" if leg == queue_services().lines.leg_of(agent.identity) else "ring"
    return jsonify({"call_sid": leg, "via": via,
                    "callback": serializers.callback(callback, detail=True)})


@bp.post("/api/callbacks/<int:callback_id>/clear")
@require_api_auth("agent")
def clear(callback_id: int):
    """{outcome: reached|left_message|no_answer|wrong_number, note}"""
    body = json_object()
    callback = _workable(callback_id)
    services.clear(callback, str(body.get("outcome", "")), g.principal.identity,
                   note=str(body.get("note", ""))[:2000])
    queue_link.withdraw(callback, strict=False)
    db.session.commit()
    return _one(callback)


@bp.post("/api/calls/<call_sid>/callbacks/<int:callback_id>/handled")
@require_api_auth("agent")
def handled_on_call(call_sid: str, callback_id: int):
    """{note}: the agent on this call sorted out this caller's callback with them; it closes
    as reached. Allowed to whoever may see the call's screen-pop (not only the box's agents):
    the caller is on their line. Repeating it answers the same closed callback."""
    check_may_see_call(g.principal, call_sid)
    interaction = find_by_call_sid(call_sid)
    if interaction is None:
        raise NotFound(f"No call {call_sid}.", call_sid=call_sid)
    callback = services.find_callback(callback_id)
    if not screenpop.belongs_to(callback, screenpop.caller_context(interaction)):
        raise NotFound("This caller has no such callback.", callback_id=callback_id,
                       call_sid=call_sid)
    if _handled_on(callback, call_sid):
        return _one(callback)
    note = str(json_object(empty_ok=True).get("note", ""))[:2000]
    try:
        services.handled_on_call(callback, interaction, g.principal.identity, note)
    except Conflict:
        db.session.rollback()  # closed meanwhile: by this very request's twin, or otherwise
        callback = services.find_callback(callback_id)
        if _handled_on(callback, call_sid):
            return _one(callback)
        raise
    queue_link.withdraw(callback, strict=False)  # a requested callback still in line
    db.session.commit()
    return _one(callback)


def _handled_on(callback: Callback, call_sid: str) -> bool:
    return callback.status == "closed" and any(
        e.action == "handled_on_call" and (e.detail or {}).get("call_sid") == call_sid
        for e in callback.events)


@bp.post("/api/callbacks/<int:callback_id>/assign")
@require_api_auth("supervisor")
def assign(callback_id: int):
    """Supervisors: {agent: identity} takes it over."""
    body = json_object()
    callback = services.reassign(services.find_callback(callback_id), str(body.get("agent", "")),
                                 g.principal.identity)
    db.session.commit()
    return _one(callback)


@bp.get("/api/callbacks/<int:callback_id>/recording")
@require_api_auth("agent")
def recording(callback_id: int):
    """The message's audio, fetched from Twilio with the account's credentials."""
    callback = _workable(callback_id)
    item = callback.message
    if item is None or item.recording_deleted_at is not None:
        raise NotFound("This callback has no recording (any more).", callback_id=callback_id)
    try:
        audio, content_type = dialer.fetch_recording(item.recording_sid)
    except Exception as exc:
        log.warning("could not fetch recording %s: %s", item.recording_sid, exc)
        raise RecordingUnavailable("Twilio did not give us the recording; try again.",
                                   callback_id=callback_id) from None
    services.audit(callback, "listened", g.principal.identity)
    db.session.commit()
    return Response(audio, mimetype=content_type,
                    headers={"Cache-Control": "private, no-store"})


@bp.get("/api/callbacks/boxes")
@require_api_auth("agent")
def list_boxes():
    items = db.session.scalars(select(VoicemailBox).order_by(VoicemailBox.slug)).all()
    return jsonify({"boxes": [serializers.box(b) for b in items]})


@bp.patch("/api/callbacks/boxes/<int:box_id>")
@require_api_auth("supervisor")
def edit_box(box_id: int):
    """Supervisors: {greetings: {lang: text}, max_length_seconds, callback_target_minutes, name}"""
    box = boxes.update_box(boxes.find_box(box_id), json_object())
    db.session.commit()
    return jsonify(serializers.box(box))
