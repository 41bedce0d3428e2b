"""Twilio webhooks of supervision: the call progress of a supervisor's monitoring leg."""

from __future__ import annotations

from flask import request

from app.queue import queue_services
from app.queue.twiml import empty
from app.supervision import bp
from app.supervision.services import SupervisionService
from app.telephony import twilio_webhook

LEG_OVER = {"completed", "busy", "no-answer", "failed", "canceled"}


@bp.post("/supervision/monitor-leg")
@twilio_webhook
def monitor_leg():
    """Call-progress events of a supervisor's monitoring leg: forget it once it is over."""
    if request.form.get("CallStatus", "") in LEG_OVER:
        SupervisionService(queue_services().service).monitor_leg_ended(
            request.args.get("call", ""), request.form.get("CallSid", ""))
    return empty()
