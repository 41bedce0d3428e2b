"""The agent console: the page, its live event stream, transfer targets, and (offline) the
emulated softphone. Its behaviour in the browser is static/js/console.js."""

from __future__ import annotations

from flask import Response, g, jsonify, render_template, request, stream_with_context
from sqlalchemy import select

from app.agents import services as agents
from app.auth import login_required, require_api_auth
from app.clock import timestamp
from app.errors import InvalidInput
from app.extensions import db
from app.floor.languages import LANGUAGES
from app.floor.models import Department
from app.queue import queue_services
from app.web import bp, simphone, sse
from app.web.hangup import client_gone
from config import app_settings

MAX_DIAL_LENGTH = 130  # "client:" and a 121-character identity, or any phone number
AWAY_REASONS = ("Break", "Lunch", "Training", "Meeting", "Coaching", "Other work")
CALLBACK_OUTCOMES = (("reached", "Reached the customer"), ("left_message", "Left a message"),
                     ("no_answer", "No answer"), ("wrong_number", "Wrong number"))


def _settings() -> dict[str, object]:
    config = app_settings()
    return {
        "identity": g.principal.identity,
        "mode": "live" if config.TWILIO_MODE == "live" else "emulator",
        "wrapUpSeconds": config.WRAP_UP_SECONDS,
        "holdWarnAt": [30, 45],
        "holdLimit": 60,
        # The caller's language, named in its own script (static/js/caller-language.js).
        "languages": {code: language.name for code, language in LANGUAGES.items()},
        # line: going available opens the persistent line first (static/js/line.js)
        "ringMode": config.AGENT_RING_MODE,
    }


@bp.get("/console")
@login_required(role="agent")
def console():
    return render_template("web/console.html", settings=_settings(), away_reasons=AWAY_REASONS,
                           callback_outcomes=CALLBACK_OUTCOMES)


def _stream_id(value: str) -> str | None:
    """A Redis stream id to resume after, or None (from now) for anything that is not one."""
    parts = value.split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 20 for p in parts):
        return None
    return value if all(int(p) < 2**64 for p in parts) else None


@bp.get("/console/events")
@require_api_auth("agent")
def console_events():
    """Server-sent events for this agent's console (see app/web/sse.py)."""
    identity = g.principal.identity
    events = queue_services().events
    hello = agents.presence(queue_services().service, agents.find_agent(identity)) | {
        "server_time": timestamp()}
    phone = (lambda since: simphone.status(identity, since)) if simphone.enabled() else None
    after = _stream_id(request.headers.get("Last-Event-ID") or request.args.get("after") or "")
    # The stream reads only Redis: give the database connection back for its whole life.
    db.session.close()
    body = sse.stream(events.redis, events.agent_stream(identity), hello, after, phone,
                       gone=client_gone(request.environ))
    return Response(stream_with_context(body), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/console/directory")
@require_api_auth("agent")
def directory():
    """Whom a call may go to: the other agents (with their state) and the departments."""
    service = queue_services().service
    people = [agents.presence(service, a) for a in agents.all_agents()
              if a.identity != g.principal.identity]
    departments = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.position)).all()
    return jsonify({
        "agents": [{"identity": p["identity"], "name": p["name"], "role": p["role"],
                    "state": p["state"], "departments": p["departments"]} for p in people],
        "departments": [{"slug": d.slug, "name": d.name} for d in departments],
    })


@bp.post("/console/phone/register")
@require_api_auth("agent")
def phone_register():
    return jsonify(simphone.register(g.principal.identity))


@bp.post("/console/phone/unregister")
@require_api_auth("agent")
def phone_unregister():
    return jsonify(simphone.unregister(g.principal.identity))


@bp.post("/console/phone/call")
@require_api_auth("agent")
def phone_call():
    """The dial box (emulator mode): where the call goes is `/softphone/outgoing`'s choice."""
    to = str((request.get_json(silent=True) or {}).get("to") or "").strip()
    if not to or len(to) > MAX_DIAL_LENGTH:
        raise InvalidInput("Type a phone number or an agent's name to call.", field="to")
    return jsonify(simphone.place_call(g.principal.identity, to))


@bp.post("/console/phone/line")
@require_api_auth("agent")
def phone_line():
    """Open the agent's persistent line (emulator mode; live, the Voice SDK does it)."""
    return jsonify(simphone.open_line(g.principal.identity))


@bp.post("/console/phone/<action>")
@require_api_auth("agent")
def phone_action(action: str):
    body = request.get_json(silent=True) or {}
    return jsonify(simphone.act(g.principal.identity, action, body.get("call_sid")))
