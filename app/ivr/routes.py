from __future__ import annotations

import logging

from flask import current_app, request

from app.extensions import db
from app.interactions import services as interactions
from app.ivr import bp, twiml
from app.telephony import safe_fallback_twiml, twilio_webhook

log = logging.getLogger(__name__)


@bp.post("/incoming")
@twilio_webhook
def incoming():
    interaction = interactions.open_interaction(
        request.form.get("CallSid", ""),
        from_number=request.form.get("From", ""),
        to_number=request.form.get("To", ""),
        direction=request.form.get("Direction", "inbound"),
    )
    interactions.add_event(interaction, "greeted")
    db.session.commit()
    return twiml.greeting_and_goodbye(current_app.config["ORGANISATION_NAME"])


@bp.post("/fallback")
@twilio_webhook
def fallback():
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


@bp.post("/status")
@twilio_webhook
def call_status():
    duration = request.form.get("CallDuration", "")
    interactions.record_call_status(
        request.form.get("CallSid", ""),
        request.form.get("CallStatus", ""),
        int(duration) if duration.isdigit() else None,
    )
    db.session.commit()
    return twiml.empty()
