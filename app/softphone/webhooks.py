"""The TwiML App's voice URL: an agent's softphone places a call."""

from __future__ import annotations

import logging

from flask import request
from sqlalchemy import select

from app.agents.models import Agent
from app.extensions import db
from app.queue import queue_services
from app.softphone import bp, dialplan, twiml
from app.telephony import twilio_webhook
from config import app_settings

log = logging.getLogger(__name__)


def _is_agent(identity: str) -> bool:
    return db.session.scalar(
        select(Agent.id).where(Agent.identity == identity, Agent.active)) is not None


@bp.post("/outgoing")
@twilio_webhook
def outgoing():
    """`From=client:<identity>` (an active agent) calling through our TwiML App
    (`ApplicationSid`), custom parameter `To`: a number or an agent; or `Line=open`: the
    agent's persistent line, parked in their own room. Anything else is refused
    in words: never an application error."""
    voice = queue_services().phrases.voice("en")
    config = app_settings()
    form = request.form
    caller = dialplan.caller_identity(form.get("From", ""))
    # Only our TwiML App's calls: a number's voice URL pointed here by mistake dials nobody.
    ours = (form.get("ApplicationSid") == config.TWILIO_TWIML_APP_SID
            and form.get("Direction", "inbound") == "inbound")
    if caller is None or not ours or not _is_agent(caller):
        log.warning("refused an outgoing softphone call from %r (application %r)",
                    form.get("From"), form.get("ApplicationSid"))
        return twiml.refuse("unknown_caller", voice)
    if form.get("Line") == "open":
        # The console holds the agent's persistent line (docs/queue.md, "The agent's line").
        return queue_services().lines.open(caller, form.get("CallSid", ""))
    target = dialplan.resolve(form.get("To", ""), caller=caller,
                              region=config.DEFAULT_REGION, is_agent=_is_agent)
    if target.kind == "number":
        return twiml.dial_number(target.address, caller_id=config.TWILIO_PHONE_NUMBER)
    if target.kind == "agent":
        return twiml.dial_agent(target.address)
    log.info("agent %s could not call %r: %s", caller, form.get("To"), target.reason)
    return twiml.refuse(target.reason, voice)
