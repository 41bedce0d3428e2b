"""The agents' JSON API: sign-in, presence, softphone token, events."""

from __future__ import annotations

import re

from flask import g, jsonify, request

from app.agents import bp, services
from app.auth import bearer_token, require_api_auth
from app.errors import Conflict, InvalidInput, json_object
from app.extensions import db
from app.queue import queue_services
from app.queue.agentline import ACCEPTED, LINE_DOWN
from app.telephony import voice_access_token
from config import app_settings

# A Redis stream entry id (milliseconds-sequence); anything else makes Redis refuse the read.
STREAM_ID = re.compile(r"\d{1,20}-\d{1,20}")


@bp.post("/api/agents/login")
def login():
    body = json_object()
    agent, token = services.sign_in(str(body.get("identity", "")), str(body.get("password", "")),
                                    app_settings().AGENT_TOKEN_HOURS)
    db.session.commit()
    return jsonify({"token": token, "agent": services.presence(queue_services().service, agent)})


@bp.post("/api/agents/logout")
@require_api_auth("agent")
def logout():
    agent = services.find_agent(g.principal.identity)
    services.change_state(queue_services().service, agent, "offline")
    services.sign_out(bearer_token())
    db.session.commit()
    return jsonify({"signed_out": True})


@bp.get("/api/agents/me")
@require_api_auth("agent")
def me():
    agent = services.find_agent(g.principal.identity)
    return jsonify(services.presence(queue_services().service, agent))


@bp.post("/api/agents/me/state")
@require_api_auth("agent")
def set_state():
    body = json_object()
    agent = services.find_agent(g.principal.identity)
    service = queue_services().service
    services.change_state(service, agent, str(body.get("state", "")), str(body.get("reason", "")))
    return jsonify(services.presence(service, agent))


def _offered_call() -> str:
    call_sid = str(json_object().get("call_sid", ""))
    if not call_sid:
        raise InvalidInput("'call_sid' is the call offered to you.", field="call_sid")
    return call_sid


@bp.post("/api/agents/me/offer/accept")
@require_api_auth("agent")
def accept_offer():
    """Take the call offered on my console: my persistent line joins the caller."""
    call_sid = _offered_call()
    outcome = queue_services().lines.accept(g.principal.identity, call_sid)
    if outcome == LINE_DOWN:
        raise Conflict("Your softphone's line is down: go available again to reconnect.",
                       error_id="line_down", call_sid=call_sid)
    if outcome != ACCEPTED:
        raise Conflict("This call is no longer offered to you.", error_id="offer_gone",
                       call_sid=call_sid)
    return jsonify({"accepted": True, "call_sid": call_sid})


@bp.post("/api/agents/me/offer/reject")
@require_api_auth("agent")
def reject_offer():
    """Turn down the call offered on my console: it goes to the next agent, I go away."""
    call_sid = _offered_call()
    if not queue_services().lines.reject(g.principal.identity, call_sid):
        raise Conflict("This call is no longer offered to you.", error_id="offer_gone",
                       call_sid=call_sid)
    return jsonify({"rejected": True, "call_sid": call_sid})


@bp.post("/api/agents/me/line/hangup")
@require_api_auth("agent")
def hang_up_call_out():
    """End the call I placed on my persistent line (a callback from my worklist): the line
    comes back to my room; it is not hung up."""
    if not queue_services().lines.end_call_out(g.principal.identity):
        raise Conflict("No call you placed is on your line.", error_id="no_call_out")
    return jsonify({"ended": True})


@bp.post("/api/agents/me/line/state")
@require_api_auth("agent")
def report_line_state():
    """{line_sid, state: reconnecting|connected}: what my console's Voice SDK says of my
    line (Twilio tells the app nothing of a reconnection). While it reconnects I am not
    offered callers."""
    body = json_object()
    state, line_sid = str(body.get("state", "")), str(body.get("line_sid", ""))
    if state not in ("reconnecting", "connected"):
        raise InvalidInput("'state' is reconnecting or connected.", field="state")
    if not queue_services().lines.reconnecting(g.principal.identity, line_sid,
                                               state == "reconnecting"):
        raise Conflict("That is not your open line.", error_id="not_your_line",
                       line_sid=line_sid)
    agent = services.find_agent(g.principal.identity)
    return jsonify(services.presence(queue_services().service, agent))


@bp.get("/api/agents/me/token")
@require_api_auth("agent")
def softphone_token():
    """A Twilio Voice access token for the agent's browser softphone."""
    ttl = 3600
    token = voice_access_token(app_settings(), g.principal.identity, ttl=ttl)
    return jsonify({"token": token, "identity": g.principal.identity, "ttl": ttl})


@bp.get("/api/agents/me/events")
@require_api_auth("agent")
def my_events():
    """Offers, screen-pops and state changes for this agent, after the id given."""
    after = request.args.get("after", "0-0")
    if not STREAM_ID.fullmatch(after):
        raise InvalidInput("'after' is the id of the last event seen, like 1764046800000-0.",
                           field="after")
    events = queue_services().events.read_agent_events(g.principal.identity, after)
    return jsonify({"events": events})


@bp.post("/api/agents")
@require_api_auth("admin")
def create():
    body = json_object()
    departments = body.get("departments", [])
    if not isinstance(departments, list):
        raise InvalidInput("'departments' is a list of department ids.", field="departments")
    agent = services.create_agent(
        str(body.get("name", "")), str(body.get("identity", "")),
        role=str(body.get("role", "agent")), departments=[str(d) for d in departments],
        password=body.get("password"), languages=body.get("languages"),
    )
    db.session.commit()
    return jsonify(services.presence(queue_services().service, agent)), 201


@bp.get("/api/agents")
@require_api_auth("supervisor")
def list_agents():
    service = queue_services().service
    return jsonify({"agents": [services.presence(service, a) for a in services.all_agents()]})


@bp.put("/api/agents/<identity>/languages")
@require_api_auth("supervisor")
def set_languages(identity: str):
    """The languages an agent speaks (the router offers them callers in these)."""
    body = json_object()
    languages = body.get("languages")
    if not isinstance(languages, list):
        raise InvalidInput("'languages' is a list of language codes.", field="languages")
    service = queue_services().service
    agent = services.set_languages(service, services.find_agent(identity), languages)
    db.session.commit()
    return jsonify(services.presence(service, agent))
