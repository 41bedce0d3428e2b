"""Twilio webhooks of supervision: the call progress of a supervisor's monitoring leg."""

from __future__ import annotations

from flask import request

from app.queue import queue_services
from app.queue.twiml import empty
from app.supervision import bp, services
from app.telephony import CALL_OVER, twilio_webhook


@bp.post("/supervision/monitor-leg")
@twilio_webhook
def monitor_leg():
    """Call-progress events of a supervisor's monitoring leg: forget it once it is over."""
    if request.form.get("CallStatus", "") in CALL_OVER:
        services.monitor_leg_ended(queue_services().service, request.args.get("call", ""),
                                   request.form.get("CallSid", ""))
    return empty()
