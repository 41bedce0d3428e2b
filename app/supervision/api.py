"""The supervisors' JSON API (the monitoring legs' webhook is in webhooks.py)."""

from __future__ import annotations

from flask import g, jsonify, request

from app.auth import require_api_auth
from app.errors import InvalidInput, json_object
from app.queue import queue_services
from app.queue.services import QueueService
from app.supervision import audit, bp, services


def _queue() -> QueueService:
    return queue_services().service


def _identity(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{key}' is an id.", field=key)
    return value.strip()


@bp.get("/api/supervisor/calls")
@require_api_auth("supervisor")
def live_calls():
    return jsonify({"calls": services.live_calls(_queue())})


@bp.post("/api/supervisor/calls/<call_sid>/reassign")
@require_api_auth("supervisor")
def reassign(call_sid: str):
    body = json_object(empty_ok=True)
    department, agent = _identity(body, "department"), _identity(body, "agent")
    if bool(department) == bool(agent):
        raise InvalidInput("Name either a 'department' or an 'agent'.", field="department")
    return jsonify(services.reassign(_queue(), g.principal.identity, call_sid,
                                     department=department, agent=agent))


@bp.post("/api/supervisor/calls/<call_sid>/take-back")
@require_api_auth("supervisor")
def take_back(call_sid: str):
    agent = _identity(json_object(empty_ok=True), "agent")
    return jsonify(services.take_back(_queue(), g.principal.identity, call_sid, agent))


@bp.post("/api/supervisor/calls/<call_sid>/monitor")
@require_api_auth("supervisor")
def monitor(call_sid: str):
    mode = json_object(empty_ok=True).get("mode", "listen")
    return jsonify(services.start_monitor(_queue(), g.principal.identity, call_sid,
                                          str(mode)))


@bp.delete("/api/supervisor/calls/<call_sid>/monitor")
@require_api_auth("supervisor")
def stop_monitor(call_sid: str):
    return jsonify(services.stop_monitor(_queue(), g.principal.identity, call_sid))


@bp.get("/api/supervisor/audit")
@require_api_auth("supervisor")
def audit_log():
    limit = request.args.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= 500:
        raise InvalidInput("'limit' is a whole number from 1 to 500.", field="limit")
    # A bare list, as the call-controls contract has it.
    return jsonify(audit.recent(int(limit), request.args.get("call_sid") or None))

