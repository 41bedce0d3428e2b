"""The wrap-up JSON API, feedback lists and survey switches (the survey's webhook is in
webhooks.py)."""

from __future__ import annotations

from flask import g, jsonify, request

from app.auth import require_api_auth
from app.errors import InvalidInput, json_object
from app.extensions import db
from app.queue import queue_services
from app.wrapup import bp, options, services, survey
from config import app_settings


@bp.post("/api/calls/<call_sid>/wrapup")
@require_api_auth("agent")
def submit_wrapup(call_sid: str):
    form = services.parse_form(json_object(), app_settings())
    wrapup = services.submit(g.principal, call_sid, form)
    db.session.commit()
    data = services.wrapup_to_dict(wrapup, call_sid)
    data["agent_state"] = services.end_wrap_up_time(queue_services().service, g.principal.identity,
                                                    call_sid)
    return jsonify(data)


@bp.get("/api/wrapup/options")
@require_api_auth("agent")
def wrapup_options():
    config = app_settings()
    return jsonify({
        "outcomes": [c.to_dict(with_department=False) for c in options.outcomes(config)],
        "tags": [c.to_dict(with_department=True) for c in options.tags(config)],
    })


@bp.get("/api/feedback")
@require_api_auth("supervisor")
def feedback_list():
    limit = request.args.get("limit", "100")
    if not limit.isdigit() or not 1 <= int(limit) <= 500:
        raise InvalidInput("'limit' is a whole number from 1 to 500.", field="limit")
    return jsonify(services.feedback(request.args.get("department") or None, int(limit)))


@bp.get("/api/wrapup/surveys")
@require_api_auth("supervisor")
def list_surveys():
    return jsonify({"surveys": survey.surveys()})


@bp.put("/api/wrapup/surveys/<department>")
@require_api_auth("supervisor")
def set_survey(department: str):
    enabled = json_object().get("enabled")
    if not isinstance(enabled, bool):
        raise InvalidInput("'enabled' is true or false.", field="enabled")
    result = survey.set_survey(department, enabled, g.principal.identity)
    db.session.commit()
    return jsonify(result)

