"""The test phone page and its JSON calls (offline mode only: 404 against real Twilio).

Signed-in agents and supervisors only: it places calls into the call centre, and a newcomer
playing both sides is signed in for the console anyway.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, request

from app.auth import login_required
from app.errors import json_object
from app.floor.languages import LANGUAGES
from app.testphone import bp, services
from config import app_settings


@bp.before_request
def offline_only():
    if not services.offline():
        abort(404)


@bp.get("")
@bp.get("/")
@login_required(role="agent")
def page():
    # The transcript names the language of each line from the floor's table.
    spoken = {lang.say_language: lang.name for lang in LANGUAGES.values()}
    return render_template("testphone/phone.html", callers=services.sample_callers(),
                           our_number=app_settings().TWILIO_PHONE_NUMBER, languages=spoken)


@bp.post("/calls")
@login_required(role="agent")
def dial():
    return jsonify(services.dial_in(str(json_object().get("from", "")))), 201


@bp.get("/calls/<call_sid>")
@login_required(role="agent")
def follow(call_sid: str):
    return jsonify(services.follow(call_sid, request.args.get("since", 0, type=int)))


@bp.post("/calls/<call_sid>/<action>")
@login_required(role="agent")
def act(call_sid: str, action: str):
    return jsonify(services.act(call_sid, action, json_object()))
