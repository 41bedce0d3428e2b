"""The call-controls JSON API (see docs/call-controls.md and openapi.yaml)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, jsonify

from app.auth import require_api_auth
from app.calls import bp, services, transfers, words
from app.calls.errors import TelephonyFailed, TransferNotFound
from app.calls.factory import controls
from app.errors import json_object
from app.telephony.gateway import TelephonyError


@contextmanager
def _telephony() -> Iterator[None]:
    """Twilio refusing a change is an answer the console can show, not a 500."""
    try:
        yield
    except TelephonyError as exc:
        raise TelephonyFailed("Twilio did not accept the change; try again.",
                              code=exc.code) from exc


@bp.get("/<call_sid>")
@require_api_auth("agent")
def get_call(call_sid: str):
    c = controls()
    services.authorise(c, g.principal, call_sid)
    return jsonify(services.view(c, call_sid))


@bp.get("/<call_sid>/words")
@require_api_auth("agent")
def agent_words(call_sid: str):
    """What the agent says on this call: greeting, apology, anything else (R9, R5, R11)."""
    return jsonify(words.agent_words(controls(), g.principal, call_sid))


@bp.post("/<call_sid>/hold")
@require_api_auth("agent")
def hold_call(call_sid: str):
    c = controls()
    with _telephony():
        services.hold_call(c, g.principal, call_sid)
    return jsonify(services.view(c, call_sid))


@bp.post("/<call_sid>/resume")
@require_api_auth("agent")
def resume_call(call_sid: str):
    c = controls()
    with _telephony():
        services.resume_call(c, g.principal, call_sid)
    return jsonify(services.view(c, call_sid))


@bp.post("/<call_sid>/hangup")
@require_api_auth("agent")
def hang_up(call_sid: str):
    c = controls()
    with _telephony():
        services.hang_up(c, g.principal, call_sid)
    return jsonify(services.view(c, call_sid))


@bp.post("/<call_sid>/transfers")
@require_api_auth("agent")
def start_transfer(call_sid: str):
    c = controls()
    services.authorise(c, g.principal, call_sid)
    body = json_object(empty_ok=True)
    with _telephony():
        transfer = transfers.start(c, call_sid, str(body.get("mode", "")), body.get("target"))
    return jsonify(transfer.to_dict()), 201


@bp.get("/<call_sid>/transfer")
@require_api_auth("agent")
def get_transfer(call_sid: str):
    c = controls()
    services.authorise(c, g.principal, call_sid)
    transfer = transfers.latest(c, call_sid)
    if transfer is None:
        raise TransferNotFound("This call has had no transfer.", call_sid=call_sid)
    return jsonify(transfer.to_dict())


@bp.post("/<call_sid>/transfer/complete")
@require_api_auth("agent")
def complete_transfer(call_sid: str):
    c = controls()
    services.authorise(c, g.principal, call_sid)
    with _telephony():
        return jsonify(transfers.complete(c, call_sid).to_dict())


@bp.post("/<call_sid>/transfer/accept")
@require_api_auth("agent")
def accept_transfer(call_sid: str):
    """The target takes a warm transfer offered on their console: their line joins."""
    c = controls()
    services.authorise(c, g.principal, call_sid)
    with _telephony():
        return jsonify(transfers.accept_on_line(c, call_sid, g.principal.identity).to_dict())


@bp.post("/<call_sid>/transfer/reject")
@require_api_auth("agent")
def reject_transfer(call_sid: str):
    """The target turns down a warm transfer offered on their console."""
    c = controls()
    services.authorise(c, g.principal, call_sid)
    with _telephony():
        return jsonify(transfers.reject_on_line(c, call_sid, g.principal.identity).to_dict())


@bp.post("/<call_sid>/transfer/cancel")
@require_api_auth("agent")
def cancel_transfer(call_sid: str):
    c = controls()
    services.authorise(c, g.principal, call_sid)
    with _telephony():
        return jsonify(transfers.cancel(c, call_sid).to_dict())


@bp.post("/<call_sid>/transfer/three-way")
@require_api_auth("agent")
def three_way(call_sid: str):
    c = controls()
    services.authorise(c, g.principal, call_sid)
    with _telephony():
        return jsonify(transfers.three_way(c, call_sid).to_dict())
