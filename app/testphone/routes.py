"""The test phone page and its JSON calls (offline mode only: 404 against real Twilio)."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request

from app.errors import InvalidInput
from app.testphone import bp, service


@bp.before_request
def offline_only():
    if not service.offline():
        abort(404)


def _json() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object.")
    return body


@bp.get("")
@bp.get("/")
def page():
    return render_template("testphone/phone.html", callers=service.sample_callers(),
                           our_number=current_app.config["TWILIO_PHONE_NUMBER"])


@bp.post("/calls")
def dial():
    return jsonify(service.dial_in(str(_json().get("from", "")))), 201


@bp.get("/calls/<call_sid>")
def follow(call_sid: str):
    return jsonify(service.follow(call_sid, request.args.get("since", 0, type=int)))


@bp.post("/calls/<call_sid>/<action>")
def act(call_sid: str, action: str):
    return jsonify(service.act(call_sid, action, _json()))
