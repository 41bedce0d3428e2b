"""Twilio webhooks of the IVR: parse the request, run one step of the call flow, answer TwiML."""

from __future__ import annotations

import logging

from flask import request

from app.extensions import db
from app.interactions import services as interactions
from app.ivr import bp, twiml
from app.ivr.flow import CallInput, call_flow
from app.queue import queue_services
from app.telephony import VoiceResponse, safe_fallback_twiml, twilio_webhook

log = logging.getLogger(__name__)


def _call() -> CallInput:
    form, args = request.form, request.args
    return CallInput(
        call_sid=form.get("CallSid", "")[:64],
        from_number=form.get("From", ""),
        to_number=form.get("To", ""),
        direction=form.get("Direction", "inbound"),
        digits=form.get("Digits", ""),
        speech=form.get("SpeechResult", ""),
        lang=args.get("lang", ""),
        attempt=args.get("attempt", ""),
    )


@bp.post("/ivr/incoming")
@twilio_webhook
def incoming() -> VoiceResponse | str:
    """A call comes in: greet at once, by name and in their language if we know them."""
    return call_flow().incoming(_call())


@bp.post("/ivr/language")
@twilio_webhook
def choose_language() -> VoiceResponse:
    return call_flow().choose_language(_call())


@bp.post("/ivr/account")
@twilio_webhook
def account() -> VoiceResponse:
    return call_flow().account(_call())


@bp.post("/ivr/remember")
@twilio_webhook
def remember() -> VoiceResponse:
    return call_flow().remember(_call())


@bp.post("/ivr/menu")
@twilio_webhook
def menu() -> VoiceResponse:
    return call_flow().menu(_call())


@bp.post("/ivr/fallback")
@twilio_webhook
def fallback() -> VoiceResponse:
    """The number's fallback URL: Twilio calls it when the voice URL failed.

    It must work with the database and Redis down, so it touches neither.
    """
    log.error(
        "Twilio used the fallback URL for call %s: ErrorCode=%s ErrorUrl=%s",
        request.form.get("CallSid", "-"),
        request.form.get("ErrorCode", "-"),
        request.form.get("ErrorUrl", "-"),
    )
    return safe_fallback_twiml()


@bp.post("/ivr/status")
@twilio_webhook
def call_status() -> VoiceResponse:
    duration = request.form.get("CallDuration", "")
    status = request.form.get("CallStatus", "")
    interactions.record_call_status(
        request.form.get("CallSid", ""),
        status,
        int(duration) if duration.isascii() and duration.isdigit() else None,
    )
    db.session.commit()
    if status in interactions.FINAL_STATUSES:
        # However the call ended, it is out of every queue and its offers are cancelled.
        queue_services().service.caller_left(request.form.get("CallSid", ""))
    return twiml.empty()
