"""The TwiML App's voice URL: an agent's softphone places a call."""

from __future__ import annotations

import logging

from flask import current_app, request
from sqlalchemy import select

from app.agents.models import Agent
from app.extensions import db
from app.queue.factory import VOICES
from app.softphone import bp, dialplan, twiml
from app.telephony import twilio_webhook

log = logging.getLogger(__name__)


def _is_agent(identity: str) -> bool:
    return db.session.scalar(
        select(Agent.id).where(Agent.identity == identity, Agent.active)) is not None


@bp.post("/outgoing")
@twilio_webhook
def outgoing():
    """`From=client:<identity>` (an active agent), custom parameter `To`: a number or an
    agent. Anything else is refused in words: never an application error."""
    voice = VOICES["en"]
    caller = dialplan.caller_identity(request.form.get("From", ""))
    if caller is None or not _is_agent(caller):
        log.warning("refused an outgoing softphone call from %r", request.form.get("From"))
        return twiml.refuse("unknown_caller", voice)
    config = current_app.config
    target = dialplan.resolve(request.form.get("To", ""), caller=caller,
                              region=config.get("DEFAULT_REGION", "US"), is_agent=_is_agent)
    if target.kind == "number":
        return twiml.dial_number(target.address, caller_id=config["TWILIO_PHONE_NUMBER"])
    if target.kind == "agent":
        return twiml.dial_agent(target.address)
    log.info("agent %s could not call %r: %s", caller, request.form.get("To"), target.reason)
    return twiml.refuse(target.reason, voice)
